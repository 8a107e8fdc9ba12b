"""Threads, the assistant panel's context, feedback and declines in PostgreSQL (issue 9): the
local stores' contracts against the shared ones, and replicas continuing each other's work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool
from pydantic import SecretStr

from bot.cli import main
from bot.slack import RunningBot, start_bot
from bot.slack.answering import AnswerFn
from bot.slack.feedback import FeedbackStore
from bot.slack.pgfeedback import PgFeedbackStore, feedback_store
from bot.slack.pgthreads import PgThreadMemory, thread_stores
from bot.slack.threads import ThreadMemory
from config.settings import Settings, SlackSettings
from retrieval.pgschema import migrate
from retrieval.pgstore import close_shared_pools, open_pool
from tests.slack import payloads as p
from tests.slack import test_feedback_store as feedback_contract
from tests.slack import test_thread_store as thread_contract
from tests.slack.answers import Recorder, declining
from tests.slack.conftest import fake_slack, no_proxy
from tests.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack

__all__ = ["fake_slack", "no_proxy"]  # fixtures used by the tests here


@pytest.fixture(autouse=True)
def _close_pools() -> Iterator[None]:
    """Pools opened through settings (shared_pool) end with each test."""
    yield
    close_shared_pools()


@pytest.fixture
def make_threads(pg_pool: ConnectionPool) -> thread_contract.MakeThreads:
    """Each handle a PgThreadMemory on the session's database."""
    return lambda: PgThreadMemory(pg_pool)


class TestPgThreadStoreContract(thread_contract.TestThreadStoreContract):
    """The ThreadStore contract against PgThreadMemory."""


@pytest.fixture
def make_feedback(pg_dsn: str) -> Iterator[feedback_contract.MakeFeedback]:
    """Each handle a PgFeedbackStore on its own pool, as another replica would have, with the
    salt kept in the database."""
    pools: list[ConnectionPool] = []

    def make() -> PgFeedbackStore:
        pools.append(open_pool(pg_dsn, max_size=1))
        return PgFeedbackStore(pools[-1])

    yield make
    for pool in pools:
        pool.close()


class TestPgFeedbackRecordContract(feedback_contract.TestFeedbackRecordContract):
    """The FeedbackRecord contract against PgFeedbackStore."""


def _settings(fake: FakeSlack, data_dir: Path, dsn: str | None, salt: str | None) -> Settings:
    slack = SlackSettings(
        bot_token=SecretStr(BOT_TOKEN), app_token=SecretStr(APP_TOKEN), api_url=fake.api_url,
        feedback_salt=SecretStr(salt) if salt else None,
    )  # fmt: skip
    database = SecretStr(dsn) if dsn else None
    return Settings(  # type: ignore[call-arg]  # _env_file: pydantic-settings keyword
        _env_file=None, data_dir=data_dir, database_url=database, slack=slack
    )


def test_settings_choose_the_stores(pg_dsn: str, tmp_path: Path) -> None:
    """DATABASE_URL selects the PostgreSQL thread, context and feedback stores; without it
    the SQLite ones and Bolt's default context store (None)."""
    fake = FakeSlack()  # not started: only its address is read
    local = _settings(fake, tmp_path, None, "s")
    shared = _settings(fake, tmp_path, pg_dsn, "s")
    threads, context = thread_stores(local)
    assert isinstance(threads, ThreadMemory) and context is None
    assert isinstance(feedback_store(local), FeedbackStore)
    threads, context = thread_stores(shared)
    assert isinstance(threads, PgThreadMemory) and context is threads
    assert isinstance(feedback_store(shared), PgFeedbackStore)


def _bots(fake: FakeSlack, dsn: str, tmp_path: Path, fns: list[AnswerFn]) -> list[RunningBot]:
    """Replicas: each its own data_dir, one DATABASE_URL, no SLACK_FEEDBACK_SALT; replica i
    listens on the fake's socket i."""
    bots = []
    for i, fn in enumerate(fns):
        bots.append(start_bot(_settings(fake, tmp_path / f"r{i}", dsn, None), fn))
    assert fake.open_sockets() == len(fns)
    return bots


def _send(fake: FakeSlack, event: dict[str, Any], socket: int) -> str:
    return fake.send("events_api", p.event_callback(event), socket=socket).envelope_id


def test_a_panel_thread_started_on_one_replica_is_continued_on_another(
    fake_slack: FakeSlack, pg_dsn: str, pg_pool: ConnectionPool, tmp_path: Path
) -> None:
    """Replica 0 greets a new panel thread; a question there reaching replica 1 is a panel
    question (status and title, no :eyes:) answered in the thread; the context changed on
    replica 1 is what replica 0 finds; a follow-up on replica 0 gets the first question as
    history."""
    recorders = [Recorder(), Recorder()]
    bots = _bots(fake_slack, pg_dsn, tmp_path, list(recorders))
    try:
        started = p.assistant_thread_started(context_channel="C0GENERAL")
        thread = started["assistant_thread"]
        where = {"channel_id": thread["channel_id"], "thread_ts": thread["thread_ts"]}
        _send(fake_slack, started, socket=0)
        fake_slack.wait_calls("assistant.threads.setSuggestedPrompts")
        _send(fake_slack, p.assistant_message("Vad ska FoU Nordost göra?", started), socket=1)
        answer = fake_slack.wait_calls("chat.postMessage", 2)[1].params
        assert answer["thread_ts"] == thread["thread_ts"]
        assert recorders[1].calls == [("Vad ska FoU Nordost göra?", ())]
        status = fake_slack.calls("assistant.threads.setStatus", ok=True)[0].params
        title = fake_slack.calls("assistant.threads.setTitle", ok=True)[0].params
        assert status.items() >= where.items() and title["title"] == "Vad ska FoU Nordost göra?"
        assert not fake_slack.calls("reactions.add")
        context = PgThreadMemory(pg_pool).find(**where)
        assert context is not None and context.channel_id == "C0GENERAL"

        changed = {**started, "type": "assistant_thread_context_changed", "event_ts": p.next_ts()}
        changed["assistant_thread"] = {**thread, "context": {**thread["context"],
                                                             "channel_id": "C0OTHER"}}  # fmt: skip
        envelope = _send(fake_slack, changed, socket=1)
        fake_slack.wait_for(lambda: fake_slack.ack(envelope), what="the ack")
        fake_slack.wait_for(
            lambda: (PgThreadMemory(pg_pool).find(**where) or {}).get("channel_id") == "C0OTHER",
            what="the new context in the database",
        )

        _send(fake_slack, p.assistant_message("och när?", started), socket=0)
        reply = fake_slack.wait_calls("chat.postMessage", 3)[2].params
        assert reply["thread_ts"] == thread["thread_ts"]
        assert recorders[0].calls == [("och när?", ("Vad ska FoU Nordost göra?",))]
        assert len(fake_slack.calls("assistant.threads.setTitle")) == 1  # the thread has one
        assert not fake_slack.calls("reactions.add")
    finally:
        for bot in bots:
            bot.stop(wait=True)


def _thumbs(blocks: list[dict[str, Any]]) -> dict[str, str]:
    block = next(b for b in blocks if b["type"] == "context_actions")
    return {side: block["elements"][0][side]["value"] for side in ("positive_button",
                                                                   "negative_button")}  # fmt: skip


def test_gaps_lists_what_every_replica_recorded(
    fake_slack: FakeSlack,
    empty_database: str,
    tmp_path: Path,
    model_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Replica 0 declines a question; replica 1 answers another, whose 'Hjälpte inte' click
    reaches replica 0 and whose 'Vad saknades?' text reaches replica 1 (one salt in the
    database): `python -m bot gaps` with DATABASE_URL and an empty DATA_DIR lists both, the
    comment with its vote."""
    migrate(empty_database)
    bots = _bots(fake_slack, empty_database, tmp_path, [declining, Recorder()])
    try:
        _send(fake_slack, p.mention("Får man ta med hund till kommunhuset?"), socket=0)
        fake_slack.wait_calls("chat.postMessage")
        _send(fake_slack, p.mention("Vad kostar parkeringen?"), socket=1)
        answer = fake_slack.wait_calls("chat.postMessage", 2)[1]
        value = _thumbs(answer.params["blocks"])["negative_button"]
        click = p.feedback_click(
            value, fake_slack.response_url("n"), message_ts=answer.result["ts"]
        )
        fake_slack.send("interactive", click, socket=0)
        [view] = fake_slack.wait_for(fake_slack.opened_views, what="the modal")
        submission = fake_slack.send(
            "interactive", p.view_submission(view, "Taxan för 2026 saknas"), socket=1
        )
        fake_slack.wait_for(lambda: fake_slack.ack(submission.envelope_id), what="the ack")
    finally:
        for bot in bots:
            bot.stop(wait=True)
    with psycopg.connect(empty_database) as conn:
        comment = conn.execute("SELECT comment FROM slack_feedback").fetchall()
        declined = conn.execute("SELECT question, channel_type FROM slack_declined").fetchall()
    assert comment == [("Taxan för 2026 saknas",)]
    assert declined == [("Får man ta med hund till kommunhuset?", "channel")]
    assert not list((tmp_path / "r0").glob("feedback.*")) + list((tmp_path / "r1").glob("*.salt"))

    monkeypatch.setenv("DATABASE_URL", empty_database)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("EMBEDDING_MODEL", str(model_dir))
    assert main(["gaps", "--json"]) == 0
    groups = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted((g["questions"], g["declined"], g["details"]) for g in groups) == [
        (["Får man ta med hund till kommunhuset?"], 1, ["no_relevant"]),
        (["Vad kostar parkeringen?"], 0, ["Taxan för 2026 saknas"]),
    ]
