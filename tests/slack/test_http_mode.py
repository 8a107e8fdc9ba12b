"""HTTP mode: signed requests from "Slack" to the bot's port, answers to the fake Web API."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from bot.slack import messages
from bot.slack.feedback import DB_NAME
from tests.slack import payloads as p
from tests.slack.answers import Recorder
from tests.slack.conftest import SIGNING_SECRET

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy


def post(
    port: int,
    body: str,
    content_type: str = "application/json",
    timestamp: int | None = None,
    secret: str = SIGNING_SECRET,
    headers: dict[str, str] | None = None,
) -> tuple[int, str, float]:
    """POST a request signed the way Slack signs it; returns status, body and seconds taken."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events",
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": f"v0={signature}",
            **(headers or {}),
        },
    )
    return _send(request)


def get(port: int, path: str) -> tuple[int, str, float]:
    """GET a path on the bot's port."""
    return _send(urllib.request.Request(f"http://127.0.0.1:{port}{path}"))


def _send(request: urllib.request.Request) -> tuple[int, str, float]:
    start = time.monotonic()
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, response.read().decode(), time.monotonic() - start
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), time.monotonic() - start


@pytest.fixture
def http_settings(make_settings):
    """HTTP mode on a free loopback port."""
    return make_settings(mode="http")


def test_url_verification_challenge_is_echoed(fake_slack, http_settings, run_bot):
    """Slack's url_verification request gets its challenge back."""
    bot = run_bot(http_settings, Recorder())
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"})
    status, text, _ = post(bot.port, body)
    assert status == 200 and json.loads(text) == {"challenge": "abc123"}


def test_bad_signature_and_old_timestamp_are_rejected(fake_slack, http_settings, run_bot):
    """A wrong signature or a timestamp older than five minutes gets 401 and is not answered."""
    recorder = Recorder()
    bot = run_bot(http_settings, recorder)
    body = json.dumps(p.event_callback(p.mention("Vad gäller?")))
    assert post(bot.port, body, secret="wrong-secret")[0] == 401
    assert post(bot.port, body, timestamp=int(time.time()) - 6 * 60)[0] == 401
    time.sleep(0.2)
    assert recorder.calls == [] and fake_slack.calls("chat.postMessage") == []


def test_signed_mention_is_acked_fast_and_answered(fake_slack, http_settings, run_bot):
    """A signed app_mention gets 200 at once (answer_fn is slow) and the answer is posted."""
    bot = run_bot(http_settings, Recorder(delay=1.0))
    event = p.mention("Vad gäller?")
    status, _, seconds = post(bot.port, json.dumps(p.event_callback(event)))
    assert status == 200 and seconds < 0.5
    answer = fake_slack.wait_calls("chat.postMessage")[0].params
    assert answer["thread_ts"] == event["ts"] and answer["text"].startswith("Svar: Vad gäller?")


def test_retried_delivery_is_acked_but_answered_once(fake_slack, http_settings, run_bot):
    """The same event again with X-Slack-Retry-Num: 200 for both, one answer."""
    recorder = Recorder()
    bot = run_bot(http_settings, recorder)
    body = json.dumps(p.event_callback(p.mention("Vad gäller?")))
    assert post(bot.port, body)[0] == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert post(bot.port, body, headers=retry)[0] == 200
    fake_slack.wait_calls("chat.postMessage")
    time.sleep(0.2)
    assert len(fake_slack.calls("chat.postMessage")) == 1 and len(recorder.calls) == 1


def test_slash_command_over_http_acks_with_text_and_responds(fake_slack, http_settings, run_bot):
    """A signed form-encoded /avtal: working text in the 200, the answer by response_url."""
    bot = run_bot(http_settings, Recorder())
    form = urlencode(p.slash_command("Vad gäller?", fake_slack.response_url("h1")))
    status, text, _ = post(bot.port, form, content_type="application/x-www-form-urlencoded")
    assert status == 200 and text == messages.WORKING  # Bolt sends a text-only ack as text/plain
    answer = fake_slack.wait_for(lambda: fake_slack.responses("h1"), what="answer")[0]
    assert answer["text"].startswith("Svar: Vad gäller?")


def test_health_path_answers_get(fake_slack, http_settings, run_bot):
    """GET /healthz is 200 while the index loads and 503 when health_fn raises; other paths 404."""
    state = {"broken": False}

    def health() -> None:
        if state["broken"]:
            raise RuntimeError("index missing")

    bot = run_bot(http_settings, Recorder(), health_fn=health)
    assert get(bot.port, "/healthz")[:2] == (200, '{"ok": true}')
    state["broken"] = True
    assert get(bot.port, "/healthz")[0] == 503
    assert get(bot.port, "/elsewhere")[0] == 404


CALENDAR_TOKEN = "kalender-hemlighet-4711"


@pytest.mark.slow
def test_calendar_is_served_to_its_token_only(fake_slack, make_settings, run_bot, answerer, caplog):
    """GET /kalender.ics?token=… gives the register's dates as an iCalendar file that parses
    back into one event per dated entry; a wrong or missing token gets 404 like an unknown path,
    and the token is in no log line."""
    import datetime as dt
    import logging

    from icalendar import Calendar

    from bot.ics import dated_deadlines
    from retrieval.register import in_use

    caplog.set_level(logging.DEBUG)
    settings = make_settings(mode="http", calendar_token=CALENDAR_TOKEN)
    bot = run_bot(settings, Recorder(), snapshot_fn=answerer.snapshot_for)
    assert get(bot.port, "/kalender.ics")[0] == 404
    assert get(bot.port, "/kalender.ics?token=fel")[0] == 404
    status, text, _ = get(bot.port, f"/kalender.ics?token={CALENDAR_TOKEN}")
    assert status == 200
    events = Calendar.from_ical(text).walk("VEVENT")
    snapshot = answerer.snapshot
    expected = dated_deadlines(
        in_use(snapshot.deadlines(), snapshot.documents, False), dt.date.today()
    )
    assert len(events) == len(expected) > 0
    assert all(str(e.get("uid")).endswith("@samverkansbot") for e in events)
    assert not [r for r in caplog.records if CALENDAR_TOKEN in r.getMessage()]


def test_no_calendar_without_its_token(fake_slack, make_settings, run_bot):
    """Without SLACK_CALENDAR_TOKEN the calendar path is an unknown path."""
    bot = run_bot(make_settings(mode="http"), Recorder(), snapshot_fn=lambda collections: None)
    assert get(bot.port, "/kalender.ics")[0] == 404
    assert get(bot.port, "/kalender.ics?token=")[0] == 404


def test_feedback_modal_over_http_mode(fake_slack, http_settings, run_bot):
    """Signed "Hjälpte inte" click and view_submission (form field `payload`): both get 200
    at once, the modal opens and its text lands on the vote."""
    bot = run_bot(http_settings, Recorder())
    assert post(bot.port, json.dumps(p.event_callback(p.mention("Vad gäller?"))))[0] == 200
    call = fake_slack.wait_calls("chat.postMessage")[0]
    thumbs = next(b for b in call.params["blocks"] if b["type"] == "context_actions")
    value = thumbs["elements"][0]["negative_button"]["value"]
    click = p.feedback_click(value, fake_slack.response_url("h"), message_ts=call.result["ts"])
    for payload in (click, None):
        if payload is None:
            [view] = fake_slack.wait_for(fake_slack.opened_views, what="the modal")
            payload = p.view_submission(view, "Inget om 2026")
        form = urlencode({"payload": json.dumps(payload)})
        status, body, seconds = post(bot.port, form, "application/x-www-form-urlencoded")
        assert status == 200 and seconds < 0.5 and body == ""

    def rows() -> list[tuple]:
        with sqlite3.connect(http_settings.data_dir / DB_NAME) as conn:
            return conn.execute("SELECT helpful, question, comment FROM feedback").fetchall()

    fake_slack.wait_for(lambda: rows() and rows()[0][2], what="the comment")  # stored after ack
    assert rows() == [(0, "Vad gäller?", "Inget om 2026")]
