"""Write a local index version and publish it: the only code that writes `index/`.

`write_version` builds a complete version folder under a temporary name (meta.sqlite with the
tables of `retrieval.schema`, the vectors, the faiss and lexical indexes, the manifest), fsyncs
it and renames it into place; `publish` then points `CURRENT` at it atomically and prunes old
versions. Readers (`retrieval.index.LocalSnapshot`) therefore see one complete version or the
previous one, never a half-written one.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from retrieval.lexical import LexicalIndex
from retrieval.register import Register
from retrieval.schema import (
    ALIASES,
    CHUNKS,
    DEADLINES,
    DOCUMENTS,
    OBLIGATIONS,
    SENTENCES,
    Table,
    register_fields,
    sqlite_script,
)
from retrieval.snapshot import Manifest
from retrieval.types import Chunk, DocumentMeta
from retrieval.vectorstore import FaissStore

KEEP_VERSIONS = 3


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
    """Write a complete new version folder (not yet published) and return it.

    `chunks` must hold each document's chunks consecutively and in order (positions are list
    indexes), `sentences` in the order of their chunks: the PostgreSQL copy relies on it.
    """
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


def _insert(db: sqlite3.Connection, table: Table, cols: tuple[str, ...], rows: list) -> None:
    db.executemany(
        f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        rows,
    )


def _row(table: Table, **values: object) -> tuple[object, ...]:
    """The values of one row in the table's column order (KeyError names a missing one)."""
    return tuple(values[n] for n in table.names)


def _write_meta(
    path: Path,
    documents: list[DocumentMeta],
    chunks: list[IndexedChunk],
    sentences: list[SentenceRow],
    register: Register,
) -> None:
    db = sqlite3.connect(path)
    try:
        db.executescript(sqlite_script())
        doc_rows = [_row(DOCUMENTS, **asdict(d)) for d in documents]
        _insert(db, DOCUMENTS, DOCUMENTS.names, doc_rows)
        chunk_rows = [
            _row(
                CHUNKS, pos=pos, chunk_id=c.chunk.chunk_id, embed_key=c.embed_key, **asdict(c.chunk)
            )
            for pos, c in enumerate(chunks)
        ]
        _insert(db, CHUNKS, CHUNKS.names, chunk_rows)
        sentence_rows = [_row(SENTENCES, sid=sid, **asdict(r)) for sid, r in enumerate(sentences)]
        _insert(db, SENTENCES, SENTENCES.names, sentence_rows)
        for table, items in ((DEADLINES, register.deadlines), (OBLIGATIONS, register.obligations)):
            cols = register_fields(table)
            _insert(db, table, cols, [tuple(getattr(i, c) for c in cols) for i in items])
        _insert(db, ALIASES, ALIASES.names, list(register.aliases))
        db.commit()
    finally:
        db.close()


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
