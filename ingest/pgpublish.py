"""Copy the published local index version into PostgreSQL, so every bot replica answers from it.

`python -m ingest` builds and publishes a local version as always; with DATABASE_URL set it then
calls `publish_to_postgres`, which copies that version document by document, each document (its
row, chunks, chunk vectors, sentences with vectors, deadlines and obligations) in one
transaction, then the lexical index files and the HNSW index, and finally names the version in
`index_current` in one last transaction. Replicas read only the version `index_current` names,
so they never see half a document or half a version, and an ingest killed at any point leaves
the previous version in use (its partial copy is removed by the next run).

`python -m ingest.pgpublish [--index DIR] [--dsn URL]` does the copy alone.
"""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from retrieval.errors import IndexLockedError, IndexMissingError, SamverkanError
from retrieval.index import IndexSnapshot, current_version
from retrieval.pgindex import LEXICAL_FILES, store_name
from retrieval.pgschema import where
from retrieval.pgstore import PgVectorStore, open_pool, vector_literal
from retrieval.register import Deadline, Obligation

log = logging.getLogger(__name__)

KEEP_VERSIONS = 3  # as the local index: replicas a version or two behind still find theirs
_LOCK_KEY = 5_117_202  # pg_try_advisory_lock key: one publisher at a time


@dataclass(frozen=True)
class PgPublishResult:
    """What `publish_to_postgres` did."""

    version: int  # id in index_versions
    source: str  # local version folder name
    documents: int
    copied: bool  # False when that local version was already the published one


def publish_to_postgres(index_dir: Path, dsn: str) -> PgPublishResult:
    """Copy the local published version of `index_dir` to PostgreSQL and publish it there.

    Raises IndexMissingError when nothing is published locally, IndexLockedError when another
    publisher is copying, DatabaseError when the server or its schema is wrong.
    """
    folder = current_version(index_dir)
    if folder is None:
        raise IndexMissingError(f"no index in {index_dir}; nothing to copy to PostgreSQL")
    pool = open_pool(dsn, max_size=2)
    try:
        with _publisher_lock(pool, where(dsn)):
            current = _current(pool)
            if current is not None and current[1] == folder.name:
                return PgPublishResult(current[0], folder.name, 0, copied=False)
            _drop_incomplete(pool)
            snapshot = IndexSnapshot(folder)
            try:
                version = _copy(pool, snapshot)
            finally:
                snapshot.close()
            _prune(pool, keep=version)
            return PgPublishResult(version, folder.name, len(snapshot.documents), copied=True)
    finally:
        pool.close()


@contextmanager
def _publisher_lock(pool: ConnectionPool, place: str) -> Iterator[None]:
    with pool.connection() as conn:
        conn.autocommit = True
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (_LOCK_KEY,)).fetchone()
        if not row or not row[0]:
            raise IndexLockedError(
                f"another ingest is copying an index to PostgreSQL at {place}; try again later"
            )
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))


def _current(pool: ConnectionPool) -> tuple[int, str] | None:
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT v.id, v.name FROM index_current c JOIN index_versions v ON v.id = c.version"
        ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def _copy(pool: ConnectionPool, snapshot: IndexSnapshot) -> int:
    """Copy every part of the version, one transaction per document; publish it last."""
    manifest = asdict(snapshot.manifest)
    with pool.connection() as conn:
        row = conn.execute(
            "INSERT INTO index_versions (name, manifest) VALUES (%s, %s) RETURNING id",
            (snapshot.version, json.dumps(manifest)),
        ).fetchone()
        assert row is not None
        version = int(row[0])
        conn.execute(
            "INSERT INTO stores (name, dim) VALUES (%s, %s)",
            (store_name(version), snapshot.manifest.dim),
        )
    meta = sqlite3.connect(f"file:{snapshot.folder / 'meta.sqlite'}?mode=ro", uri=True)
    try:
        vectors, sentence_vectors = snapshot.vectors(), snapshot.sentence_vectors()
        for path in sorted(snapshot.documents):
            with pool.connection() as conn, conn.transaction():
                _copy_document(conn, version, snapshot, meta, path, vectors, sentence_vectors)
        with pool.connection() as conn, conn.transaction():
            for name in LEXICAL_FILES:
                conn.execute(
                    "INSERT INTO index_files (version, name, data) VALUES (%s, %s, %s)",
                    (version, name, (snapshot.folder / name).read_bytes()),
                )
            _copy_register(conn, version, "alias", _rows(meta, "aliases", ["name", "abbreviation"]))
    finally:
        meta.close()
    PgVectorStore.existing(pool, store_name(version), snapshot.manifest.dim).build_index()
    with pool.connection() as conn, conn.transaction():
        conn.execute("UPDATE index_versions SET complete = true WHERE id = %s", (version,))
        conn.execute(
            "INSERT INTO index_current (version) VALUES (%s) ON CONFLICT (singleton) "
            "DO UPDATE SET version = excluded.version, published_at = now()",
            (version,),
        )
    log.info("published %s to PostgreSQL as version %s", snapshot.version, version)
    return version


def _copy_document(
    conn: psycopg.Connection,
    version: int,
    snapshot: IndexSnapshot,
    meta: sqlite3.Connection,
    path: str,
    vectors: np.ndarray,
    sentence_vectors: np.ndarray,
) -> None:
    d = snapshot.documents[path]
    conn.execute(
        "INSERT INTO index_documents VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (version, d.path, d.title, d.sha256, d.kind, d.date, d.reference, d.pages, d.body),
    )
    chunks = snapshot.chunks_of(path)
    with conn.cursor() as cur:
        with cur.copy(
            "COPY index_chunks (version, pos, chunk_id, doc_path, page, section, ordinal, "
            "text, embed_key) FROM STDIN"
        ) as copy:
            for pos, c, key in chunks:
                copy.write_row((version, pos, c.chunk_id, c.doc_path, c.page, c.section,
                                c.ordinal, c.text, key))  # fmt: skip
        with cur.copy("COPY vectors (store, position, embedding) FROM STDIN") as copy:
            for pos, _, _ in chunks:
                copy.write_row((store_name(version), pos, vector_literal(vectors[pos])))
        positions = [pos for pos, _, _ in chunks]
        sentences = _sentences(meta, positions)
        with cur.copy(
            "COPY index_sentences (version, sid, chunk_pos, text, embed_key, embedding) FROM STDIN"
        ) as copy:
            for sid, chunk_pos, text, key in sentences:
                embedding = vector_literal(sentence_vectors[sid])
                copy.write_row((version, sid, chunk_pos, text, key, embedding))
    fields = list(Deadline.__dataclass_fields__)
    _copy_register(conn, version, "deadline", _rows(meta, "deadlines", fields, path))
    fields = list(Obligation.__dataclass_fields__)
    _copy_register(conn, version, "obligation", _rows(meta, "obligations", fields, path))


def _sentences(meta: sqlite3.Connection, positions: list[int]) -> list[tuple]:
    """(sid, chunk_pos, text, embed_key) of the sentences of these chunks."""
    if not positions:
        return []
    marks = ",".join("?" * len(positions))
    query = f"SELECT sid, chunk_pos, text, embed_key FROM sentences WHERE chunk_pos IN ({marks})"
    return meta.execute(query, positions).fetchall()


def _rows(
    meta: sqlite3.Connection, table: str, cols: list[str], doc_path: str | None = None
) -> list[tuple]:
    """(rowid, [values]) of a register table, optionally of one document; [] when absent."""
    where_doc = " WHERE doc_path = ?" if doc_path is not None else ""
    try:
        rows = meta.execute(
            f"SELECT rowid, {', '.join(cols)} FROM {table}{where_doc} ORDER BY rowid",
            (doc_path,) if doc_path is not None else (),
        ).fetchall()
    except sqlite3.OperationalError:  # a version written before the register existed
        return []
    return [(r[0], list(r[1:])) for r in rows]


def _copy_register(conn: psycopg.Connection, version: int, kind: str, rows: list[tuple]) -> None:
    with (
        conn.cursor() as cur,
        cur.copy("COPY index_register (version, kind, seq, item) FROM STDIN") as copy,
    ):
        for seq, item in rows:
            copy.write_row((version, kind, seq, json.dumps(item, ensure_ascii=False)))


def _drop_incomplete(pool: ConnectionPool) -> None:
    """Remove copies left by an ingest that was killed before publishing."""
    with pool.connection() as conn:
        rows = conn.execute("SELECT id FROM index_versions WHERE NOT complete").fetchall()
    for (version,) in rows:
        log.warning("removing index version %s left unpublished by an interrupted ingest", version)
        _drop(pool, int(version))


def _prune(pool: ConnectionPool, keep: int) -> None:
    """Drop complete versions older than the last KEEP_VERSIONS (never the published one)."""
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT id FROM index_versions WHERE complete AND id <> %s ORDER BY id DESC OFFSET %s",
            (keep, KEEP_VERSIONS - 1),
        ).fetchall()
    for (version,) in rows:
        _drop(pool, int(version))


def _drop(pool: ConnectionPool, version: int) -> None:
    store = PgVectorStore.existing(pool, store_name(version), 1)
    with pool.connection() as conn, conn.transaction():
        conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(store._index)))
        conn.execute("DELETE FROM stores WHERE name = %s", (store_name(version),))
        conn.execute("DELETE FROM index_versions WHERE id = %s", (version,))


def main(argv: list[str] | None = None) -> int:
    """`python -m ingest.pgpublish`: copy the local published version to PostgreSQL."""
    from config import logs
    from config.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m ingest.pgpublish", description=__doc__)
    parser.add_argument("--index", type=Path, help="index folder (default: INDEX_DIR)")
    parser.add_argument("--dsn", help="PostgreSQL URL (default: DATABASE_URL)")
    args = parser.parse_args(argv)
    settings = Settings()
    logs.configure(settings.log_level)
    dsn = args.dsn or (settings.database_url.get_secret_value() if settings.database_url else "")
    if not dsn:
        print("error: give --dsn or set DATABASE_URL", file=sys.stderr)
        return 2
    try:
        result = publish_to_postgres(args.index or settings.index_dir, dsn)
    except SamverkanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(describe(result, where(dsn)))
    return 0


def describe(result: PgPublishResult, place: str) -> str:
    """One line for the command line."""
    if not result.copied:
        return f"PostgreSQL at {place} already serves {result.source} (version {result.version})"
    return (
        f"copied {result.source} ({result.documents} documents) to PostgreSQL at {place}; "
        f"published as version {result.version}"
    )


if __name__ == "__main__":
    sys.exit(main())
