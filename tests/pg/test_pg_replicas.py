"""Scenario: two `python -m bot serve` processes against one PostgreSQL and the fake Slack."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pgpublish import publish_to_postgres
from retrieval.pgschema import migrate
from tests.conftest import ROOT
from tests.register.conftest import hash_index
from tests.slack import payloads as p
from tests.slack.conftest import fake_slack, no_proxy
from tests.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack

__all__ = ["fake_slack", "hash_index", "no_proxy"]  # fixtures used by the tests here
DIGEST = "C0DIGEST"


def _serve(fake: FakeSlack, dsn: str, folder: Path) -> subprocess.Popen[bytes]:
    """`python -m bot serve` configured by the environment only, with no local index."""
    folder.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HF_HUB_OFFLINE": "1",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": dsn,
        "EMBEDDING_MODEL": "hash",
        "INDEX_DIR": str(folder / "no-index"),
        "DATA_DIR": str(folder / "var"),
        "DIGEST_CHANNEL": DIGEST,
        "DIGEST_WEEKDAY": "0",
        "DIGEST_TIME": "00:00",  # due at once: both replicas try to post this week's digest
    }
    log = (folder / "serve.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"], cwd=folder, env=env, stdout=log, stderr=log
    )


@pytest.fixture
def replicas(
    fake_slack: FakeSlack, hash_index: Path, empty_database: str, tmp_path: Path
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Two bot processes sharing one migrated database that holds the published index."""
    migrate(empty_database)
    publish_to_postgres(hash_index, empty_database)
    procs = [_serve(fake_slack, empty_database, tmp_path / f"replica{i}") for i in range(2)]
    try:
        fake_slack.wait_for(lambda: fake_slack.open_sockets() == 2, 90, "two replicas connected")
        yield procs
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _posts(fake: FakeSlack, channel: str) -> list:
    return [c for c in fake.calls("chat.postMessage", ok=True) if c.params["channel"] == channel]


def test_two_replicas_answer_an_event_once_and_post_the_digest_once(
    fake_slack: FakeSlack, replicas: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """The same event on both replicas' sockets gets one answer; the week's digest one post."""
    body = p.event_callback(p.mention("När ska kommunen ha svarat KSL?"))
    envelopes = [fake_slack.send("events_api", body, socket=i) for i in range(2)]
    fake_slack.wait_for(lambda: _posts(fake_slack, "C0GENERAL"), 30, "an answer")
    fake_slack.wait_for(lambda: all(fake_slack.ack(e.envelope_id) for e in envelopes), 30)
    fake_slack.wait_for(lambda: _posts(fake_slack, DIGEST), 30, "the weekly digest")
    time.sleep(1.0)  # a second answer or digest would have arrived by now
    assert len(_posts(fake_slack, "C0GENERAL")) == 1
    assert len(_posts(fake_slack, DIGEST)) == 1
    for proc in replicas:
        proc.send_signal(signal.SIGTERM)
    assert [proc.wait(timeout=30) for proc in replicas] == [0, 0]
    logs = "".join((tmp_path / f"replica{i}" / "serve.log").read_text() for i in range(2))
    assert BOT_TOKEN not in logs and APP_TOKEN not in logs
    assert "using index version pg:" in logs  # answered from the database: no local index
