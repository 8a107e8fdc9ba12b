"""The weekly digest offers the deadlines calendar as a file (files.uploadV2) in its thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from icalendar import Calendar

from bot.slack import messages
from bot.slack.app import make_client
from bot.slack.calendar_file import FILENAME
from bot.slack.digest import DigestScheduler, post_digest
from config.settings import Settings
from tests.digest.conftest import CHANNEL
from tests.slack.fake_slack import FakeSlack


def test_digest_is_followed_by_the_calendar_in_its_thread(
    fake_slack: FakeSlack, digest_settings: Callable[..., Settings]
) -> None:
    """The scheduler posts the digest, then uploads the .ics to the digest channel in the
    digest's thread; parsed back, it holds the reply deadline of 31 December 2016 with its
    source, and every event has a reminder."""
    settings = digest_settings()
    zone = dt.timezone(dt.timedelta(hours=1))
    clock = lambda: dt.datetime(2016, 12, 14, 12, 0, tzinfo=zone)  # noqa: E731
    result = DigestScheduler(settings, make_client(settings), clock=clock).tick()
    assert result is not None and result.posted
    [upload] = fake_slack.uploads()
    assert (upload.channel_id, upload.thread_ts, upload.filename) == (CHANNEL, result.ts, FILENAME)
    calendar = Calendar.from_ical(upload.data)
    events = calendar.walk("VEVENT")
    assert upload.initial_comment == messages.CALENDAR_COMMENT.format(n=len(events))
    reply = [e for e in events if e.decoded("DTSTART") == dt.date(2016, 12, 31)]
    assert reply and "KSL" in str(reply[0]["DESCRIPTION"])
    assert all(e.walk("VALARM") for e in events)
    files = fake_slack.calls("files.completeUploadExternal", ok=True)
    posts = fake_slack.calls("chat.postMessage", ok=True)
    assert len(files) == len(posts) == 1 and posts[0].at < files[0].at


def test_a_refused_upload_leaves_the_digest_posted(
    fake_slack: FakeSlack,
    digest_settings: Callable[..., Settings],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """files.getUploadURLExternal refused: the digest is posted and recorded all the same (no
    second post next time), the refusal is logged."""
    settings = digest_settings()
    fake_slack.fail_next("files.getUploadURLExternal", error="not_in_channel")
    first = post_digest(settings, make_client(settings), dt.date(2016, 12, 14))
    again = post_digest(settings, make_client(settings), dt.date(2016, 12, 15))
    assert first.posted and again.reason == "already posted"
    assert not fake_slack.uploads() and len(fake_slack.calls("chat.postMessage")) == 1
    assert "not_in_channel" in caplog.text
