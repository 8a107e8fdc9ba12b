"""PostgreSQL's Swedish full text as a lexical index, measured against the core's BM25 by
scripts/bench_pg.py (the product uses BM25 in both stores: it finds more, see docs/postgres.md).
Kept here, with its test, so that the comparison can be repeated."""

from __future__ import annotations

from collections.abc import Sequence

from psycopg_pool import ConnectionPool

from retrieval.pgstore import lock_store, register_store, row_count


class PgLexicalIndex:
    """Passages in the `passages` table, searched with PostgreSQL's Swedish full text.

    A query matches passages holding any of its Swedish stems (stop words dropped); hits are
    ranked by ts_rank (no length normalisation: measured best on tests/eval/qa.jsonl).
    """

    SEARCH = """
        WITH q AS (
            SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS query
            FROM unnest(to_tsvector('swedish', %(text)s)) AS t(lexeme, positions, weights)
        )
        SELECT position, ts_rank(tsv, q.query) AS score FROM passages, q
        WHERE store = %(store)s AND tsv @@ q.query
        ORDER BY score DESC, position LIMIT %(k)s
    """

    def __init__(self, pool: ConnectionPool, name: str) -> None:
        self.pool = pool
        self.name = name
        with pool.connection() as conn:
            register_store(conn, name, None)

    @property
    def size(self) -> int:
        """Number of indexed passages."""
        with self.pool.connection() as conn:
            return row_count(conn, "passages", self.name)

    def add(self, texts: Sequence[str]) -> None:
        """Append passages in one transaction; they get positions size..size+n-1."""
        if not texts:
            return
        with self.pool.connection() as conn, conn.transaction():
            lock_store(conn, self.name)
            start = row_count(conn, "passages", self.name)
            copy_sql = "COPY passages (store, position, text) FROM STDIN"
            with conn.cursor() as cur, cur.copy(copy_sql) as copy:
                for offset, text in enumerate(texts):
                    copy.write_row((self.name, start + offset, text))

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Best k (position, score) pairs with score > 0, best first; [] for stop words only."""
        if k <= 0:
            return []
        params = {"text": query, "store": self.name, "k": k}
        with self.pool.connection() as conn:
            rows = conn.execute(self.SEARCH, params).fetchall()
        return [(int(p), float(s)) for p, s in rows if s > 0]
