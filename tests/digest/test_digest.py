"""The weekly digest: content, exactly-once posting, 429 retry, scheduling and catch-up."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.cli import main
from bot.digest import DigestStore, store_path
from bot.slack.app import make_client
from bot.slack.digest import DigestScheduler, post_digest, preview_digest
from config.settings import Settings
from tests.digest.conftest import CHANNEL
from tests.slack.fake_slack import FakeSlack

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TABY = "protokollsutdrag-socialnamnden-taby-2016-12-14.txt"


@time_machine.travel(dt.datetime(2016, 12, 14, 9, 0, tzinfo=STOCKHOLM), tick=False)
def test_dry_run_on_a_frozen_day_shows_the_reply_deadline_with_citation(
    hash_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On 2016-12-14 the digest lists the 31 December reply deadline with document and quote."""
    assert main(["digest", "--index", str(hash_index), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "2016-W50" in out
    line = next(x for x in out.splitlines() if x.startswith("*2016-12-31*") and "besked" in x)
    assert "Kommunen" in line
    assert f"s. 1 ({TABY}): »Kommunens besked ska skickas till KSL" in out


def test_json_prints_block_kit(hash_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`digest --json` prints the Block Kit blocks, header first."""
    argv = ["digest", "--index", str(hash_index), "--today", "2016-12-14", "--json"]
    assert main(argv) == 0
    blocks = json.loads(capsys.readouterr().out)
    assert blocks[0]["type"] == "header" and len(blocks) <= 50


def test_week_with_nothing_due_says_so_in_one_line(
    digest_settings: Callable[..., Settings],
) -> None:
    """A week far from every deadline has one line saying nothing is due."""
    text = preview_digest(digest_settings(), dt.date(2030, 7, 1))
    assert "Inga deadlines de kommande 4 veckorna." in text.splitlines()


def test_passed_deadlines_of_the_last_week_are_listed(
    digest_settings: Callable[..., Settings],
) -> None:
    """On 2017-01-03 the 31 December deadline is among those passed in the last week."""
    text = preview_digest(digest_settings(), dt.date(2017, 1, 3))
    passed = text.split("*Passerade den senaste veckan*")[1]
    assert "*2016-12-31*" in passed


def test_posted_exactly_once_per_week_across_a_restart(
    fake_slack: FakeSlack, digest_settings: Callable[..., Settings]
) -> None:
    """Posting twice in one week, even from a new process's store, posts one message."""
    settings = digest_settings()
    first = post_digest(settings, make_client(settings), dt.date(2016, 12, 14))
    again = post_digest(settings, make_client(settings), dt.date(2016, 12, 16))  # "restart"
    assert first.posted and not again.posted and again.reason == "already posted"
    posts = fake_slack.calls("chat.postMessage", ok=True)
    assert len(posts) == 1 and posts[0].params["channel"] == CHANNEL
    assert "31 december 2016" in json.dumps(posts[0].params, ensure_ascii=False)
    store = DigestStore(store_path(settings.data_dir))
    assert store.weeks(CHANNEL) == [("2016-W50", "done")]
    store.close()


def test_documents_listed_only_when_changed_since_last_digest(
    fake_slack: FakeSlack, digest_settings: Callable[..., Settings]
) -> None:
    """After one digest, the next week's digest lists no unchanged document."""
    settings = digest_settings()
    assert post_digest(settings, make_client(settings), dt.date(2016, 12, 14)).posted
    text = preview_digest(settings, dt.date(2016, 12, 21))
    assert "Nya och ändrade dokument" not in text


def test_rate_limited_post_is_retried_and_posted_once(
    fake_slack: FakeSlack, digest_settings: Callable[..., Settings]
) -> None:
    """A 429 on chat.postMessage is waited out and retried; one message gets through."""
    settings = digest_settings()
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    result = post_digest(settings, make_client(settings), dt.date(2016, 12, 14))
    assert result.posted
    assert len(fake_slack.calls("chat.postMessage", ok=False)) == 1
    assert len(fake_slack.calls("chat.postMessage", ok=True)) == 1


def test_refused_post_is_released_and_posted_on_the_next_try(
    fake_slack: FakeSlack, digest_settings: Callable[..., Settings]
) -> None:
    """When Slack answers with an error the week stays open and the next try posts it."""
    settings = digest_settings()
    fake_slack.fail_next("chat.postMessage", error="channel_not_found")
    assert not post_digest(settings, make_client(settings), dt.date(2016, 12, 14)).posted
    assert post_digest(settings, make_client(settings), dt.date(2016, 12, 14)).posted
    assert len(fake_slack.calls("chat.postMessage", ok=True)) == 1


def test_interrupted_post_is_never_repeated(
    fake_slack: FakeSlack, digest_settings: Callable[..., Settings]
) -> None:
    """A week reserved by a process that crashed before confirming is not posted again."""
    settings = digest_settings()
    store = DigestStore(store_path(settings.data_dir))
    assert store.reserve("2016-W50", CHANNEL, {})
    store.close()
    result = post_digest(settings, make_client(settings), dt.date(2016, 12, 14))
    assert not result.posted and fake_slack.calls("chat.postMessage") == []


def test_scheduler_waits_for_the_time_then_catches_up_later_in_the_week(
    fake_slack: FakeSlack, digest_settings: Callable[..., Settings]
) -> None:
    """Before Monday 08:00 nothing is posted; a bot started on Wednesday posts once, at once."""
    settings = digest_settings(weekday=0, time="08:00")
    now = [dt.datetime(2016, 12, 12, 7, 59, tzinfo=STOCKHOLM)]
    scheduler = DigestScheduler(settings, make_client(settings), clock=lambda: now[0])
    assert scheduler.tick() is None
    now[0] = dt.datetime(2016, 12, 14, 15, 0, tzinfo=STOCKHOLM)  # down on Monday, up Wednesday
    restarted = DigestScheduler(settings, make_client(settings), clock=lambda: now[0])
    result = restarted.tick()
    assert result is not None and result.posted and result.week == "2016-W50"
    assert not restarted.tick().posted  # type: ignore[union-attr]
    assert len(fake_slack.calls("chat.postMessage", ok=True)) == 1


def test_scheduler_thread_posts_in_the_background(
    fake_slack: FakeSlack, digest_settings: Callable[..., Settings]
) -> None:
    """The started thread checks at once and posts the due digest."""
    settings = digest_settings(weekday=0, time="00:00")
    clock = lambda: dt.datetime(2016, 12, 14, 9, 0, tzinfo=STOCKHOLM)  # noqa: E731
    scheduler = DigestScheduler(settings, make_client(settings), interval=0.05, clock=clock)
    scheduler.start()
    try:
        fake_slack.wait_calls("chat.postMessage", 1)
    finally:
        scheduler.stop()
    assert len(fake_slack.calls("chat.postMessage")) == 1
