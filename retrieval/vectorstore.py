"""Dense vectors in faiss: exact inner product for small corpora, HNSW above a threshold."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import faiss
import numpy as np


class VectorStore(Protocol):
    """Unit vectors addressed by position (0..size-1), searched by inner product (= cosine)."""

    dim: int

    @property
    def size(self) -> int:
        """Number of stored vectors."""
        ...

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors of shape (n, dim), float32; they get positions size..size+n-1.

        Raises ValueError when the width is not `dim`.
        """
        ...

    def search(
        self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Up to k (position, cosine) pairs for a (dim,) query, best first; [] when empty.
        With `allowed` (sorted int64 positions), only those positions are searched."""
        ...


def _pairs(ids: np.ndarray, scores: np.ndarray) -> list[tuple[int, float]]:
    """faiss's result row as (position, score) pairs, without its -1 fillers."""
    return [(int(i), float(s)) for i, s in zip(ids, scores, strict=True) if i >= 0]


class FaissStore:
    """faiss IndexFlatIP, or IndexHNSWFlat (inner product) when built above `ann_threshold`."""

    HNSW_M = 32
    EF_SEARCH = 96
    EF_CONSTRUCTION = 80

    def __init__(self, dim: int, index: faiss.Index | None = None, approximate: bool = False):
        self.dim = dim
        if index is None:
            index = self._new_index(dim, approximate)
        self.index = index
        if isinstance(index, faiss.IndexHNSW):
            index.hnsw.efSearch = self.EF_SEARCH

    @classmethod
    def _new_index(cls, dim: int, approximate: bool) -> faiss.Index:
        if not approximate:
            return faiss.IndexFlatIP(dim)
        index = faiss.IndexHNSWFlat(dim, cls.HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = cls.EF_CONSTRUCTION
        return index

    @classmethod
    def build(cls, vectors: np.ndarray, ann_threshold: int) -> FaissStore:
        """A store holding `vectors`, approximate when there are more than ann_threshold."""
        store = cls(vectors.shape[1], approximate=len(vectors) > ann_threshold)
        store.add(vectors)
        return store

    @property
    def size(self) -> int:
        """Number of stored vectors."""
        return int(self.index.ntotal)

    @property
    def approximate(self) -> bool:
        """True for HNSW."""
        return isinstance(self.index, faiss.IndexHNSW)

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors (n, dim)."""
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"expected vectors of shape (n, {self.dim}), got {vectors.shape}")
        if len(vectors):
            self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(
        self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Best k by inner product, among the `allowed` positions only when given: faiss skips
        the others while it searches (an IDSelector), so they never take a place in the k."""
        if self.size == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        if allowed is None:
            scores, ids = self.index.search(query, min(k, self.size))
            return _pairs(ids[0], scores[0])
        k = min(k, len(allowed))
        if k == 0:
            return []
        selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
        # faiss's bundled type stubs lack the search parameters' keyword constructors
        params = (
            faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.EF_SEARCH, k))  # type: ignore[attr-defined]
            if self.approximate
            else faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
        )
        scores, ids = self.index.search(query, k, params=params)
        found = _pairs(ids[0], scores[0])
        if len(found) < k:  # HNSW may run out of graph before it meets k allowed vectors
            found = self._exact(query[0], k, allowed)
        return found

    def _exact(self, query: np.ndarray, k: int, allowed: np.ndarray) -> list[tuple[int, float]]:
        """Best k of the allowed positions by scanning their vectors."""
        scores = self.index.reconstruct_batch(allowed) @ query
        top = np.argsort(-scores, kind="stable")[:k]
        return [(int(allowed[i]), float(scores[i])) for i in top]

    def save(self, path: Path) -> None:
        """Write the faiss index file."""
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> FaissStore:
        """Read a faiss index file (memory-mapped when possible)."""
        index = faiss.read_index(str(path))
        return cls(index.d, index=index)
