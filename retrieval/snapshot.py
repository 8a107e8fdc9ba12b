"""What answering reads from one published index version, wherever it is stored.

`Snapshot` is the interface; `retrieval.index.LocalSnapshot` (SQLite + faiss + numpy files in a
version folder) and `retrieval.pgindex.PgSnapshot` (the same version copied to PostgreSQL)
implement it, without sharing code by inheritance. A `SnapshotSource` says which version is
published now and opens it, so a long-running bot switches to a new version by itself.

Positions: chunk `pos` runs 0..manifest.chunks-1 in document order (a document's chunks are
consecutive, in their order in the document); sentence ids `sid` run 0..n-1 in the order of their
chunks. Vectors are unit length float32 rows of width `manifest.dim`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from retrieval.errors import IndexModelMismatch
from retrieval.lexical import LexicalIndex
from retrieval.register import Deadline, Obligation
from retrieval.types import Chunk, DocumentMeta
from retrieval.vectorstore import VectorStore

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Manifest:
    """What built a version and what it holds."""

    model: str
    dim: int
    chunks: int
    documents: int
    created: str
    approximate: bool
    format: int = FORMAT_VERSION
    reader: str = ""  # version of the code that read the documents (see ingest.pipeline)


def passage_text(title: str, chunk: Chunk) -> str:
    """What is embedded and lexically indexed: title and section give the chunk its context."""
    head = " – ".join(p for p in (title, chunk.section) if p and p not in chunk.text[:200])
    return f"{head}\n{chunk.text}" if head else chunk.text


def check_model(manifest: Manifest, model_name: str, where: str, rebuild: str) -> None:
    """Raise IndexModelMismatch, saying how to rebuild, when `model_name` is not the embedding
    model that built the version `manifest` describes (`where` names that version's store)."""
    if manifest.model != model_name:
        raise IndexModelMismatch(
            f"the index in {where} was built with model {manifest.model!r} but EMBEDDING_MODEL "
            f"gives {model_name!r}; run {rebuild} to rebuild it with the configured model"
        )


class VectorRows(Protocol):
    """Vectors by row: `rows[i]` is the (dim,) float32 vector of chunk position or sentence id
    `i`; IndexError when there is no such row. A numpy array is one."""

    def __getitem__(self, row: int, /) -> np.ndarray: ...


class Snapshot(Protocol):
    """One published index version, open for reading; every method is safe to call from
    several threads at once. Nothing is ever written through it."""

    manifest: Manifest
    documents: dict[str, DocumentMeta]  # by path (below the ingested folder), in path order
    dense: VectorStore  # chunk vectors by position: search(vector, k) -> [(pos, cosine)]
    lexical: LexicalIndex  # BM25 over passage texts by position: search(text, k)

    @property
    def version(self) -> str:
        """A name of this version for logs and messages (a folder name, or "pg:<id> (...)")."""
        ...

    def chunks(self, positions: Iterable[int]) -> dict[int, Chunk]:
        """The chunks at these positions, keyed by position; positions that do not exist are
        left out (so `{}` for none)."""
        ...

    def chunks_of(self, doc_path: str) -> list[tuple[int, Chunk, str]]:
        """(position, chunk, embed_key) of every chunk of one document in document order;
        [] for a document this version does not hold."""
        ...

    def chunk_positions(self, doc_paths: Iterable[str]) -> list[int]:
        """The positions of every chunk of these documents, ascending (documents this version
        does not hold have none)."""
        ...

    def sentences(self, positions: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
        """For each given chunk position (every one is a key), its (sid, text) sentences in
        order; [] for a position without sentences or that does not exist."""
        ...

    def vectors(self) -> VectorRows:
        """Chunk vectors by position."""
        ...

    def sentence_vectors(self) -> VectorRows:
        """Sentence vectors by sid."""
        ...

    def passage_texts(self) -> list[str]:
        """Every chunk's passage text (`passage_text`), in position order: what the lexical
        index was built from, to build another one (retrieval comparisons)."""
        ...

    def deadlines(self) -> list[Deadline]:
        """The register's deadlines in document order."""
        ...

    def obligations(self) -> list[Obligation]:
        """The register's obligations in document order."""
        ...

    def aliases(self) -> dict[str, str]:
        """Full name (lower case) -> abbreviation, learned from this version's text."""
        ...

    def check_model(self, model_name: str) -> None:
        """Raise IndexModelMismatch, telling the user to ingest again, when `model_name` is not
        the embedding model that built this version."""
        ...

    def close(self) -> None:
        """Release what this snapshot holds open; it is not used afterwards."""
        ...


@dataclass(frozen=True)
class SnapshotSource:
    """Where published versions come from: a local index folder or a database.

    `current()` is a cheap token of the version published now (None when nothing is): when it
    differs from the one a snapshot was opened under, a newer version was published. `open()`
    opens the version published now; IndexMissingError tells the user to run ingestion.
    """

    current: Callable[[], object]
    open: Callable[[], Snapshot]
