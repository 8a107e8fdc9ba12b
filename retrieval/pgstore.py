"""Dense (pgvector HNSW) and lexical (Swedish full text) search in PostgreSQL, for replicas.

Both live in named stores of the schema in retrieval.pgschema; a store's rows are addressed by
position 0..size-1 like the local FaissStore and LexicalIndex, so the hybrid search can use either.
"""

from __future__ import annotations

import hashlib
import re
import threading

import numpy as np
import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from retrieval.errors import DatabaseError
from retrieval.pgschema import CONNECT_TIMEOUT, check_schema, connect, where

EF_SEARCH = 96  # candidates per HNSW search, as FaissStore.EF_SEARCH
HNSW_M = 32  # as FaissStore.HNSW_M
EF_CONSTRUCTION = 80  # as FaissStore.EF_CONSTRUCTION
BULK_ROWS = 1000  # from this many vectors in one add, rebuild the HNSW index after the copy
_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,100}")


def open_pool(dsn: str, max_size: int = 4) -> ConnectionPool:
    """A connection pool to a reachable database whose schema matches this code.

    Raises DatabaseError naming host:port when the server cannot be reached, or when the schema
    is older or newer than this code (run `python -m retrieval.pgschema`).
    """
    with connect(dsn) as conn:
        check_schema(conn, where(dsn))
    pool = ConnectionPool(
        dsn,
        min_size=1,
        max_size=max_size,
        kwargs={"connect_timeout": CONNECT_TIMEOUT},
        configure=_configure,
        open=False,
    )
    try:
        pool.open(wait=True, timeout=CONNECT_TIMEOUT)
    except Exception as exc:  # PoolTimeout or OperationalError: the server went away meanwhile
        pool.close()
        raise DatabaseError(f"cannot open a connection pool to PostgreSQL at {where(dsn)}") from exc
    return pool


_pools: dict[str, ConnectionPool] = {}
_pools_lock = threading.Lock()


def shared_pool(dsn: str) -> ConnectionPool:
    """The process's one pool for `dsn`, opened on first use (DatabaseError as open_pool)."""
    with _pools_lock:
        pool = _pools.get(dsn)
        if pool is None:
            pool = _pools[dsn] = open_pool(dsn)
        return pool


def close_shared_pools() -> None:
    """Close every pool `shared_pool` opened (at shutdown and between tests)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()


def _configure(conn: psycopg.Connection) -> None:
    conn.execute(sql.SQL("SET hnsw.ef_search = {}").format(sql.Literal(EF_SEARCH)))
    conn.commit()


def register_store(conn: psycopg.Connection, name: str, dim: int | None) -> int | None:
    """Create the store row if missing (locked until commit); return its recorded width."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"store name {name!r} must be 1-100 of A-Z a-z 0-9 _ . : -")
    row = conn.execute(
        "INSERT INTO stores (name, dim) VALUES (%s, %s) ON CONFLICT (name) DO UPDATE "
        "SET dim = coalesce(stores.dim, excluded.dim) RETURNING dim",
        (name, dim),
    ).fetchone()
    return row[0] if row else None


def vector_literal(row: np.ndarray) -> str:
    """pgvector's text form of one vector (repr of each float32: exact round trip)."""
    return "[" + ",".join(map(repr, row.tolist())) + "]"


def row_count(conn: psycopg.Connection, table: str, name: str) -> int:
    query = sql.SQL("SELECT count(*) FROM {} WHERE store = %s").format(sql.Identifier(table))
    row = conn.execute(query, (name,)).fetchone()
    return int(row[0]) if row else 0


def lock_store(conn: psycopg.Connection, name: str) -> None:
    """Serialise appends to one store so positions stay 0..size-1 across replicas."""
    conn.execute("SELECT 1 FROM stores WHERE name = %s FOR UPDATE", (name,))


class PgVectorStore:
    """A VectorStore in the `vectors` table: unit vectors, cosine as inner product, HNSW index.

    Each store has its own partial HNSW index (vector_ip_ops) on embedding::vector(dim), so
    stores of different widths share one table. Search is approximate like FaissStore's HNSW.
    """

    def __init__(self, pool: ConnectionPool, name: str, dim: int) -> None:
        self.pool = pool
        self.name = name
        self.dim = dim
        self._cast = sql.SQL("vector({})").format(sql.Literal(dim))
        self._index = "vectors_hnsw_" + hashlib.sha256(name.encode()).hexdigest()[:16]
        with pool.connection() as conn:
            have = register_store(conn, name, dim)
            if have != dim:
                raise DatabaseError(f"store {name!r} holds vectors of width {have}, not {dim}")
            conn.execute(self._create_index_sql())

    @classmethod
    def existing(cls, pool: ConnectionPool, name: str, dim: int) -> PgVectorStore:
        """A store that ingestion created, for searching only: no writes, so it also works on
        a read-only standby (DATABASE_READ_URL)."""
        store = cls.__new__(cls)
        store.pool, store.name, store.dim = pool, name, dim
        store._cast = sql.SQL("vector({})").format(sql.Literal(dim))
        store._index = "vectors_hnsw_" + hashlib.sha256(name.encode()).hexdigest()[:16]
        return store

    def build_index(self) -> None:
        """Build the store's HNSW index after rows were copied in without it (bulk load)."""
        with self.pool.connection() as conn, conn.transaction():
            self._build_index(conn)

    def _build_index(self, conn: psycopg.Connection) -> None:
        # pgvector builds much faster while the graph fits; 100k x 384 does not fit in 64 MB
        conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
        conn.execute(self._create_index_sql())

    def _create_index_sql(self) -> sql.Composed:
        return sql.SQL(
            "CREATE INDEX IF NOT EXISTS {} ON vectors USING hnsw ((embedding::{}) "
            "vector_ip_ops) WITH (m = {}, ef_construction = {}) WHERE store = {}"
        ).format(
            sql.Identifier(self._index),
            self._cast,
            sql.Literal(HNSW_M),
            sql.Literal(EF_CONSTRUCTION),
            sql.Literal(self.name),
        )

    @property
    def size(self) -> int:
        """Number of stored vectors."""
        with self.pool.connection() as conn:
            return row_count(conn, "vectors", self.name)

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors (n, dim) in one transaction; they get positions size..size+n-1.

        From BULK_ROWS vectors on, the store's HNSW index is dropped and built again after the
        copy (10k x 384: 7 s instead of 58 s of row-by-row inserts into the graph); searches
        of every store wait for that transaction. Raises ValueError naming the shape when the
        width is not `dim`.
        """
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"expected vectors of shape (n, {self.dim}), got {vectors.shape}")
        if not len(vectors):
            return
        rows = np.asarray(vectors, dtype=np.float32)
        bulk = len(rows) >= BULK_ROWS
        with self.pool.connection() as conn, conn.transaction():
            lock_store(conn, self.name)
            start = row_count(conn, "vectors", self.name)
            if bulk:
                conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(self._index)))
            copy_sql = "COPY vectors (store, position, embedding) FROM STDIN"
            with conn.cursor() as cur, cur.copy(copy_sql) as copy:
                for offset, row in enumerate(rows):
                    copy.write_row((self.name, start + offset, vector_literal(row)))
            if bulk:
                self._build_index(conn)

    def search_sql(self, filtered: bool = False) -> sql.Composed:
        """The search query; parameters %(q)s (vector text), %(k)s and, `filtered`, %(allowed)s
        (the positions that may be found)."""
        distance = sql.SQL("embedding::{cast} <#> %(q)s::{cast}").format(cast=self._cast)
        only = sql.SQL(" AND position = ANY(%(allowed)s)" if filtered else "")
        return sql.SQL(
            "SELECT position, -({d}) FROM vectors WHERE store = {name}{only} ORDER BY {d} "
            "LIMIT %(k)s"
        ).format(d=distance, name=sql.Literal(self.name), only=only)  # literal: partial index

    def search(
        self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Up to k (position, cosine) pairs for a (dim,) query, best first; [] when empty.

        With `allowed`, the positions outside it are filtered inside the query, and pgvector's
        iterative index scan goes on through the graph until k allowed rows are found (plain
        HNSW would stop after ef_search rows, most of them filtered away). Should the scan
        still stop short, the allowed rows are compared one by one.
        """
        if k <= 0:
            return []
        q = vector_literal(np.asarray(vector, dtype=np.float32).reshape(-1))
        if allowed is None:
            with self.pool.connection() as conn:
                if k > EF_SEARCH:  # HNSW returns at most ef_search rows
                    conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", (str(k),))
                rows = conn.execute(self.search_sql(), {"q": q, "k": k}).fetchall()
            return [(int(p), float(s)) for p, s in rows]
        positions = [int(p) for p in allowed]
        k = min(k, len(positions))
        if k == 0:
            return []
        args = {"q": q, "k": k, "allowed": positions}
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("SET LOCAL hnsw.iterative_scan = strict_order")
            conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", (str(max(k, EF_SEARCH)),))
            rows = conn.execute(self.search_sql(filtered=True), args).fetchall()
            if len(rows) < k:
                conn.execute("SET LOCAL enable_indexscan = off")
                rows = conn.execute(self.search_sql(filtered=True), args).fetchall()
        return [(int(p), float(s)) for p, s in rows]
