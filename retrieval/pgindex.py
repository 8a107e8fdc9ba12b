"""Read a published index version from PostgreSQL: the `Snapshot` of bot replicas.

`ingest.pgpublish` copies a local index version into the tables of migration 3 (and the columns
added since) and names it in `index_current`; `PgSnapshot` implements the `Snapshot` interface
as the local one does, from those tables: dense search with pgvector (HNSW), lexical search
with the core's BM25 index (its files stored with the version: it finds more than PostgreSQL's
Swedish full text, see docs/postgres.md), chunks, sentences and their vectors, and the register.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from psycopg_pool import ConnectionPool

from retrieval.errors import IndexMissingError
from retrieval.lexical import LexicalIndex
from retrieval.pgstore import PgVectorStore
from retrieval.register import Deadline, Obligation
from retrieval.schema import CHUNK_FIELDS, CHUNKS, DOCUMENTS, SENTENCES, chunk_from_row
from retrieval.snapshot import Manifest, SnapshotSource, check_model, passage_text
from retrieval.types import Chunk, DocumentMeta
from retrieval.vectorstore import VectorStore

_CHUNK_COLS = CHUNKS.select(only=CHUNK_FIELDS)

LEXICAL_FILES = ("lexical.npz", "lexical.json")
CACHE_ROWS = 50_000  # vectors kept per snapshot before the cache starts over


def store_name(version: int) -> str:
    """The PgVectorStore holding the chunk vectors of a version."""
    return f"index.{version}"


def parse_vector(text: str) -> np.ndarray:
    """pgvector's text form "[0.1,0.2]" as float32 (exact: both sides round-trip float32)."""
    return np.array(text[1:-1].split(","), dtype=np.float32)


def current_version_id(pool: ConnectionPool) -> int | None:
    """Id of the published version, or None when nothing was published to the database."""
    with pool.connection() as conn:
        row = conn.execute("SELECT version FROM index_current").fetchone()
    return int(row[0]) if row else None


def open_pg_current(pool: ConnectionPool) -> PgSnapshot:
    """The published version; IndexMissingError tells the user to run ingestion."""
    version = current_version_id(pool)
    if version is None:
        raise IndexMissingError(
            "no index in PostgreSQL (DATABASE_URL); run `python -m ingest` with DATABASE_URL set"
        )
    return PgSnapshot(pool, version)


class _VectorRows:
    """`rows[i]` fetched from the database on first use and kept, as the bot reads vectors."""

    def __init__(self, fetch: Callable[[list[int]], dict[int, np.ndarray]]) -> None:
        self._fetch = fetch
        self._rows: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()

    def keep(self, rows: dict[int, np.ndarray]) -> None:
        """Remember rows fetched along with other data."""
        with self._lock:
            if len(self._rows) + len(rows) > CACHE_ROWS:
                self._rows.clear()
            self._rows.update(rows)

    def __getitem__(self, i: int) -> np.ndarray:
        with self._lock:
            row = self._rows.get(int(i))
        if row is None:
            fetched = self._fetch([int(i)])
            if int(i) not in fetched:
                raise IndexError(f"no vector at row {i}")
            self.keep(fetched)
            row = fetched[int(i)]
        return row


def pg_source(pool: ConnectionPool) -> SnapshotSource:
    """The versions published in PostgreSQL (token: the version's id)."""
    return SnapshotSource(lambda: current_version_id(pool), lambda: open_pg_current(pool))


class PgSnapshot:
    """One published version in PostgreSQL, loaded for searching (the `Snapshot` interface);
    thread-safe like the local one.

    Documents, the manifest and the lexical index are loaded at open; chunks, sentences and
    vectors are read per question. Nothing is written, so a read-only standby serves it too.
    """

    def __init__(self, pool: ConnectionPool, version: int) -> None:
        self.pool = pool
        self.version_id = version
        self.folder = Path(f"postgresql-index-{version}")  # no folder: a name for messages
        self._lock = threading.Lock()
        self._registers: dict[str, list[list]] = {}
        with pool.connection() as conn:
            row = conn.execute(
                "SELECT manifest, name FROM index_versions WHERE id = %s AND complete",
                (version,),
            ).fetchone()
            if row is None:
                raise IndexMissingError(f"index version {version} is not in PostgreSQL any more")
            self.manifest = Manifest(**row[0])
            self.source = str(row[1])
            docs = conn.execute(
                f"SELECT {DOCUMENTS.select()} FROM {DOCUMENTS.pg_name} WHERE version = %s "
                'ORDER BY path COLLATE "C"',
                (version,),
            ).fetchall()
            files: dict[str, bytes] = dict(
                conn.execute(
                    "SELECT name, data FROM index_files WHERE version = %s", (version,)
                ).fetchall()
            )
        self.documents: dict[str, DocumentMeta] = {d[0]: DocumentMeta(*d) for d in docs}
        self.lexical = _load_lexical(files)
        self.dense: VectorStore = PgVectorStore.existing(
            pool, store_name(version), self.manifest.dim
        )
        self._chunk_vectors = _VectorRows(self._fetch_chunk_vectors)
        self._sentence_rows = _VectorRows(self._fetch_sentence_vectors)

    @property
    def version(self) -> str:
        """ "pg:<id> (<local version it was copied from>)"."""
        return f"pg:{self.version_id} ({self.source})"

    def chunks(self, positions: Iterable[int]) -> dict[int, Chunk]:
        """The chunks at these positions (their vectors are fetched in the same query)."""
        pos = [int(p) for p in positions]
        if not pos:
            return {}
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT c.pos, v.embedding::text, {_CHUNK_COLS} FROM {CHUNKS.pg_name} c "
                "LEFT JOIN vectors v ON v.store = %s AND v.position = c.pos "
                "WHERE c.version = %s AND c.pos = ANY(%s)",
                (store_name(self.version_id), self.version_id, pos),
            ).fetchall()
        self._chunk_vectors.keep({r[0]: parse_vector(r[1]) for r in rows if r[1]})
        return {r[0]: chunk_from_row(r[2:]) for r in rows}

    def chunks_of(self, doc_path: str) -> list[tuple[int, Chunk, str]]:
        """All (position, chunk, embed_key) of one document, in order."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT pos, embed_key, {_CHUNK_COLS} FROM {CHUNKS.pg_name} "
                "WHERE version = %s AND doc_path = %s ORDER BY ordinal",
                (self.version_id, doc_path),
            ).fetchall()
        return [(r[0], chunk_from_row(r[2:]), r[1]) for r in rows]

    def chunk_positions(self, doc_paths: Iterable[str]) -> list[int]:
        """Positions of the chunks of these documents, ascending."""
        paths = list(doc_paths)
        if not paths:
            return []
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT pos FROM {CHUNKS.pg_name} WHERE version = %s AND doc_path = ANY(%s) "
                "ORDER BY pos",
                (self.version_id, paths),
            ).fetchall()
        return [int(r[0]) for r in rows]

    def passage_texts(self) -> list[str]:
        """Every chunk's passage text, in position order."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT {_CHUNK_COLS} FROM {CHUNKS.pg_name} WHERE version = %s ORDER BY pos",
                (self.version_id,),
            ).fetchall()
        return [passage_text(self.documents[r[0]].title, chunk_from_row(r)) for r in rows]

    def sentences(self, positions: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
        """(sentence id, text) of the chunks at these positions, in order (vectors kept)."""
        pos = [int(p) for p in positions]
        out: dict[int, list[tuple[int, str]]] = {p: [] for p in pos}
        if not pos:
            return out
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT chunk_pos, sid, text, embedding::text FROM {SENTENCES.pg_name} "
                "WHERE version = %s AND chunk_pos = ANY(%s) ORDER BY sid",
                (self.version_id, pos),
            ).fetchall()
        self._sentence_rows.keep({r[1]: parse_vector(r[3]) for r in rows})
        for chunk_pos, sid, text, _ in rows:
            out[chunk_pos].append((sid, text))
        return out

    def sentence_vectors(self) -> _VectorRows:
        """Sentence vectors by id (`vectors[sid]`), read from the database as needed."""
        return self._sentence_rows

    def vectors(self) -> _VectorRows:
        """Chunk vectors by position (`vectors[pos]`), read from the database as needed."""
        return self._chunk_vectors

    def deadlines(self) -> list[Deadline]:
        """Deadlines of this version in document order."""
        return [Deadline(*item) for item in self._register("deadline")]

    def obligations(self) -> list[Obligation]:
        """Obligations of this version in document order."""
        return [Obligation(*item) for item in self._register("obligation")]

    def aliases(self) -> dict[str, str]:
        """Full name (lower case) -> abbreviation, learned from this version's text."""
        return {name: abbreviation for name, abbreviation in self._register("alias")}

    def check_model(self, model_name: str) -> None:
        """Raise when the configured embedding model is not the one that built this version."""
        where = f"PostgreSQL (version {self.version_id})"
        check_model(self.manifest, model_name, where, "`python -m ingest` with DATABASE_URL set")

    def close(self) -> None:
        """Nothing to close: the pool belongs to the process."""

    def _register(self, kind: str) -> list[list]:
        """The register's items of one kind, read once: a published version never changes."""
        with self._lock:
            cached = self._registers.get(kind)
        if cached is not None:
            return cached
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT item FROM index_register WHERE version = %s AND kind = %s ORDER BY seq",
                (self.version_id, kind),
            ).fetchall()
        with self._lock:
            self._registers[kind] = [r[0] for r in rows]
            return self._registers[kind]

    def _fetch_chunk_vectors(self, positions: list[int]) -> dict[int, np.ndarray]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT position, embedding::text FROM vectors "
                "WHERE store = %s AND position = ANY(%s)",
                (store_name(self.version_id), positions),
            ).fetchall()
        return {int(p): parse_vector(v) for p, v in rows}

    def _fetch_sentence_vectors(self, sids: list[int]) -> dict[int, np.ndarray]:
        with self.pool.connection() as conn:
            rows = conn.execute(
                f"SELECT sid, embedding::text FROM {SENTENCES.pg_name} "
                "WHERE version = %s AND sid = ANY(%s)",
                (self.version_id, sids),
            ).fetchall()
        return {int(s): parse_vector(v) for s, v in rows}


def _load_lexical(files: dict[str, bytes]) -> LexicalIndex:
    missing = [name for name in LEXICAL_FILES if name not in files]
    if missing:
        raise IndexMissingError(f"the PostgreSQL index lacks {', '.join(missing)}; ingest again")
    with tempfile.TemporaryDirectory(prefix="samverkan-lexical-") as tmp:
        for name in LEXICAL_FILES:
            (Path(tmp) / name).write_bytes(files[name])
        return LexicalIndex.load(Path(tmp))
