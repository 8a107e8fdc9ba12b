"""Socket Mode scenarios: the slash command, the feedback buttons and the "Vad saknades?" modal."""

from __future__ import annotations

import json
import sqlite3

from bot.slack import messages
from bot.slack.comment import CALLBACK_ID
from bot.slack.feedback import ACTION_HELPED, ACTION_NOT_HELPED, DB_NAME
from tests.slack import payloads as p
from tests.slack.answers import SOURCE, Recorder


def test_slash_command_is_acked_at_once_and_answered_with_respond(fake_slack, settings, run_bot):
    """/avtal question: the ack says it is working, the answer goes to the response_url."""
    recorder = Recorder(delay=0.5)
    run_bot(settings, recorder)
    url = fake_slack.response_url("cmd1")
    envelope = fake_slack.send(
        "slash_commands",
        p.slash_command("Vad ska FoU Nordost göra?", url),
        accepts_response_payload=True,
    )
    ack = fake_slack.wait_for(lambda: fake_slack.ack(envelope.envelope_id), what="ack")
    assert ack.at - envelope.sent_at < 0.5
    assert ack.payload == {"text": messages.WORKING}
    answer = fake_slack.wait_for(lambda: fake_slack.responses("cmd1"), what="respond()")[0]
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert answer["text"].startswith("Svar: Vad ska FoU Nordost göra? [1]")
    assert "Fråga: Vad ska FoU Nordost göra?" in json.dumps(answer["blocks"], ensure_ascii=False)
    assert recorder.calls == [("Vad ska FoU Nordost göra?", ())]


def test_slash_command_help_explains_usage_in_swedish(fake_slack, settings, run_bot):
    """`/avtal hjälp` (and a bare `/avtal`) is answered in the ack with the usage text."""
    recorder = Recorder()
    run_bot(settings, recorder)
    for text in ("hjälp", ""):
        envelope = fake_slack.send(
            "slash_commands",
            p.slash_command(text, fake_slack.response_url("h")),
            accepts_response_payload=True,
        )
        ack = fake_slack.wait_for(lambda e=envelope: fake_slack.ack(e.envelope_id), what="ack")
        assert "Så ställer du en fråga" in ack.payload["text"]
        assert "/avtal din fråga" in ack.payload["blocks"][0]["text"]["text"]
    assert recorder.calls == []


def test_slash_command_name_comes_from_settings(fake_slack, make_settings, run_bot):
    """SLACK_COMMAND=/samverkan: that command is answered."""
    run_bot(make_settings(command="/samverkan"), Recorder())
    payload = p.slash_command("Vad gäller?", fake_slack.response_url("s"), command="/samverkan")
    fake_slack.send("slash_commands", payload, accepts_response_payload=True)
    assert fake_slack.wait_for(lambda: fake_slack.responses("s"), what="answer")[0][
        "text"
    ].startswith("Svar:")


def test_slash_command_outside_allowed_channels_is_refused_in_the_ack(
    fake_slack, make_settings, run_bot
):
    """/avtal in a channel outside the allow list: the ack (seen by the asker only) says so."""
    recorder = Recorder()
    run_bot(make_settings(allowed_channels="C0ALLOWED"), recorder)
    envelope = fake_slack.send(
        "slash_commands",
        p.slash_command("Vad gäller?", fake_slack.response_url("x"), channel="C0ELSEWHERE"),
        accepts_response_payload=True,
    )
    ack = fake_slack.wait_for(lambda: fake_slack.ack(envelope.envelope_id), what="ack")
    assert ack.payload == {"text": messages.NOT_ENABLED}
    assert recorder.calls == []


def _thumbs(blocks: list[dict]) -> dict[str, str]:
    """The feedback_buttons element's values: {"positive_button": ..., "negative_button": ...}."""
    block = next(b for b in blocks if b["type"] == "context_actions")
    [element] = block["elements"]
    assert element["type"] == "feedback_buttons" and element["action_id"] == "feedback"
    return {side: element[side]["value"] for side in ("positive_button", "negative_button")}


def _answer_value(fake_slack, side: str = "positive_button") -> tuple[str, str]:
    """A feedback button's value and the ts of the first posted answer."""
    call = fake_slack.wait_calls("chat.postMessage")[0]
    return _thumbs(call.params["blocks"])[side], call.result["ts"]


def _rows(settings) -> list[tuple]:
    with sqlite3.connect(settings.data_dir / DB_NAME) as conn:
        return conn.execute(
            "SELECT helpful, question, answer, answered, chunk_ids, channel, message_ts, user_hash"
            " FROM feedback ORDER BY id"
        ).fetchall()


def _comments(settings) -> list[tuple]:
    with sqlite3.connect(settings.data_dir / DB_NAME) as conn:
        return conn.execute("SELECT helpful, question, comment FROM feedback").fetchall()


def test_feedback_click_is_stored_with_hashed_user_and_thanked(fake_slack, settings, run_bot):
    """A click stores question, answer, chunk ids, channel, hashed user; thanks ephemerally."""
    run_bot(settings, Recorder())
    question = p.mention("Vad ska FoU Nordost göra?")
    fake_slack.send("events_api", p.event_callback(question))
    value, answer_ts = _answer_value(fake_slack)
    click = p.feedback_click(
        value, fake_slack.response_url("b"), message_ts=answer_ts, thread_ts=question["ts"]
    )
    envelope = fake_slack.send("interactive", click)
    thanks = fake_slack.wait_calls("chat.postEphemeral")[0].params
    fake_slack.wait_for(lambda: fake_slack.ack(envelope.envelope_id), what="ack of the click")
    assert thanks["text"] == messages.THANKS_HELPED
    assert thanks["user"] == "U0VOTER" and thanks["thread_ts"] == question["ts"]
    [row] = _rows(settings)
    helpful, q, answer, answered, chunk_ids, channel, message_ts, user_hash = row
    assert (helpful, q, answered, channel, message_ts) == (
        1,
        "Vad ska FoU Nordost göra?",
        1,
        "C0GENERAL",
        answer_ts,
    )
    assert answer == "Svar: Vad ska FoU Nordost göra? [1]"
    assert json.loads(chunk_ids) == [SOURCE.chunk_id]
    assert len(user_hash) == 64 and "U0VOTER" not in user_hash
    assert fake_slack.calls("views.open") == []  # "Hjälpte" asks nothing more


def test_second_vote_on_the_same_answer_replaces_the_first(fake_slack, settings, run_bot):
    """Changing one's mind ("Hjälpte" then "Hjälpte inte") leaves one row with the last vote."""
    run_bot(settings, Recorder())
    fake_slack.send("events_api", p.event_callback(p.mention("Vad gäller?")))
    call = fake_slack.wait_calls("chat.postMessage")[0]
    values, answer_ts = _thumbs(call.params["blocks"]), call.result["ts"]
    for side, count in (("positive_button", 1), ("negative_button", 2)):
        click = p.feedback_click(values[side], fake_slack.response_url("b"), message_ts=answer_ts)
        fake_slack.send("interactive", click)
        fake_slack.wait_calls("chat.postEphemeral", count)
    assert [row[0] for row in _rows(settings)] == [0]
    assert fake_slack.calls("chat.postEphemeral")[1].params["text"] == messages.THANKS_NOT_HELPED


def test_feedback_on_an_ephemeral_slash_answer_is_thanked_via_respond(
    fake_slack, settings, run_bot
):
    """A vote on an ephemeral (slash command) answer is stored and thanked through response_url."""
    run_bot(settings, Recorder())
    fake_slack.send("slash_commands", p.slash_command("Vad gäller?", fake_slack.response_url("c")))
    answer = fake_slack.wait_for(lambda: fake_slack.responses("c"), what="answer")[0]
    value = _thumbs(answer["blocks"])["negative_button"]
    click = p.feedback_click(value, fake_slack.response_url("v"), ephemeral=True)
    fake_slack.send("interactive", click)
    thanks = fake_slack.wait_for(lambda: fake_slack.responses("v"), what="thanks")[0]
    assert thanks["text"] == messages.THANKS_NOT_HELPED and thanks["response_type"] == "ephemeral"
    assert [row[:2] for row in _rows(settings)] == [(0, "Vad gäller?")]
    [view] = fake_slack.wait_for(fake_slack.opened_views, what="the modal")
    fake_slack.send("interactive", p.view_submission(view, "Fel år"))
    fake_slack.wait_for(lambda: _comments(settings)[0][2], what="the comment")
    assert _comments(settings) == [(0, "Vad gäller?", "Fel år")]


def test_buttons_of_answers_posted_before_still_count(fake_slack, settings, run_bot):
    """The plain "Hjälpte" / "Hjälpte inte" buttons of older answers are stored as before."""
    run_bot(settings, Recorder())
    fake_slack.send("events_api", p.event_callback(p.mention("Vad gäller?")))
    value, answer_ts = _answer_value(fake_slack)
    for action, count in ((ACTION_HELPED, 1), (ACTION_NOT_HELPED, 2)):
        click = p.button_click(action, value, fake_slack.response_url("b"), message_ts=answer_ts)
        fake_slack.send("interactive", click)
        fake_slack.wait_calls("chat.postEphemeral", count)
    assert [row[:2] for row in _rows(settings)] == [(0, "Vad gäller?")]
    assert len(fake_slack.wait_calls("views.open")) == 1


def _not_helped(fake_slack, question: str = "Vad kostar parkeringen?") -> dict:
    """Ask in a channel, click "Hjälpte inte"; the click payload."""
    fake_slack.send("events_api", p.event_callback(p.mention(question)))
    value, answer_ts = _answer_value(fake_slack, "negative_button")
    click = p.feedback_click(value, fake_slack.response_url("n"), message_ts=answer_ts)
    fake_slack.send("interactive", click)
    return click


def test_not_helped_opens_the_modal_and_its_text_is_kept_with_the_vote(
    fake_slack, settings, run_bot
):
    """ "Hjälpte inte": views.open with the click's trigger_id and an optional multiline input;
    the text submitted is stored with that vote, and the submission is acked (modal closes)."""
    run_bot(settings, Recorder())
    click = _not_helped(fake_slack)
    call = fake_slack.wait_calls("views.open")[0]
    assert call.params["trigger_id"] == click["trigger_id"]
    [view] = fake_slack.opened_views()
    assert view["callback_id"] == CALLBACK_ID and view["title"]["text"] == "Vad saknades?"
    [field] = [b for b in view["blocks"] if b["type"] == "input"]
    assert field["optional"] is True and field["element"]["type"] == "plain_text_input"
    assert field["element"]["multiline"] is True
    assert "Vad kostar parkeringen?" in json.dumps(view["blocks"], ensure_ascii=False)
    submission = fake_slack.send("interactive", p.view_submission(view, "Taxan för 2026 saknas"))
    ack = fake_slack.wait_for(lambda: fake_slack.ack(submission.envelope_id), what="ack")
    assert not (ack.payload or {}).get("response_action")  # closes the modal
    fake_slack.wait_for(lambda: _comments(settings)[0][2], what="the comment")
    assert _comments(settings) == [(0, "Vad kostar parkeringen?", "Taxan för 2026 saknas")]


def test_an_empty_modal_or_another_voters_submission_changes_nothing(fake_slack, settings, run_bot):
    """Submitting the modal empty keeps the vote without text; a submission from someone who
    did not vote is not pinned on the voter's row."""
    run_bot(settings, Recorder())
    _not_helped(fake_slack)
    [view] = fake_slack.wait_for(fake_slack.opened_views, what="the modal")
    for payload in (p.view_submission(view, None), p.view_submission(view, "x", user="U0OTHER")):
        envelope = fake_slack.send("interactive", payload)
        fake_slack.wait_for(lambda e=envelope: fake_slack.ack(e.envelope_id), what="ack")
    assert _comments(settings) == [(0, "Vad kostar parkeringen?", "")]


def test_a_stale_trigger_loses_the_modal_but_not_the_vote(fake_slack, settings, run_bot):
    """views.open answering expired_trigger_id (the click came late): the vote is stored and
    the voter thanked all the same."""
    run_bot(settings, Recorder())
    fake_slack.send("events_api", p.event_callback(p.mention("Vad gäller?")))
    value, answer_ts = _answer_value(fake_slack, "negative_button")
    click = p.feedback_click(value, fake_slack.response_url("n"), message_ts=answer_ts)
    fake_slack.expire_trigger(click["trigger_id"])
    fake_slack.send("interactive", click)
    thanks = fake_slack.wait_calls("chat.postEphemeral")[0].params
    assert thanks["text"] == messages.THANKS_NOT_HELPED
    [refused] = fake_slack.calls("views.open")
    assert refused.result["error"] == "expired_trigger_id"
    assert [row[:2] for row in _rows(settings)] == [(0, "Vad gäller?")]
