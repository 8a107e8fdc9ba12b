"""The deadlines calendar as a file (issue 9, point 5): the fake Slack's files.uploadV2
protocol, and the Home tab's "Hämta kalenderfil" button through the real Bolt app."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from icalendar import Calendar
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answer import Answerer
from bot.slack import messages
from bot.slack.calendar_file import ACTION_CALENDAR, FILENAME
from retrieval.embedder import HashEmbedder
from tests.slack import payloads as p
from tests.slack.answers import Recorder
from tests.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.slack.test_app_home import in_weeks, index, open_home, write_agreement
from tests.slack.test_http_mode import post


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    """A Web API client of the fake Slack with the bot token."""
    return WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)


def test_files_upload_v2_goes_through_the_three_steps(fake_slack: FakeSlack, client) -> None:
    """slack_sdk's files_upload_v2 against the fake: an upload URL on loopback, the bytes POSTed
    there, completion sharing them in the channel; the fake keeps exactly those bytes."""
    data = "BEGIN:VCALENDAR\r\nX-NAME:Tidsgränser\r\nEND:VCALENDAR\r\n".encode()
    response = client.files_upload_v2(
        channel="C0DIGEST", content=data, filename="t.ics", title="T", initial_comment="Hej"
    )
    [asked] = fake_slack.calls("files.getUploadURLExternal", ok=True)
    assert asked.params["length"] == str(len(data)) and asked.params["filename"] == "t.ics"
    assert asked.result["upload_url"].startswith(f"http://127.0.0.1:{fake_slack.port}/")
    [upload] = fake_slack.uploads()
    assert (upload.data, upload.length) == (data, len(data))
    assert (upload.filename, upload.title) == ("t.ics", "T")
    assert (upload.channel_id, upload.initial_comment) == ("C0DIGEST", "Hej")
    assert response["file"]["id"] == upload.file_id == asked.result["file_id"]


@pytest.mark.parametrize(
    ("params", "missing"),
    [({"length": 10}, "filename"), ({"filename": "t.ics"}, "length"),
     ({"filename": "t.ics", "length": 0}, "length")],
)  # fmt: skip
def test_fake_refuses_an_upload_url_without_filename_or_length(client, params, missing) -> None:
    """files.getUploadURLExternal needs a filename and a positive length: invalid_arguments."""
    with pytest.raises(SlackApiError) as raised:
        client.api_call("files.getUploadURLExternal", params=params)
    assert raised.value.response["error"] == "invalid_arguments"
    assert missing in json.dumps(raised.value.response["response_metadata"])


def test_fake_refuses_completing_what_was_not_uploaded(fake_slack: FakeSlack, client) -> None:
    """files.completeUploadExternal: no files is invalid_arguments; an id never handed out, or
    one whose bytes never came, is file_not_found; a bad channel_id is channel_not_found; a
    completed file cannot be completed again; an unknown upload URL answers 404."""
    errors = []
    for files, channel in (([], "C1"), ([{"id": "FNOPE"}], "C1")):
        with pytest.raises(SlackApiError) as raised:
            client.files_completeUploadExternal(files=files, channel_id=channel)
        errors.append(raised.value.response["error"])
    assert errors == ["invalid_arguments", "file_not_found"]
    ticket = client.files_getUploadURLExternal(filename="t.ics", length=3)
    with pytest.raises(SlackApiError) as raised:
        client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}], channel_id="C1")
    assert raised.value.response["error"] == "file_not_found"  # not uploaded yet
    request = urllib.request.Request(str(ticket["upload_url"]), data=b"abc", method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.read() == b"OK - 3"
    with pytest.raises(SlackApiError) as raised:
        client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}], channel_id="#x")
    assert raised.value.response["error"] == "channel_not_found"
    client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}], channel_id="C1")
    with pytest.raises(SlackApiError) as raised:
        client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}], channel_id="C1")
    assert raised.value.response["error"] == "file_not_found"
    assert [u.data for u in fake_slack.uploads()] == [b"abc"]
    gone = urllib.request.Request(str(ticket["upload_url"]) + "x", data=b"a", method="POST")
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(gone, timeout=5)
    assert missing.value.code == 404


def test_fake_opens_a_dm_only_for_a_user(client) -> None:
    """conversations.open with users gives the DM's id; without it users_list_not_supplied."""
    assert client.conversations_open(users="U0ASKER")["channel"]["id"] == "D0ASKER"
    with pytest.raises(SlackApiError) as raised:
        client.api_call("conversations.open", params={})
    assert raised.value.response["error"] == "users_list_not_supplied"


def _bot_with_index(run_bot, make_settings, folder: Path, due: dt.date | None, **slack):
    """The real bot over an index of one agreement (with a deadline on `due`, or none);
    keywords override SlackSettings."""
    corpus = folder / "corpus"
    if due is None:
        corpus.mkdir(parents=True)
        (corpus / "info.md").write_text("# Information\n\nSamverkan pågår.\n", "utf-8")
    else:
        write_agreement(corpus, "avtal-nordost.md", "Samverkansavtal FoU Nordost", due)
    index(corpus, folder / "index")
    settings = make_settings(**slack).model_copy(update={"index_dir": folder / "index"})
    answerer = Answerer(settings, embedder=HashEmbedder(), load_model=False)
    return run_bot(settings, Recorder(), snapshot_fn=answerer.snapshot_for)


def _click(fake: FakeSlack, user: str = "U0ASKER", count: int = 1) -> str:
    """Open the Home tab (the `count`-th time) and click "Hämta kalenderfil"; the click's
    envelope id."""
    view = open_home(fake, user, count)
    return fake.send("interactive", p.home_button_click(view, ACTION_CALENDAR, user)).envelope_id


def test_home_button_sends_the_calendar_to_the_users_dm(
    fake_slack, make_settings, run_bot, tmp_path: Path
) -> None:
    """The Home tab has "Hämta kalenderfil"; a click is acked, opens the DM with the clicker and
    uploads there an .ics that icalendar parses back: the deadline on its day, with its
    reminder a week before and the source in the description."""
    due = in_weeks(3)
    _bot_with_index(run_bot, make_settings, tmp_path, due)
    envelope = _click(fake_slack)
    fake_slack.wait_for(lambda: fake_slack.ack(envelope), what="the ack")
    [upload] = fake_slack.wait_for(fake_slack.uploads, what="the upload")
    [opened] = fake_slack.calls("conversations.open", ok=True)
    assert opened.params["users"] == "U0ASKER" and upload.channel_id == "D0ASKER"
    assert (upload.filename, upload.title) == (FILENAME, messages.CALENDAR_TITLE)
    assert upload.initial_comment == messages.CALENDAR_COMMENT.format(n=1)
    assert upload.length == len(upload.data) and not upload.thread_ts
    [event] = Calendar.from_ical(upload.data).walk("VEVENT")
    assert event.decoded("DTSTART") == due
    assert "verksamhetsberättelsen" in str(event["SUMMARY"])
    assert "Samverkansavtal FoU Nordost" in str(event["DESCRIPTION"])
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == dt.timedelta(days=-7)
    assert not fake_slack.calls("chat.postMessage")


def test_home_button_with_nothing_dated_says_so_in_the_dm(
    fake_slack, make_settings, run_bot, tmp_path: Path
) -> None:
    """A register without dates: no file, a message in the DM that says why."""
    _bot_with_index(run_bot, make_settings, tmp_path, None)
    _click(fake_slack)
    [post] = fake_slack.wait_calls("chat.postMessage")
    assert (post.params["channel"], post.params["text"]) == ("D0ASKER", messages.CALENDAR_EMPTY)
    assert not fake_slack.uploads() and not fake_slack.calls("files.getUploadURLExternal")


def test_home_button_upload_refused_is_told_in_the_dm(
    fake_slack, make_settings, run_bot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack refusing the upload: the user reads that the file could not be sent, the error is
    logged (without the token)."""
    _bot_with_index(run_bot, make_settings, tmp_path, in_weeks(3))
    fake_slack.fail_next("files.completeUploadExternal", error="channel_not_found")
    _click(fake_slack)
    [post] = fake_slack.wait_calls("chat.postMessage")
    assert post.params["text"] == messages.CALENDAR_FAILED
    assert not fake_slack.uploads()
    assert "channel_not_found" in caplog.text and BOT_TOKEN not in caplog.text


def test_a_second_click_after_an_ingest_gets_the_new_calendar(
    fake_slack, make_settings, run_bot, tmp_path: Path
) -> None:
    """The file follows the index in use: after a second agreement is ingested (no restart)
    the next click's file holds both deadlines; each click uploads a file of its own."""
    first, second = in_weeks(3), in_weeks(5)
    _bot_with_index(run_bot, make_settings, tmp_path, first)
    _click(fake_slack)
    fake_slack.wait_for(fake_slack.uploads, what="the first upload")
    write_agreement(tmp_path / "corpus", "avtal-sodertorn.md", "Samverkansavtal Södertörn", second)
    index(tmp_path / "corpus", tmp_path / "index")
    _click(fake_slack, count=2)
    uploads = fake_slack.wait_for(lambda: len(fake_slack.uploads()) == 2 and fake_slack.uploads())
    days = [sorted(e.decoded("DTSTART") for e in Calendar.from_ical(u.data).walk("VEVENT"))
            for u in uploads]  # fmt: skip
    assert days == [[first], [first, second]]
    assert uploads[1].initial_comment == messages.CALENDAR_COMMENT.format(n=2)
    assert uploads[0].file_id != uploads[1].file_id


def test_home_button_over_http_mode(fake_slack, make_settings, run_bot, tmp_path: Path) -> None:
    """Signed requests: the Home tab opened and the button clicked are answered 200 with an
    empty body at once, and the file reaches the clicker's DM after the acknowledgement."""
    bot = _bot_with_index(run_bot, make_settings, tmp_path, in_weeks(3), mode="http")
    opened = json.dumps(p.event_callback(p.app_home_opened("U0ASKER")))
    assert post(bot.port, opened)[0] == 200
    fake_slack.wait_calls("views.publish")
    view = fake_slack.home_view("U0ASKER")
    assert view is not None
    form = urlencode({"payload": json.dumps(p.home_button_click(view, ACTION_CALENDAR))})
    status, body, seconds = post(bot.port, form, "application/x-www-form-urlencoded")
    assert (status, body) == (200, "") and seconds < 0.5
    [upload] = fake_slack.wait_for(fake_slack.uploads, what="the upload")
    assert upload.channel_id == "D0ASKER" and Calendar.from_ical(upload.data).walk("VEVENT")
