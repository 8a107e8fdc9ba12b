"""Shared Slack de-duplication and digest records in PostgreSQL: the local stores' contracts,
replicas (processes, pools, bots) racing for the same event or week, and the fallback."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from psycopg_pool import ConnectionPool
from pydantic import SecretStr

from bot.digest import DigestRecord
from bot.pgdigest import PgDigestStore, digest_store
from bot.slack import start_bot
from bot.slack.app import make_client
from bot.slack.digest import post_digest
from bot.slack.pgdedupe import PgSeenKeys, seen_store
from bot.slack.redact import install_redaction
from config.settings import DigestSettings, Settings, SlackSettings
from ingest.pgpublish import publish_to_postgres
from retrieval.pgstore import close_shared_pools, open_pool
from tests.digest import test_digest_store as digest_contract
from tests.register.conftest import hash_index
from tests.slack import payloads as p
from tests.slack import test_seen_store as seen_contract
from tests.slack.answers import Recorder
from tests.slack.conftest import fake_slack, no_proxy
from tests.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack

__all__ = ["fake_slack", "hash_index", "no_proxy"]  # fixtures used by the tests here


@pytest.fixture(autouse=True)
def _close_pools() -> Iterator[None]:
    """Pools opened through settings (shared_pool) end with each test."""
    yield
    close_shared_pools()


@pytest.fixture
def make_seen(pg_pool: ConnectionPool) -> seen_contract.MakeSeen:
    """A PgSeenKeys on the session's database; keyword `ttl` in seconds."""
    return lambda ttl=3600.0: PgSeenKeys(pg_pool, ttl=ttl)


class TestPgSeenStoreContract(seen_contract.TestSeenStoreContract):
    """The SeenStore contract against PgSeenKeys."""


@pytest.fixture
def make_store(pg_dsn: str) -> Iterator[digest_contract.MakeStore]:
    """Each handle is a PgDigestStore on its own pool, as another replica would have."""
    pools: list[ConnectionPool] = []

    def make() -> DigestRecord:
        pools.append(open_pool(pg_dsn, max_size=1))
        return PgDigestStore(pools[-1])

    yield make
    for pool in pools:
        pool.close()


class TestPgDigestRecordContract(digest_contract.TestDigestRecordContract):
    """The DigestRecord contract against PgDigestStore."""


def _claim(dsn: str, keys: list[str], barrier: Any) -> list[str]:
    """In a separate process (a replica): offer every key once; return the keys won."""
    pool = open_pool(dsn, max_size=1)
    try:
        seen = PgSeenKeys(pool)
        barrier.wait(timeout=30)
        return [key for key in keys if seen.first_time(key)]
    finally:
        pool.close()


def test_processes_racing_on_the_same_events_have_one_winner_each(pg_dsn: str) -> None:
    """Three processes offering the same 40 event ids at once: each id is won exactly once."""
    keys = [f"event:Ev{uuid.uuid4().hex[:16]}" for _ in range(40)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(3)
        with ctx.Pool(3) as procs:
            won = procs.starmap(_claim, [(pg_dsn, keys, barrier)] * 3)
    assert sorted(k for w in won for k in w) == sorted(keys)


def test_a_key_taken_by_one_replica_is_taken_for_another(pg_dsn: str) -> None:
    """A key recorded through one pool is not first_time through a second pool (replica)."""
    key = f"message:C1:{uuid.uuid4().hex}"
    pools = [open_pool(pg_dsn, max_size=1) for _ in range(2)]
    try:
        assert PgSeenKeys(pools[0]).first_time(key)
        assert not PgSeenKeys(pools[1]).first_time(key)
    finally:
        for pool in pools:
            pool.close()


def test_database_down_falls_back_to_this_replica(
    pg_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    """With the database gone, keys are de-duplicated in the process, with an error logged."""
    pool = open_pool(pg_dsn, max_size=1)
    seen, before, after = PgSeenKeys(pool), uuid.uuid4().hex, uuid.uuid4().hex
    assert seen.first_time(before)
    pool.close()
    assert not seen.first_time(before)
    assert seen.first_time(after) and not seen.first_time(after)
    assert "PostgreSQL unavailable for de-duplication" in caplog.text
    assert "postgres@" not in caplog.text


def test_settings_choose_the_store(pg_dsn: str, tmp_path: Path) -> None:
    """DATABASE_URL selects the PostgreSQL records; without it the local ones are used."""
    local = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    shared = Settings(_env_file=None, data_dir=tmp_path, database_url=SecretStr(pg_dsn))  # type: ignore[call-arg]
    assert type(seen_store(local)).__name__ == "SeenKeys"
    assert type(digest_store(local)).__name__ == "DigestStore"
    assert isinstance(seen_store(shared), PgSeenKeys)
    assert isinstance(digest_store(shared), PgDigestStore)


def _replica_settings(fake: FakeSlack, dsn: str, data_dir: Path, **values: Any) -> Settings:
    slack = SlackSettings(
        bot_token=SecretStr(BOT_TOKEN), app_token=SecretStr(APP_TOKEN), api_url=fake.api_url,
        feedback_salt=SecretStr("test-salt"),
    )  # fmt: skip
    return Settings(  # type: ignore[call-arg]  # _env_file: pydantic-settings keyword
        _env_file=None, data_dir=data_dir, database_url=SecretStr(dsn), slack=slack, **values
    )


def test_digest_is_posted_once_by_two_replicas(
    fake_slack: FakeSlack, hash_index: Path, pg_dsn: str, tmp_path: Path
) -> None:
    """Two replicas (own data_dir, one DATABASE_URL) posting the same week at once: one post."""
    publish_to_postgres(hash_index, pg_dsn)  # replicas read the index from the database
    channel = f"C{uuid.uuid4().hex[:10].upper()}"
    replicas = [
        _replica_settings(
            fake_slack,
            pg_dsn,
            tmp_path / f"r{i}",
            index_dir=hash_index,
            digest=DigestSettings(channel=channel),
        )
        for i in range(2)
    ]
    today = dt.date(2016, 12, 14)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda s: post_digest(s, make_client(s), today), replicas))
    assert sorted(r.posted for r in results) == [False, True]
    assert len(fake_slack.calls("chat.postMessage", ok=True)) == 1
    db = open_pool(pg_dsn, max_size=1)
    try:
        assert PgDigestStore(db).weeks(channel) == [("2016-W50", "done")]
    finally:
        db.close()


def test_event_delivered_to_two_bots_is_answered_once(
    fake_slack: FakeSlack, pg_dsn: str, tmp_path: Path
) -> None:
    """Two running bots sharing DATABASE_URL, the same event on both sockets: one answer."""
    recorders = [Recorder(delay=0.2), Recorder(delay=0.2)]
    bots = [
        start_bot(_replica_settings(fake_slack, pg_dsn, tmp_path / f"r{i}"), recorders[i])
        for i in range(2)
    ]
    try:
        assert fake_slack.open_sockets() == 2
        body = p.event_callback(p.mention("Vem ska svara KSL?"))
        envelopes = [fake_slack.send("events_api", body, socket=i) for i in range(2)]
        fake_slack.wait_calls("chat.postMessage")
        fake_slack.wait_for(lambda: all(fake_slack.ack(e.envelope_id) for e in envelopes))
        time.sleep(0.5)  # a second answer would have arrived by now
        assert len(fake_slack.calls("chat.postMessage")) == 1
        assert sum(len(r.calls) for r in recorders) == 1
    finally:
        for bot in bots:
            bot.stop(wait=True)


def test_database_password_is_redacted_from_logs(tmp_path: Path) -> None:
    """The password of DATABASE_URL / DATABASE_READ_URL never reaches a log line."""
    url = "postgresql://bot:s3cret-db-password@db.example:5432/samverkan"
    settings = Settings(  # type: ignore[call-arg]  # _env_file: pydantic-settings keyword
        _env_file=None, data_dir=tmp_path, database_read_url=SecretStr(url)
    )
    redactor = install_redaction(settings)
    text = redactor.redact(f"failed: password=s3cret-db-password url={url}")
    assert "s3cret-db-password" not in text and "[redacted]" in text
