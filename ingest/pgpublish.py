"""Copy the published local index version into PostgreSQL, so every bot replica answers from it.

`python -m ingest` builds and publishes a local version as always; with DATABASE_URL set it then
calls `publish_to_postgres`, which makes a new database version from it: documents that are the
same as in the version published there before (same row, same chunk and sentence keys) are
copied inside the database from that version, in one transaction; only added and changed
documents are sent, each (its row, chunks, chunk vectors, sentences with vectors) in one
transaction; deleted ones are simply not in the new version. Then the register, the lexical
index files and the HNSW index, and finally the version is named in `index_current` in one last
transaction. Replicas read only the version `index_current` names,
so they never see half a document or half a version, and an ingest killed at any point leaves
the previous version in use (its partial copy is removed by the next run).

`python -m ingest.pgpublish [--index DIR] [--dsn URL]` does the copy alone.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from retrieval.errors import IndexLockedError, IndexMissingError, SamverkanError
from retrieval.index import LocalSnapshot, current_version
from retrieval.pgindex import LEXICAL_FILES, store_name
from retrieval.pgschema import where
from retrieval.pgstore import PgVectorStore, open_pool, vector_literal
from retrieval.schema import CHUNKS, DOCUMENTS, REGISTER_KINDS, SENTENCES
from retrieval.snapshot import VectorRows

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
    sent: int = 0  # documents sent to the database (added or changed)
    kept: int = 0  # unchanged documents copied inside the database from the previous version


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
            snapshot = LocalSnapshot(folder)
            try:
                version, kept = _copy(pool, snapshot, current[0] if current else None)
            finally:
                snapshot.close()
            _prune(pool, keep=version)
            n = len(snapshot.documents)
            return PgPublishResult(version, folder.name, n, True, sent=n - kept, kept=kept)
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


def _copy(pool: ConnectionPool, snapshot: LocalSnapshot, previous: int | None) -> tuple[int, int]:
    """Make the new version: keep unchanged documents, send the others, publish it last.
    Returns (version id, documents kept from `previous`)."""
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
    layout = {path: _local_layout(snapshot, path) for path in sorted(snapshot.documents)}
    same = _unchanged(pool, snapshot, layout, previous) if previous is not None else {}
    if same:
        assert previous is not None
        with pool.connection() as conn, conn.transaction():
            changed = {p: str(layout[p].row[_CHANGED]) for p in same}
            _keep_documents(conn, previous, version, same, changed)
    vectors, sentence_vectors = snapshot.vectors(), snapshot.sentence_vectors()
    for path in sorted(set(layout) - set(same)):
        with pool.connection() as conn, conn.transaction():
            _send_document(conn, version, snapshot, path, vectors, sentence_vectors)
    with pool.connection() as conn, conn.transaction():
        for kind, table in REGISTER_KINDS.items():
            _copy_register(conn, version, kind, snapshot.register_rows(table.name))
        for name in LEXICAL_FILES:
            conn.execute(
                "INSERT INTO index_files (version, name, data) VALUES (%s, %s, %s)",
                (version, name, (snapshot.folder / name).read_bytes()),
            )
    PgVectorStore.existing(pool, store_name(version), snapshot.manifest.dim).build_index()
    with pool.connection() as conn, conn.transaction():
        conn.execute("UPDATE index_versions SET complete = true WHERE id = %s", (version,))
        conn.execute(
            "INSERT INTO index_current (version) VALUES (%s) ON CONFLICT (singleton) "
            "DO UPDATE SET version = excluded.version, published_at = now()",
            (version,),
        )
    log.info(
        "published %s to PostgreSQL as version %s (%d documents sent, %d kept)",
        snapshot.version, version, len(layout) - len(same), len(same),
    )  # fmt: skip
    return version, len(same)


@dataclass(frozen=True)
class _Layout:
    """Where a document's rows sit in one version and what they hold: its row, its first chunk
    position and sentence id, and the embedding keys of its chunks and sentences in order."""

    row: tuple
    first_pos: int
    first_sid: int
    chunk_keys: tuple[str, ...]
    sentence_keys: tuple[str, ...]
    consecutive: bool  # positions and sentence ids follow each other without gaps


def _local_layout(snapshot: LocalSnapshot, path: str) -> _Layout:
    chunks = snapshot.chunks_of(path)
    positions = [pos for pos, _, _ in chunks]
    sentences = snapshot.sentence_rows(positions)
    sids = [sid for sid, _, _, _ in sentences]
    return _Layout(
        row=tuple(asdict(snapshot.documents[path]).values()),
        first_pos=positions[0] if positions else 0,
        first_sid=sids[0] if sids else 0,
        chunk_keys=tuple(key for _, _, key in chunks),
        sentence_keys=tuple(key for _, _, _, key in sentences),
        consecutive=_consecutive(positions) and _consecutive(sids),
    )


def _consecutive(numbers: list[int]) -> bool:
    return numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else True


def _unchanged(
    pool: ConnectionPool, snapshot: LocalSnapshot, layout: dict[str, _Layout], previous: int
) -> dict[str, tuple[int, int]]:
    """Documents of `previous` the new version holds unchanged, with the shift of their chunk
    positions and sentence ids: {path: (position shift, sentence id shift)}. Nothing is kept
    when the version was built by another model or reader (every vector or chunk may differ)."""
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT manifest FROM index_versions WHERE id = %s", (previous,)
        ).fetchone()
        old_manifest = row[0] if row else {}
        if any(old_manifest.get(k) != v for k, v in asdict(snapshot.manifest).items()
               if k in ("model", "dim", "reader", "format")):  # fmt: skip
            return {}
        docs = {
            r[0]: tuple(r)
            for r in conn.execute(
                f"SELECT {DOCUMENTS.select()} FROM {DOCUMENTS.pg_name} WHERE version = %s",
                (previous,),
            )
        }
        chunk_rows = conn.execute(
            f"SELECT doc_path, array_agg(pos ORDER BY pos), array_agg(embed_key ORDER BY pos) "
            f"FROM {CHUNKS.pg_name} WHERE version = %s GROUP BY doc_path",
            (previous,),
        ).fetchall()
        sentence_rows = conn.execute(
            f"SELECT c.doc_path, array_agg(s.sid ORDER BY s.sid), "
            f"array_agg(s.embed_key ORDER BY s.sid) FROM {SENTENCES.pg_name} s "
            f"JOIN {CHUNKS.pg_name} c ON c.version = s.version AND c.pos = s.chunk_pos "
            "WHERE s.version = %s GROUP BY c.doc_path",
            (previous,),
        ).fetchall()
    old_chunks = {r[0]: (list(r[1]), tuple(r[2])) for r in chunk_rows}
    old_sentences = {r[0]: (list(r[1]), tuple(r[2])) for r in sentence_rows}
    same: dict[str, tuple[int, int]] = {}
    for path, new in layout.items():
        positions, chunk_keys = old_chunks.get(path, ([], ()))
        sids, sentence_keys = old_sentences.get(path, ([], ()))
        if (
            new.consecutive
            and positions
            and _content(docs.get(path)) == _content(new.row)
            and chunk_keys == new.chunk_keys
            and sentence_keys == new.sentence_keys
            and _consecutive(positions)
            and _consecutive(sids)
        ):
            sid_shift = new.first_sid - sids[0] if sids else 0
            same[path] = (new.first_pos - positions[0], sid_shift)
    return same


_CHANGED = DOCUMENTS.names.index("changed")


def _content(row: tuple[object, ...] | None) -> tuple[object, ...] | None:
    """A document row without `changed`: an index rebuilt from the same files has the same
    documents, read at another time."""
    return None if row is None else row[:_CHANGED] + row[_CHANGED + 1 :]


def _keep_documents(
    conn: psycopg.Connection,
    old: int,
    new: int,
    same: dict[str, tuple[int, int]],
    changed: dict[str, str],
) -> None:
    """Copy unchanged documents' rows and vectors from version `old` to `new` inside the
    database, shifting their chunk positions and sentence ids to where the new version has them;
    a row's `changed` is the new local version's (`changed` by path), as the snapshots agree."""
    paths = list(same)
    shifts = [same[p][0] for p in paths]
    sid_shifts = [same[p][1] for p in paths]
    moved = (
        "(SELECT unnest(%(paths)s::text[]) AS path, unnest(%(shifts)s::int[]) AS shift, "
        "unnest(%(sid_shifts)s::int[]) AS sid_shift, unnest(%(changed)s::text[]) AS changed) m"
    )
    args = {
        "old": old, "new": new, "paths": paths, "shifts": shifts, "sid_shifts": sid_shifts,
        "changed": [changed[p] for p in paths],
        "old_store": store_name(old), "new_store": store_name(new),
    }  # fmt: skip
    doc_cols = DOCUMENTS.select()
    doc_values = ", ".join("m.changed" if n == "changed" else f"d.{n}" for n in DOCUMENTS.names)
    conn.execute(
        f"INSERT INTO {DOCUMENTS.pg_name} (version, {doc_cols}) "
        f"SELECT %(new)s, {doc_values} "
        f"FROM {DOCUMENTS.pg_name} d JOIN {moved} ON m.path = d.path WHERE d.version = %(old)s",
        args,
    )
    chunk_cols = [("c.pos + m.shift" if n == "pos" else f"c.{n}") for n in CHUNKS.names]
    conn.execute(
        f"INSERT INTO {CHUNKS.pg_name} (version, {CHUNKS.select()}) "
        f"SELECT %(new)s, {', '.join(chunk_cols)} FROM {CHUNKS.pg_name} c "
        f"JOIN {moved} ON m.path = c.doc_path WHERE c.version = %(old)s",
        args,
    )
    conn.execute(
        "INSERT INTO vectors (store, position, embedding) "
        "SELECT %(new_store)s, v.position + m.shift, v.embedding FROM vectors v "
        f"JOIN {CHUNKS.pg_name} c ON c.version = %(old)s AND c.pos = v.position "
        f"JOIN {moved} ON m.path = c.doc_path WHERE v.store = %(old_store)s",
        args,
    )
    sentence_cols = [
        {"sid": "s.sid + m.sid_shift", "chunk_pos": "s.chunk_pos + m.shift"}.get(n, f"s.{n}")
        for n in SENTENCES.names
    ]
    conn.execute(
        f"INSERT INTO {SENTENCES.pg_name} (version, {SENTENCES.select()}, embedding) "
        f"SELECT %(new)s, {', '.join(sentence_cols)}, s.embedding FROM {SENTENCES.pg_name} s "
        f"JOIN {CHUNKS.pg_name} c ON c.version = s.version AND c.pos = s.chunk_pos "
        f"JOIN {moved} ON m.path = c.doc_path WHERE s.version = %(old)s",
        args,
    )


def _send_document(
    conn: psycopg.Connection,
    version: int,
    snapshot: LocalSnapshot,
    path: str,
    vectors: VectorRows,
    sentence_vectors: VectorRows,
) -> None:
    """Send one document's row, chunks, chunk vectors and sentences with their vectors."""
    doc = asdict(snapshot.documents[path])
    conn.execute(
        f"INSERT INTO {DOCUMENTS.pg_name} (version, {DOCUMENTS.select()}) "
        f"VALUES (%s, {', '.join(['%s'] * len(DOCUMENTS.names))})",
        (version, *(doc[n] for n in DOCUMENTS.names)),
    )
    chunks = snapshot.chunks_of(path)
    positions = [pos for pos, _, _ in chunks]
    with conn.cursor() as cur:
        with cur.copy(f"COPY {CHUNKS.pg_name} (version, {CHUNKS.select()}) FROM STDIN") as copy:
            for pos, c, key in chunks:
                values = {"pos": pos, "chunk_id": c.chunk_id, "embed_key": key, **asdict(c)}
                copy.write_row((version, *(values[n] for n in CHUNKS.names)))
        with cur.copy("COPY vectors (store, position, embedding) FROM STDIN") as copy:
            for pos in positions:
                copy.write_row((store_name(version), pos, vector_literal(vectors[pos])))
        with cur.copy(
            f"COPY {SENTENCES.pg_name} (version, {SENTENCES.select()}, embedding) FROM STDIN"
        ) as copy:
            for sid, chunk_pos, text, key in snapshot.sentence_rows(positions):
                values = {"sid": sid, "chunk_pos": chunk_pos, "text": text, "embed_key": key}
                embedding = vector_literal(sentence_vectors[sid])
                copy.write_row((version, *(values[n] for n in SENTENCES.names), embedding))


def _copy_register(
    conn: psycopg.Connection, version: int, kind: str, rows: list[tuple[int, list]]
) -> None:
    """The register's items of one kind, in the local order (its ids as `seq`)."""
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
