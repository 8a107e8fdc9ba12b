"""A read replica made with `pg_basebackup -R -X stream` answers questions (DATABASE_READ_URL)
while the primary (DATABASE_URL) takes an ingest, and then answers from the new version."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr

from bot.answer import Answerer
from config.settings import Settings
from ingest.pgpublish import publish_to_postgres
from retrieval.embedder import HashEmbedder
from retrieval.pgindex import PgSnapshot, current_version_id
from retrieval.pgschema import migrate
from retrieval.pgstore import close_shared_pools, shared_pool
from tests.conftest import CORPUS
from tests.register.conftest import build_index


@pytest.fixture
def standby(empty_database: str) -> Iterator[str]:
    """DSN of a streaming hot standby of the session's server, for `empty_database`."""
    from tests.pg.server import standby_server

    migrate(empty_database)
    with standby_server(empty_database) as dsn:
        yield dsn
    close_shared_pools()


def _pg(answerer: Answerer) -> PgSnapshot:
    """The PostgreSQL version the answerer uses now."""
    snapshot = answerer.snapshot
    assert isinstance(snapshot, PgSnapshot)
    return snapshot


def test_read_replica_answers_during_an_ingest_then_from_the_new_version(
    empty_database: str, standby: str, tmp_path: Path
) -> None:
    """Questions to the standby all succeed while the primary copies a new version; once
    replicated, the standby's answerer switches to it."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(CORPUS, corpus)
    build_index(corpus, index)
    first = publish_to_postgres(index, empty_database).version
    settings = Settings(  # type: ignore[call-arg]  # _env_file: pydantic-settings keyword
        _env_file=None,
        index_dir=tmp_path / "no-index",
        database_url=SecretStr("postgresql://nobody@127.0.0.1:1/unused"),
        database_read_url=SecretStr(standby),
        embedding={"model": "hash"},
    )
    reads = shared_pool(standby)
    _wait_for(lambda: current_version_id(reads) == first)
    answerer = Answerer(settings, HashEmbedder())
    with psycopg.connect(standby) as conn:
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)

    answered: list[str] = []
    errors: list[str] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                answered.append(answerer.answer("När ska kommunen ha svarat KSL?").text)
            except Exception as exc:  # any failure of a read during the ingest fails the test
                errors.append(repr(exc))

    asker = threading.Thread(target=ask)
    asker.start()
    try:
        (corpus / "extra.md").write_text("# Tillägg\n\nKommunen ska rapportera.\n", "utf-8")
        build_index(corpus, index)
        before = len(answered)
        second = publish_to_postgres(index, empty_database).version
        during = len(answered) - before
        _wait_for(lambda: current_version_id(reads) == second)
    finally:
        stop.set()
        asker.join(timeout=30)
    assert errors == [] and during > 0 and all(answered)
    assert _pg(answerer).version_id == second
    assert "extra.md" in _pg(answerer).documents


def _wait_for(probe, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise AssertionError("the standby did not catch up with the primary")
        time.sleep(0.05)
