"""The real answerer (real model, real index of the sample corpus) behind the real Bolt app."""

from __future__ import annotations

import json

from bot.slack import messages
from tests.slack import payloads as p
from tests.slack.fake_slack import FakeSlack


def _ask(fake: FakeSlack, event: dict) -> None:
    fake.send("events_api", p.event_callback(event))


def test_mention_gets_a_cited_answer_from_the_sample_corpus(
    fake_slack, settings, run_bot, answerer
):
    """A mention about the reply deadline is answered in its thread with 31 December 2016 and
    a numbered source naming the decision (body and date) and its page."""
    run_bot(settings, answerer.answer)
    event = p.mention("Senast när ska kommunens ställningstagande ha kommit in till KSL?")
    _ask(fake_slack, event)
    post = fake_slack.wait_calls("chat.postMessage", timeout=60)[0].params
    assert post["thread_ts"] == event["ts"]
    blocks = json.dumps(post["blocks"], ensure_ascii=False)
    assert "31 december 2016" in blocks and "[1]" in blocks
    assert f"{messages.PAGE} 1" in blocks
    assert "socialnämnden 2016-12-14" in blocks or "styrelsen 2016-06-06" in blocks


def test_follow_up_in_thread_is_answered_in_context(fake_slack, settings, run_bot, answerer):
    """'och när?' in the thread of a question about FoU Nordost gets an answer with a date."""
    from bot.question import DATE_RE

    run_bot(settings, answerer.answer)
    first = p.mention("Vad ska FoU Nordost skicka till KSL?")
    _ask(fake_slack, first)
    fake_slack.wait_calls("chat.postMessage", timeout=60)
    _ask(fake_slack, p.mention("och när?", thread_ts=first["ts"]))
    posts = fake_slack.wait_calls("chat.postMessage", count=2, timeout=60)
    second = posts[1].params
    assert second["thread_ts"] == first["ts"]
    assert DATE_RE.search(second["text"])
