"""The local index: immutable versions under `versions/`, the live one named by `CURRENT`.

A version folder holds manifest.json, meta.sqlite (the tables of `retrieval.schema`),
vectors.npy, sentence_vectors.npy, dense.faiss and the lexical index. Ingestion writes a new
folder and then replaces `CURRENT` atomically (`ingest.writer`), so readers always see one
complete version. `LocalSnapshot` reads one version; `local_source` says which is published.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from retrieval.errors import IndexMissingError
from retrieval.lexical import LexicalIndex
from retrieval.register import Deadline, Obligation
from retrieval.schema import (
    ALIASES,
    CHUNK_FIELDS,
    CHUNKS,
    DEADLINES,
    DOCUMENTS,
    OBLIGATIONS,
    SENTENCES,
    chunk_from_row,
    register_fields,
)
from retrieval.snapshot import Manifest, SnapshotSource, check_model, passage_text
from retrieval.types import Chunk, DocumentMeta
from retrieval.vectorstore import FaissStore, VectorStore

PATH_BATCH = 1000  # documents per query of `chunk_positions`


class LocalSnapshot:
    """One published version in a local folder, loaded for searching (the `Snapshot`
    interface). Thread-safe for concurrent reads."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest = Manifest(**json.loads((folder / "manifest.json").read_text("utf-8")))
        self._db = sqlite3.connect(
            f"file:{folder / 'meta.sqlite'}?mode=ro", uri=True, check_same_thread=False
        )
        self._lock = threading.Lock()
        # a version written before a column existed (the OCR flag, the document type) reads it
        # as its default
        stored = frozenset(r[1] for r in self._db.execute(f"PRAGMA table_info({CHUNKS.name})"))
        self._chunk_fields = CHUNKS.select(only=CHUNK_FIELDS, stored=stored)
        stored_docs = frozenset(
            r[1] for r in self._db.execute(f"PRAGMA table_info({DOCUMENTS.name})")
        )
        doc_fields = DOCUMENTS.select(stored=stored_docs)
        rows = self._db.execute(
            f"SELECT {doc_fields} FROM {DOCUMENTS.name} ORDER BY path"
        ).fetchall()
        self.documents: dict[str, DocumentMeta] = {r[0]: DocumentMeta(*r) for r in rows}
        self.dense: VectorStore = FaissStore.load(folder / "dense.faiss")
        self.lexical = LexicalIndex.load(folder)
        self._sentence_vectors = np.load(folder / "sentence_vectors.npy", mmap_mode="r")

    @property
    def version(self) -> str:
        """Folder name of this version."""
        return self.folder.name

    def chunks(self, positions: Iterable[int]) -> dict[int, Chunk]:
        """The chunks at these positions."""
        pos = list(positions)
        if not pos:
            return {}
        marks = ",".join("?" * len(pos))
        sql = f"SELECT pos, {self._chunk_fields} FROM {CHUNKS.name} WHERE pos IN ({marks})"
        with self._lock:
            rows = self._db.execute(sql, pos).fetchall()
        return {r[0]: chunk_from_row(r[1:]) for r in rows}

    def chunks_of(self, doc_path: str) -> list[tuple[int, Chunk, str]]:
        """All (position, chunk, embed_key) of one document, in order."""
        sql = (
            f"SELECT pos, {self._chunk_fields}, embed_key FROM {CHUNKS.name} "
            "WHERE doc_path = ? ORDER BY ordinal"
        )
        with self._lock:
            rows = self._db.execute(sql, (doc_path,)).fetchall()
        return [(r[0], chunk_from_row(r[1:-1]), r[-1]) for r in rows]

    def chunk_positions(self, doc_paths: Iterable[str]) -> list[int]:
        """Positions of the chunks of these documents, ascending (asked in batches: SQLite
        takes at most 32,766 parameters in one query)."""
        paths = list(doc_paths)
        found: list[int] = []
        for start in range(0, len(paths), PATH_BATCH):
            batch = paths[start : start + PATH_BATCH]
            marks = ",".join("?" * len(batch))
            sql = f"SELECT pos FROM {CHUNKS.name} WHERE doc_path IN ({marks})"
            with self._lock:
                found += [r[0] for r in self._db.execute(sql, batch)]
        return sorted(found)

    def sentences(self, positions: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
        """(sentence id, text) of the chunks at these positions, in order."""
        pos = list(positions)
        out: dict[int, list[tuple[int, str]]] = {p: [] for p in pos}
        if not pos:
            return out
        marks = ",".join("?" * len(pos))
        sql = (
            f"SELECT chunk_pos, sid, text FROM {SENTENCES.name} WHERE chunk_pos IN ({marks}) "
            "ORDER BY sid"
        )
        with self._lock:
            for chunk_pos, sid, text in self._db.execute(sql, pos):
                out[chunk_pos].append((sid, text))
        return out

    def vectors(self) -> np.ndarray:
        """All chunk vectors, memory-mapped, row i for position i."""
        return np.load(self.folder / "vectors.npy", mmap_mode="r")

    def sentence_vectors(self) -> np.ndarray:
        """All sentence vectors, memory-mapped, row i for sentence id i."""
        return self._sentence_vectors

    def passage_texts(self) -> list[str]:
        """Every chunk's passage text, in position order."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {self._chunk_fields} FROM {CHUNKS.name} ORDER BY pos"
            ).fetchall()
        return [passage_text(self.documents[r[0]].title, chunk_from_row(r)) for r in rows]

    def sentence_rows(self, positions: list[int]) -> list[tuple[int, int, str, str]]:
        """(sid, chunk_pos, text, embed_key) of the sentences of these chunks, by sid."""
        if not positions:
            return []
        marks = ",".join("?" * len(positions))
        sql = (
            f"SELECT sid, chunk_pos, text, embed_key FROM {SENTENCES.name} "
            f"WHERE chunk_pos IN ({marks}) ORDER BY sid"
        )
        with self._lock:
            return self._db.execute(sql, positions).fetchall()

    def embed_keys(self) -> dict[str, int]:
        """Position of each passage-text key (ingestion reuses unchanged chunks' vectors)."""
        with self._lock:
            return dict(self._db.execute(f"SELECT embed_key, pos FROM {CHUNKS.name}").fetchall())

    def sentence_keys(self) -> dict[str, int]:
        """Row of each sentence embedding key (ingestion reuses unchanged sentences' vectors)."""
        with self._lock:
            return dict(self._db.execute(f"SELECT embed_key, sid FROM {SENTENCES.name}").fetchall())

    def register_rows(self, table: str, doc_path: str | None = None) -> list[tuple[int, list]]:
        """(id, item values) of a register table ("deadlines", "obligations", "aliases") in
        document order, optionally of one document; [] for a version written before it."""
        spec = {t.name: t for t in (DEADLINES, OBLIGATIONS, ALIASES)}[table]
        where = " WHERE doc_path = ?" if doc_path is not None else ""
        with self._lock:
            # a column added later is read as its default from a version written before it
            stored = frozenset(r[1] for r in self._db.execute(f"PRAGMA table_info({table})"))
            cols = spec.select(only=register_fields(spec) if spec is not ALIASES else (),
                               stored=stored)  # fmt: skip
            try:
                rows = self._db.execute(
                    f"SELECT rowid, {cols} FROM {table}{where} ORDER BY rowid",
                    (doc_path,) if doc_path is not None else (),
                ).fetchall()
            except sqlite3.OperationalError:  # a version written before the register existed
                return []
        return [(r[0], list(r[1:])) for r in rows]

    def deadlines(self) -> list[Deadline]:
        """Deadlines of this version in document order; [] for versions built before them."""
        return [Deadline(*values) for _, values in self.register_rows(DEADLINES.name)]

    def obligations(self) -> list[Obligation]:
        """Obligations of this version in document order; [] for versions built before them."""
        return [Obligation(*values) for _, values in self.register_rows(OBLIGATIONS.name)]

    def aliases(self) -> dict[str, str]:
        """Full name (lower case) -> abbreviation, learned from this version's text."""
        return {name: abbr for _, (name, abbr) in self.register_rows(ALIASES.name)}

    def check_model(self, model_name: str) -> None:
        """Raise when the configured embedding model is not the one that built this index."""
        where = str(self.folder.parent.parent)
        check_model(self.manifest, model_name, where, "`python -m ingest` again")

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()


def current_version(index_dir: Path) -> Path | None:
    """Folder of the published version, or None when nothing is published."""
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        return None
    folder = index_dir / "versions" / pointer.read_text("utf-8").strip()
    return folder if (folder / "manifest.json").is_file() else None


def open_current(index_dir: Path) -> LocalSnapshot:
    """Load the published version; IndexMissingError tells the user to run ingestion."""
    folder = current_version(index_dir)
    if folder is None:
        raise IndexMissingError(
            f"no index in {index_dir}; run `python -m ingest` (or `make run`) to build it"
        )
    return LocalSnapshot(folder)


def local_source(index_dir: Path) -> SnapshotSource:
    """The versions published in a local index folder (token: the version's folder)."""
    return SnapshotSource(lambda: current_version(index_dir), lambda: open_current(index_dir))
