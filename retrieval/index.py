"""The on-disk index: immutable versions under `versions/`, the live one named by `CURRENT`.

A version folder holds manifest.json, meta.sqlite (documents, chunks, sentences, and the
deadlines, obligations and party aliases extracted from them), vectors.npy,
sentence_vectors.npy,
dense.faiss and the lexical index. Writers build a new folder and then replace `CURRENT`
atomically, so readers always see one complete version.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from retrieval.errors import IndexMissingError, IndexModelMismatch
from retrieval.lexical import LexicalIndex
from retrieval.register import Deadline, Obligation, Register
from retrieval.types import Chunk, DocumentMeta
from retrieval.vectorstore import FaissStore

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
KEEP_VERSIONS = 3

SCHEMA = """
CREATE TABLE documents (
    path TEXT PRIMARY KEY, title TEXT NOT NULL, sha256 TEXT NOT NULL, kind TEXT NOT NULL,
    date TEXT NOT NULL, reference TEXT NOT NULL, pages INTEGER NOT NULL, body TEXT NOT NULL
);
CREATE TABLE chunks (
    pos INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL, doc_path TEXT NOT NULL
        REFERENCES documents(path), page INTEGER NOT NULL, section TEXT NOT NULL,
    ordinal INTEGER NOT NULL, text TEXT NOT NULL, embed_key TEXT NOT NULL
);
CREATE TABLE sentences (
    sid INTEGER PRIMARY KEY, chunk_pos INTEGER NOT NULL REFERENCES chunks(pos),
    text TEXT NOT NULL, embed_key TEXT NOT NULL
);
CREATE TABLE deadlines (
    id INTEGER PRIMARY KEY, doc_path TEXT NOT NULL REFERENCES documents(path),
    page INTEGER NOT NULL, section TEXT NOT NULL, quote TEXT NOT NULL, what TEXT NOT NULL,
    party TEXT NOT NULL, date TEXT NOT NULL, month_day TEXT NOT NULL, recurrence TEXT NOT NULL,
    relative TEXT NOT NULL, event TEXT NOT NULL, resolution TEXT NOT NULL
);
CREATE TABLE obligations (
    id INTEGER PRIMARY KEY, doc_path TEXT NOT NULL REFERENCES documents(path),
    page INTEGER NOT NULL, section TEXT NOT NULL, quote TEXT NOT NULL, party TEXT NOT NULL,
    cue TEXT NOT NULL, text TEXT NOT NULL
);
CREATE TABLE aliases (name TEXT PRIMARY KEY, abbreviation TEXT NOT NULL);
CREATE INDEX chunks_doc ON chunks(doc_path);
CREATE INDEX sentences_chunk ON sentences(chunk_pos);
CREATE INDEX chunks_key ON chunks(embed_key);
"""


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


@dataclass(frozen=True)
class SentenceRow:
    """One sentence of a chunk, embedded on its own so answers can pick the best sentence."""

    chunk_pos: int
    text: str
    embed_key: str


@dataclass(frozen=True)
class IndexedChunk:
    """A chunk ready to be written: its vector and the key its vector was computed from."""

    chunk: Chunk
    passage: str  # the text that was embedded and is lexically indexed (title, section, text)
    embed_key: str


def passage_text(title: str, chunk: Chunk) -> str:
    """What is embedded and lexically indexed: title and section give the chunk its context."""
    head = " – ".join(p for p in (title, chunk.section) if p and p not in chunk.text[:200])
    return f"{head}\n{chunk.text}" if head else chunk.text


def passage_texts(snapshot: IndexSnapshot) -> list[str]:
    """Every chunk's passage text, in position order (to rebuild a lexical index)."""
    with snapshot._lock:
        rows = snapshot._db.execute(
            "SELECT doc_path, text, page, section, ordinal FROM chunks ORDER BY pos"
        ).fetchall()
    return [passage_text(snapshot.documents[r[0]].title, Chunk(*r)) for r in rows]


class IndexSnapshot:
    """One published version, loaded for searching. Thread-safe for concurrent reads."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest = Manifest(**json.loads((folder / "manifest.json").read_text("utf-8")))
        self._db = sqlite3.connect(
            f"file:{folder / 'meta.sqlite'}?mode=ro", uri=True, check_same_thread=False
        )
        self._lock = threading.Lock()
        self.documents = {d.path: d for d in self._load_documents()}
        self.dense = FaissStore.load(folder / "dense.faiss")
        self.lexical = LexicalIndex.load(folder)
        self._sentence_vectors = np.load(folder / "sentence_vectors.npy", mmap_mode="r")

    @property
    def version(self) -> str:
        """Folder name of this version."""
        return self.folder.name

    def _load_documents(self) -> list[DocumentMeta]:
        cols = "path, title, sha256, kind, date, reference, pages, body"
        rows = self._db.execute(f"SELECT {cols} FROM documents").fetchall()
        return [DocumentMeta(*row) for row in rows]

    def chunks(self, positions: Iterable[int]) -> dict[int, Chunk]:
        """The chunks at these positions."""
        pos = list(positions)
        if not pos:
            return {}
        marks = ",".join("?" * len(pos))
        sql = (
            f"SELECT pos, doc_path, text, page, section, ordinal FROM chunks WHERE pos IN ({marks})"
        )
        with self._lock:
            rows = self._db.execute(sql, pos).fetchall()
        return {r[0]: Chunk(r[1], r[2], r[3], r[4], r[5]) for r in rows}

    def chunks_of(self, doc_path: str) -> list[tuple[int, Chunk, str]]:
        """All (position, chunk, embed_key) of one document, in order."""
        sql = (
            "SELECT pos, doc_path, text, page, section, ordinal, embed_key FROM chunks "
            "WHERE doc_path = ? ORDER BY ordinal"
        )
        with self._lock:
            rows = self._db.execute(sql, (doc_path,)).fetchall()
        return [(r[0], Chunk(r[1], r[2], r[3], r[4], r[5]), r[6]) for r in rows]

    def embed_keys(self) -> dict[str, int]:
        """Position of each passage-text key (the key a chunk's vector was computed from)."""
        with self._lock:
            return dict(self._db.execute("SELECT embed_key, pos FROM chunks").fetchall())

    def sentences(self, positions: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
        """(sentence id, text) of the chunks at these positions, in order."""
        pos = list(positions)
        out: dict[int, list[tuple[int, str]]] = {p: [] for p in pos}
        if not pos:
            return out
        marks = ",".join("?" * len(pos))
        sql = (
            f"SELECT chunk_pos, sid, text FROM sentences WHERE chunk_pos IN ({marks}) ORDER BY sid"
        )
        with self._lock:
            for chunk_pos, sid, text in self._db.execute(sql, pos):
                out[chunk_pos].append((sid, text))
        return out

    def sentence_keys(self) -> dict[str, int]:
        """Row of each sentence embedding key (to reuse vectors of unchanged sentences)."""
        with self._lock:
            return dict(self._db.execute("SELECT embed_key, sid FROM sentences").fetchall())

    def sentence_vectors(self) -> np.ndarray:
        """All sentence vectors, memory-mapped, row i for sentence id i."""
        return self._sentence_vectors

    def vectors(self) -> np.ndarray:
        """All vectors, memory-mapped, row i for position i."""
        return np.load(self.folder / "vectors.npy", mmap_mode="r")

    def deadlines(self) -> list[Deadline]:
        """Deadlines of this version in document order; [] for versions built before them."""
        cols = ", ".join(Deadline.__dataclass_fields__)
        return [Deadline(*r) for r in self._register_rows(f"SELECT {cols} FROM deadlines")]

    def obligations(self) -> list[Obligation]:
        """Obligations of this version in document order; [] for versions built before them."""
        cols = ", ".join(Obligation.__dataclass_fields__)
        return [Obligation(*r) for r in self._register_rows(f"SELECT {cols} FROM obligations")]

    def aliases(self) -> dict[str, str]:
        """Full name (lower case) -> abbreviation, learned from this version's text."""
        return dict(self._register_rows("SELECT name, abbreviation FROM aliases"))

    def _register_rows(self, sql: str) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql + " ORDER BY rowid").fetchall()
            except sqlite3.OperationalError:  # a version written before the register existed
                return []

    def check_model(self, model_name: str) -> None:
        """Raise when the configured embedding model is not the one that built this index."""
        if self.manifest.model != model_name:
            raise IndexModelMismatch(
                f"the index in {self.folder.parent.parent} was built with model "
                f"{self.manifest.model!r} but EMBEDDING_MODEL gives {model_name!r}; "
                "run `python -m ingest` again to rebuild it with the configured model"
            )

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


def open_current(index_dir: Path) -> IndexSnapshot:
    """Load the published version; IndexMissingError tells the user to run ingestion."""
    folder = current_version(index_dir)
    if folder is None:
        raise IndexMissingError(
            f"no index in {index_dir}; run `python -m ingest` (or `make run`) to build it"
        )
    return IndexSnapshot(folder)


def write_version(
    index_dir: Path,
    documents: list[DocumentMeta],
    chunks: list[IndexedChunk],
    vectors: np.ndarray,
    sentences: list[SentenceRow],
    sentence_vectors: np.ndarray,
    model: str,
    ann_threshold: int,
    decompound: bool,
    register: Register | None = None,
    reader: str = "",
) -> Path:
    """Write a complete new version folder (not yet published) and return it."""
    versions = index_dir / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    name = time.strftime("v%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
    tmp = versions / f".tmp-{name}"
    tmp.mkdir()
    _write_meta(tmp / "meta.sqlite", documents, chunks, sentences, register or Register())
    np.save(tmp / "vectors.npy", vectors)
    np.save(tmp / "sentence_vectors.npy", sentence_vectors)
    store = FaissStore.build(vectors, ann_threshold)
    store.save(tmp / "dense.faiss")
    LexicalIndex.build([c.passage for c in chunks], decompound=decompound).save(tmp)
    manifest = Manifest(
        model=model,
        dim=int(vectors.shape[1]),
        chunks=len(chunks),
        documents=len(documents),
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        approximate=store.approximate,
        reader=reader,
    )
    (tmp / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2), "utf-8")
    _fsync_tree(tmp)
    final = versions / name
    os.replace(tmp, final)
    return final


def _write_meta(
    path: Path,
    documents: list[DocumentMeta],
    chunks: list[IndexedChunk],
    sentences: list[SentenceRow],
    register: Register,
) -> None:
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        db.executemany(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (d.path, d.title, d.sha256, d.kind, d.date, d.reference, d.pages, d.body)
                for d in documents
            ],
        )
        db.executemany(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    pos,
                    c.chunk.chunk_id,
                    c.chunk.doc_path,
                    c.chunk.page,
                    c.chunk.section,
                    c.chunk.ordinal,
                    c.chunk.text,
                    c.embed_key,
                )
                for pos, c in enumerate(chunks)
            ],
        )
        db.executemany(
            "INSERT INTO sentences VALUES (?, ?, ?, ?)",
            [(sid, r.chunk_pos, r.text, r.embed_key) for sid, r in enumerate(sentences)],
        )
        _write_register(db, register)
        db.commit()
    finally:
        db.close()


def _write_register(db: sqlite3.Connection, register: Register) -> None:
    deadline_cols = list(Deadline.__dataclass_fields__)
    obligation_cols = list(Obligation.__dataclass_fields__)
    db.executemany(
        f"INSERT INTO deadlines ({', '.join(deadline_cols)}) VALUES "
        f"({', '.join('?' * len(deadline_cols))})",
        [tuple(getattr(d, c) for c in deadline_cols) for d in register.deadlines],
    )
    db.executemany(
        f"INSERT INTO obligations ({', '.join(obligation_cols)}) VALUES "
        f"({', '.join('?' * len(obligation_cols))})",
        [tuple(getattr(o, c) for c in obligation_cols) for o in register.obligations],
    )
    db.executemany("INSERT INTO aliases VALUES (?, ?)", register.aliases)


def _fsync_tree(folder: Path) -> None:
    for item in folder.iterdir():
        with open(item, "rb") as fh:
            os.fsync(fh.fileno())
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def publish(index_dir: Path, version: Path) -> None:
    """Point CURRENT at `version` atomically, then drop versions older than the last few."""
    tmp = index_dir / f"CURRENT.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(version.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / "CURRENT")
    dir_fd = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    _prune(index_dir, keep=version.name)


def _prune(index_dir: Path, keep: str) -> None:
    versions = sorted(p for p in (index_dir / "versions").iterdir() if p.name.startswith("v"))
    old = [p for p in versions if p.name != keep][: max(0, len(versions) - KEEP_VERSIONS)]
    for folder in old:
        shutil.rmtree(folder, ignore_errors=True)
    for tmp in (index_dir / "versions").glob(".tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)  # left by a killed writer; we hold the lock
