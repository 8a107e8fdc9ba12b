"""The VectorStore contract, run against PgVectorStore on a real PostgreSQL with pgvector."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from psycopg import sql

from retrieval.errors import DatabaseError
from retrieval.pgstore import BULK_ROWS, PgVectorStore, open_pool
from tests.retrieval import test_vectorstore as contract
from tests.retrieval.test_vectorstore import _unit


@pytest.fixture
def store(pg_pool, store_name: str) -> PgVectorStore:
    """A fresh, empty PostgreSQL store of width 16."""
    return PgVectorStore(pg_pool, store_name, 16)


class TestPgVectorStoreContract(contract.TestVectorStoreContract):
    # The contract types `store` as FaissStore; here it is the other VectorStore, hence the ignore.
    def test_save_and_load_round_trip(  # type: ignore[override]
        self, store: PgVectorStore, tmp_path: Path, pg_dsn: str
    ) -> None:
        """What one pool stored, a new pool (another replica) finds: PostgreSQL's save and load."""
        vecs = _unit(50, 16, 4)
        store.add(vecs)
        other = open_pool(pg_dsn)
        try:
            reopened = PgVectorStore(other, store.name, 16)
            assert reopened.size == 50
            assert reopened.search(vecs[7], 1)[0][0] == 7
        finally:
            other.close()


def test_search_uses_the_hnsw_index(store: PgVectorStore) -> None:
    """The search query can be answered by the store's partial HNSW index (ordered scan)."""
    store.add(_unit(20, 16, 6))
    query = sql.SQL("EXPLAIN ") + store.search_sql()
    with store.pool.connection() as conn, conn.transaction():
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):  # 20 rows: make
            conn.execute(f"SET LOCAL {setting} = off")  # the planner show the ordered index scan
        plan = conn.execute(query, {"q": "[" + ",".join(["0.25"] * 16) + "]", "k": 3}).fetchall()
    text = "\n".join(r[0] for r in plan)
    assert "vectors_hnsw_" in text, text


def test_search_matches_exact_inner_product(store: PgVectorStore) -> None:
    """Top-10 from PostgreSQL equals brute-force numpy top-10 on 500 vectors (recall 1.0)."""
    vecs = _unit(500, 16, 7)
    store.add(vecs)
    query = _unit(1, 16, 8)[0]
    expected = list(np.argsort(-(vecs @ query))[:10])
    hits = store.search(query, 10)
    assert [p for p, _ in hits] == expected
    assert hits[0][1] == pytest.approx(float(vecs[expected[0]] @ query), abs=1e-5)


def test_other_width_for_same_store_is_refused(store: PgVectorStore) -> None:
    """Opening an existing store with another width is a DatabaseError naming both widths."""
    with pytest.raises(DatabaseError, match="width 16, not 8"):
        PgVectorStore(store.pool, store.name, 8)


def test_stores_do_not_see_each_other(pg_pool, store: PgVectorStore) -> None:
    """Two stores in one database keep their own positions and hits."""
    other = PgVectorStore(pg_pool, store.name + "-b", 16)
    store.add(_unit(3, 16, 9))
    other.add(_unit(5, 16, 10))
    assert (store.size, other.size) == (3, 5)
    assert sorted(p for p, _ in store.search(_unit(1, 16, 11)[0], 10)) == [0, 1, 2]


def test_bulk_add_rebuilds_the_index(store: PgVectorStore) -> None:
    """A bulk add (>= BULK_ROWS) after a small one keeps positions, hits and the HNSW index."""
    vecs = _unit(BULK_ROWS + 100, 16, 12)
    store.add(vecs[:100])
    store.add(vecs[100:])
    assert store.size == len(vecs)
    assert store.search(vecs[BULK_ROWS + 50], 1)[0][0] == BULK_ROWS + 50
    with store.pool.connection() as conn:
        found = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", (store._index,)
        ).fetchone()
    assert found and "hnsw" in found[0] and store.name in found[0]
