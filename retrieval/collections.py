"""The part of an index version that a Slack channel may see: its collections' documents only.

`scoped(snapshot, collections)` gives a `Snapshot` that holds only the documents of those
collections (config.collections). The filter works inside retrieval, before anything is ranked:
dense search asks faiss (an IDSelector) or pgvector (a filtered query) for the allowed chunk
positions only, lexical search scores the allowed rows only, and chunks, sentences, documents
and the register never return anything of another collection. So a channel cannot receive a
passage, a quote or a title of a document it may not see, whatever it asks.

The aliases (full name -> abbreviation, used to read questions) are the version's own and are
not filtered: they are never shown.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from retrieval.lexical import LexicalIndex
from retrieval.register import Deadline, Obligation
from retrieval.snapshot import Manifest, Snapshot, VectorRows
from retrieval.types import Chunk, DocumentMeta
from retrieval.vectorstore import VectorStore


def scoped(snapshot: Snapshot, collections: frozenset[str] | None) -> Snapshot:
    """`snapshot` limited to the documents of `collections`; None, or collections holding every
    document of the version, give the snapshot itself."""
    if collections is None or all(d.collection in collections for d in snapshot.documents.values()):
        return snapshot
    return CollectionView(snapshot, collections)


class _ScopedDense:
    """A VectorStore that searches only the allowed positions of another (read only)."""

    def __init__(self, store: VectorStore, allowed: np.ndarray) -> None:
        self._store = store
        self._allowed = allowed
        self.dim = store.dim

    @property
    def size(self) -> int:
        """Number of vectors this view may find."""
        return len(self._allowed)

    def add(self, vectors: np.ndarray) -> None:
        """Never: a view is read only."""
        raise TypeError("a collection view of an index version is read only")

    def search(
        self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Best k (position, cosine) among the allowed positions (narrowed further by
        `allowed`, when given)."""
        ids = self._allowed if allowed is None else np.intersect1d(self._allowed, allowed)
        return self._store.search(vector, k, allowed=ids)


class _ScopedLexical:
    """The lexical index of a version, searching only the allowed rows; everything else (its
    analyzer, vocabulary and document frequencies, which are never shown) is the index's."""

    def __init__(self, lexical: LexicalIndex, allowed: np.ndarray) -> None:
        self._lexical = lexical
        self._allowed = allowed

    def __getattr__(self, name: str) -> object:
        return getattr(self._lexical, name)

    def search(
        self, query: str, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Best k (position, score) among the allowed rows."""
        ids = self._allowed if allowed is None else np.intersect1d(self._allowed, allowed)
        return self._lexical.search(query, k, allowed=ids)


class CollectionView:
    """A `Snapshot` holding only the documents of some collections of another snapshot.

    Positions and sentence ids stay those of the whole version, so vectors are read from it;
    anything asked for at a position of another collection's document is left out, as for a
    position that does not exist.
    """

    def __init__(self, snapshot: Snapshot, collections: frozenset[str]) -> None:
        self._snapshot = snapshot
        self.collections = collections
        self.manifest: Manifest = snapshot.manifest
        self.documents: dict[str, DocumentMeta] = {
            path: doc for path, doc in snapshot.documents.items() if doc.collection in collections
        }
        allowed = np.array(sorted(snapshot.chunk_positions(list(self.documents))), dtype=np.int64)
        self._positions = frozenset(allowed.tolist())
        self.dense: VectorStore = _ScopedDense(snapshot.dense, allowed)
        self.lexical: LexicalIndex = _ScopedLexical(snapshot.lexical, allowed)  # type: ignore[assignment]

    @property
    def version(self) -> str:
        """The version's name, with the collections seen."""
        return f"{self._snapshot.version} [{', '.join(sorted(self.collections))}]"

    def chunk_positions(self, doc_paths: Iterable[str]) -> list[int]:
        """Positions of the chunks of these documents that this view holds."""
        return self._snapshot.chunk_positions([p for p in doc_paths if p in self.documents])

    def chunks(self, positions: Iterable[int]) -> dict[int, Chunk]:
        """The chunks at the allowed ones of these positions."""
        return self._snapshot.chunks(p for p in positions if p in self._positions)

    def chunks_of(self, doc_path: str) -> list[tuple[int, Chunk, str]]:
        """Every chunk of one document of this view; [] for another collection's."""
        return self._snapshot.chunks_of(doc_path) if doc_path in self.documents else []

    def sentences(self, positions: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
        """Sentences of the allowed ones of these positions ([] for the others)."""
        pos = list(positions)
        found = self._snapshot.sentences(p for p in pos if p in self._positions)
        return {p: found.get(p, []) for p in pos}

    def vectors(self) -> VectorRows:
        """The version's chunk vectors (numbers only: no text)."""
        return self._snapshot.vectors()

    def sentence_vectors(self) -> VectorRows:
        """The version's sentence vectors (numbers only: no text)."""
        return self._snapshot.sentence_vectors()

    def passage_texts(self) -> list[str]:
        """Every position's passage text, "" at the positions of other collections' documents."""
        texts = self._snapshot.passage_texts()
        return [t if i in self._positions else "" for i, t in enumerate(texts)]

    def deadlines(self) -> list[Deadline]:
        """The register's deadlines of this view's documents."""
        return [d for d in self._snapshot.deadlines() if d.doc_path in self.documents]

    def obligations(self) -> list[Obligation]:
        """The register's obligations of this view's documents."""
        return [o for o in self._snapshot.obligations() if o.doc_path in self.documents]

    def aliases(self) -> dict[str, str]:
        """The version's aliases (used to read questions, never shown)."""
        return self._snapshot.aliases()

    def check_model(self, model_name: str) -> None:
        """As the version's."""
        self._snapshot.check_model(model_name)

    def close(self) -> None:
        """Nothing: the version belongs to whoever opened it."""
