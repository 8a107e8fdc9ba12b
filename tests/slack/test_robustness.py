"""Socket Mode scenarios: retries, duplicates, rate limits, failures, load and reconnects."""

from __future__ import annotations

import logging
import time

from bot.slack import messages
from tests.slack import payloads as p
from tests.slack.answers import Recorder, hostile, raising
from tests.slack.fake_slack import FakeSlack
from tests.slack.rendered import rendered_texts, special_sequences


def test_redelivered_event_is_answered_once_and_acked_twice(fake_slack, settings, run_bot):
    """Slack's retry of an event (same event_id, retry_attempt 1) is acked, not answered again."""
    recorder = Recorder(delay=0.3)
    run_bot(settings, recorder)
    body = p.event_callback(p.mention("Vad gäller?"))
    first = fake_slack.send("events_api", body)
    retry = fake_slack.send("events_api", body, retry_attempt=1, retry_reason="timeout")
    fake_slack.wait_calls("chat.postMessage")
    fake_slack.wait_for(
        lambda: fake_slack.ack(first.envelope_id) and fake_slack.ack(retry.envelope_id)
    )
    time.sleep(0.3)  # a second answer would have arrived by now
    assert len(fake_slack.calls("chat.postMessage")) == 1
    assert len(recorder.calls) == 1


def test_same_message_as_mention_and_dm_event_is_answered_once(fake_slack, settings, run_bot):
    """A DM arriving both as app_mention and as message.im (two event ids) is answered once."""
    recorder = Recorder()
    run_bot(settings, recorder)
    dm = p.direct_message("<@UBOT> Vad gäller?")
    as_mention = {k: v for k, v in dm.items() if k != "channel_type"} | {"type": "app_mention"}
    fake_slack.send("events_api", p.event_callback(dm))
    fake_slack.send("events_api", p.event_callback(as_mention))
    fake_slack.wait_calls("chat.postMessage")
    time.sleep(0.3)
    assert len(fake_slack.calls("chat.postMessage")) == 1
    assert recorder.calls == [("Vad gäller?", ())]


def test_rate_limited_post_is_retried_and_delivered_once(fake_slack, settings, run_bot):
    """HTTP 429 with Retry-After on chat.postMessage: the bot waits, retries, posts exactly once."""
    run_bot(settings, Recorder())
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    ask_time = time.monotonic()
    fake_slack.send("events_api", p.event_callback(p.mention("Vad gäller?")))
    delivered = fake_slack.wait_calls("chat.postMessage", timeout=10)
    attempts = fake_slack.calls("chat.postMessage")
    assert [c.status for c in attempts] == [429, 200]
    assert len(delivered) == 1
    assert delivered[0].at - attempts[0].at >= 1.0  # Retry-After was respected
    assert delivered[0].at - ask_time < 5


def test_failing_answer_gives_an_apology_is_logged_and_bot_keeps_serving(
    fake_slack, settings, run_bot, caplog
):
    """An exception while answering: apology in thread, stack in the log, next one answered."""
    calls = {"n": 0}
    recorder = Recorder()

    def flaky(question, history, collections):
        calls["n"] += 1
        if calls["n"] == 1:
            return raising(question, history)
        return recorder(question, history, collections)

    run_bot(settings, flaky)
    event = p.mention("Vad gäller?")
    with caplog.at_level(logging.ERROR, logger="bot.slack"):
        fake_slack.send("events_api", p.event_callback(event))
        apology = fake_slack.wait_calls("chat.postMessage")[0].params
    assert apology["text"] == messages.APOLOGY and apology["thread_ts"] == event["ts"]
    failures = [r for r in caplog.records if r.exc_info]
    assert failures and "index could not be read" in str(failures[0].exc_info[1])
    fake_slack.wait_calls("reactions.remove")
    fake_slack.send("events_api", p.event_callback(p.mention("Och nu?")))
    second = fake_slack.wait_calls("chat.postMessage", 2)[1].params
    assert second["text"].startswith("Svar: Och nu?")


def test_ten_questions_at_once_are_all_acked_in_time_and_answered(
    fake_slack, make_settings, run_bot
):
    """Ten slow questions at once (2 workers): every ack within 3 s, every question answered."""
    run_bot(make_settings(workers=2), Recorder(delay=0.5))
    envelopes = [
        fake_slack.send("events_api", p.event_callback(p.mention(f"Fråga {i}"))) for i in range(10)
    ]
    command = fake_slack.send(
        "slash_commands",
        p.slash_command("Fråga 10", fake_slack.response_url("k")),
        accepts_response_payload=True,
    )
    envelopes.append(command)
    fake_slack.wait_for(
        lambda: all(fake_slack.ack(e.envelope_id) for e in envelopes), 3, "all acks"
    )
    delays = [fake_slack.ack(e.envelope_id).at - e.sent_at for e in envelopes]
    assert max(delays) < 1.0, delays  # answering (5 rounds of 0.5 s) does not hold up acks
    posts = fake_slack.wait_calls("chat.postMessage", 10, timeout=15)
    assert sorted(c.params["text"].split("\n")[0] for c in posts) == sorted(
        f"Svar: Fråga {i} [1]" for i in range(10)
    )
    fake_slack.wait_for(lambda: fake_slack.responses("k"), 15, "slash answer")


def test_document_text_cannot_ping_anyone(fake_slack, settings, run_bot):
    """A source quoting <!channel> and <@U123> is posted escaped: no mention reaches Slack."""
    run_bot(settings, hostile)
    fake_slack.send("events_api", p.event_callback(p.mention("Vad står det?")))
    post = fake_slack.wait_calls("chat.postMessage")[0].params
    assert special_sequences(post) == []  # no <!…>, <@…>, <#…> and no links from document text
    shown = "\n".join(rendered_texts(post))
    assert "&lt;!channel&gt;" in shown and "&lt;@U123&gt;" in shown and "A &amp; B" in shown
    assert "&lt;!everyone&gt;" in shown and "&lt;!here&gt;" in shown


def test_refused_blocks_fall_back_to_plain_text(fake_slack, settings, run_bot):
    """If Slack refuses the blocks (invalid_blocks), the answer still arrives as plain text."""
    run_bot(settings, Recorder())
    fake_slack.fail_next("chat.postMessage", error="invalid_blocks")
    fake_slack.send("events_api", p.event_callback(p.mention("Vad gäller?")))
    delivered = fake_slack.wait_calls("chat.postMessage")
    assert len(delivered) == 1 and "blocks" not in delivered[0].params
    assert delivered[0].params["text"].startswith("Svar: Vad gäller? [1]")


def test_reconnects_when_slack_asks_and_keeps_answering(fake_slack, settings, run_bot):
    """After a `disconnect` message the client opens a new connection and answers on it."""
    run_bot(settings, Recorder())
    assert fake_slack.connections_opened == 1
    fake_slack.disconnect()
    fake_slack.wait_for(lambda: fake_slack.connections_opened == 2, what="second connection")
    fake_slack.wait_for(lambda: _newest_socket_ready(fake_slack), what="new socket")
    envelope = fake_slack.send("events_api", p.event_callback(p.mention("Efter återanslutning?")))
    fake_slack.wait_calls("chat.postMessage")
    fake_slack.wait_for(lambda: fake_slack.ack(envelope.envelope_id), what="ack on the new socket")


def _newest_socket_ready(fake: FakeSlack) -> bool:
    """True once exactly one socket (the new one) is open."""
    return fake.open_sockets() == 1 and fake.connections_opened == 2
