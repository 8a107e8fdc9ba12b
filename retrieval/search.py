"""Hybrid search: dense (faiss) and lexical (BM25) hit lists fused by weighted reciprocal rank."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.embedder import Embedder
from retrieval.snapshot import Snapshot
from retrieval.types import ScoredChunk


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the two lists in reciprocal rank fusion; 0 switches a list off."""

    dense: float = 1.0
    lexical: float = 1.0
    rrf_k: int = 60


def fuse(
    dense: list[tuple[int, float]], lexical: list[tuple[int, float]], weights: FusionWeights
) -> list[tuple[int, float]]:
    """Weighted RRF: score = sum of weight / (rrf_k + rank); ties keep the dense order."""
    scores: dict[int, float] = {}
    for hits, weight in ((dense, weights.dense), (lexical, weights.lexical)):
        if weight <= 0:
            continue
        for rank, (pos, _) in enumerate(hits, start=1):
            scores[pos] = scores.get(pos, 0.0) + weight / (weights.rrf_k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


class HybridSearcher:
    """Searches one index snapshot with one embedder."""

    def __init__(
        self,
        snapshot: Snapshot,
        embedder: Embedder,
        weights: FusionWeights | None = None,
        candidates: int = 40,
    ) -> None:
        snapshot.check_model(embedder.name)
        self.snapshot = snapshot
        self.embedder = embedder
        self.weights = weights or FusionWeights()
        self.candidates = candidates

    def search(
        self, query: str, k: int, query_vector: np.ndarray | None = None
    ) -> list[ScoredChunk]:
        """The k best chunks for the query, best first, with dense and lexical scores attached."""
        vec = self.embedder.embed_query(query) if query_vector is None else query_vector
        dense = self.snapshot.dense.search(vec, self.candidates)
        lexical = self.snapshot.lexical.search(query, self.candidates)
        fused = fuse(dense, lexical, self.weights)[:k]
        dense_map, lex_map = dict(dense), dict(lexical)
        chunks = self.snapshot.chunks(pos for pos, _ in fused)
        missing_dense = [p for p, _ in fused if p not in dense_map]
        if missing_dense:
            vectors = self.snapshot.vectors()
            for p in missing_dense:
                dense_map[p] = float(np.dot(vectors[p], vec))
        out = []
        for pos, score in fused:
            chunk = chunks[pos]
            out.append(
                ScoredChunk(
                    chunk=chunk,
                    doc=self.snapshot.documents[chunk.doc_path],
                    score=score,
                    dense=dense_map.get(pos, 0.0),
                    lexical=lex_map.get(pos, 0.0),
                    position=pos,
                )
            )
        return out
