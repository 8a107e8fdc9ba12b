"""A human to ask (issue 9, part 3): "Fråga en människa" under declines and unsure answers posts
to the coordinators in the thread; "Löst" closes it. Through the real Bolt app, Socket Mode and
HTTP."""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import urlencode

import pytest
from pydantic import ValidationError

from bot.slack import messages
from bot.slack.escalation import ACTION_ASK_HUMAN, ACTION_SOLVED, needs_human
from config.collections import EVERYONE
from config.settings import SlackSettings
from retrieval.types import Answer, Reason
from tests.slack import payloads as p
from tests.slack.answers import SOURCE, declining
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.rendered import special_sequences
from tests.slack.test_http_mode import post

COORDINATORS = "U0COORD, S0GROUP"


def scored(confidence: float, threshold: float = 0.534):
    """An answering function whose answers carry the decider's probability and threshold."""

    def answer(
        question: str, history: Sequence[str], collections: frozenset[str] = EVERYONE
    ) -> Answer:
        return Answer(
            question, True, f"Svar: {question} [1]", (SOURCE,),
            debug={"confidence": confidence, "threshold": threshold},
        )  # fmt: skip

    return answer


def buttons(call: Call) -> dict[str, dict]:
    """The posted message's buttons (and feedback_buttons element) by action id."""
    kinds = ("actions", "context_actions")
    actions = [b for b in call.params.get("blocks", []) if b["type"] in kinds]
    return {e["action_id"]: e for block in actions for e in block["elements"]}


def click(fake: FakeSlack, answer: Call, action_id: str, user: str, thread_ts: str | None):
    """Click a button of a posted message, with the message as Slack shows it in the payload."""
    button = buttons(answer)[action_id]
    shown = {"text": answer.params["text"], "blocks": answer.params["blocks"]}
    return p.button_click(
        action_id,
        button["value"],
        fake.response_url("esc"),
        message_ts=answer.result["ts"],
        thread_ts=thread_ts,
        user=user,
        message=shown,
    )


def test_decline_asks_the_coordinators_in_the_thread_and_solved_closes_it(
    fake_slack, make_settings, run_bot
):
    """A decline in a channel carries "Fråga en människa"; a click posts in the thread a message
    mentioning the coordinators (a person and a user group) with the question, and takes the
    button off the answer; "Löst" replaces the message with who marked it solved."""
    run_bot(make_settings(escalation_users=COORDINATORS), declining)
    question = p.mention("Hur många platser får Danderyd?")
    fake_slack.send("events_api", p.event_callback(question))
    answer = fake_slack.wait_calls("chat.postMessage")[0]
    button = buttons(answer)[ACTION_ASK_HUMAN]
    assert button["text"]["text"] == messages.ASK_HUMAN

    fake_slack.send("interactive", click(fake_slack, answer, ACTION_ASK_HUMAN, "U0ASKER",
                                         question["ts"]))  # fmt: skip
    asked = fake_slack.wait_calls("chat.postMessage", 2)[1]
    assert asked.params["thread_ts"] == question["ts"] and asked.params["channel"] == "C0GENERAL"
    text = asked.params["text"]
    assert text.startswith("<@U0COORD> <!subteam^S0GROUP> – <@U0ASKER>")
    assert ">Hur många platser får Danderyd?" in text
    assert list(buttons(asked)) == [ACTION_SOLVED]
    update = fake_slack.wait_calls("chat.update")[0].params
    assert update["ts"] == answer.result["ts"] and ACTION_ASK_HUMAN not in json.dumps(update)
    assert "<@U0ASKER> har bett samordnarna om hjälp" in json.dumps(update, ensure_ascii=False)

    fake_slack.send("interactive", click(fake_slack, asked, ACTION_SOLVED, "U0COORD",
                                         question["ts"]))  # fmt: skip
    solved = fake_slack.wait_calls("chat.update", 2)[1].params
    assert solved["ts"] == asked.result["ts"]
    assert "*Löst* – <@U0COORD> markerade frågan som löst" in solved["text"]
    assert "Hur många platser får Danderyd?" in solved["text"]
    assert [b["type"] for b in solved["blocks"]] == ["section"]  # no button left


def test_unsure_answer_gets_the_button_and_a_sure_one_does_not(fake_slack, make_settings, run_bot):
    """An answer 0.05 above the threshold (margin 0.1) carries the button; 0.3 above does not."""
    run_bot(make_settings(escalation_users="U0COORD", escalation_margin=0.1), scored(0.584))
    fake_slack.send("events_api", p.event_callback(p.mention("Vad gäller?")))
    unsure = fake_slack.wait_calls("chat.postMessage")[0]
    assert ACTION_ASK_HUMAN in buttons(unsure)


def test_sure_answer_has_no_button(fake_slack, make_settings, run_bot):
    """An answer well above the threshold has only the feedback buttons."""
    run_bot(make_settings(escalation_users="U0COORD", escalation_margin=0.1), scored(0.834))
    fake_slack.send("events_api", p.event_callback(p.mention("Vad gäller?")))
    sure = fake_slack.wait_calls("chat.postMessage")[0]
    assert set(buttons(sure)) == {"feedback"}


def test_without_coordinators_a_decline_has_no_button(fake_slack, settings, run_bot):
    """SLACK_ESCALATION_USERS unset: the decline carries the feedback buttons only."""
    run_bot(settings, declining)
    fake_slack.send("events_api", p.event_callback(p.mention("Hur många platser?")))
    answer = fake_slack.wait_calls("chat.postMessage")[0]
    assert set(buttons(answer)) == {"feedback"}


def test_no_button_in_direct_messages_or_slash_command_answers(fake_slack, make_settings, run_bot):
    """The coordinators are not in a DM nor see a private slash answer: no button there."""
    run_bot(make_settings(escalation_users="U0COORD"), declining)
    fake_slack.send("events_api", p.event_callback(p.direct_message("Hur många platser?")))
    dm = fake_slack.wait_calls("chat.postMessage")[0]
    assert ACTION_ASK_HUMAN not in buttons(dm)
    fake_slack.send("slash_commands", p.slash_command("Hur många?", fake_slack.response_url("s")))
    private = fake_slack.wait_for(lambda: fake_slack.responses("s"), what="answer")[0]
    assert ACTION_ASK_HUMAN not in json.dumps(private["blocks"])


def test_question_cannot_ping_anyone_through_the_escalation(fake_slack, make_settings, run_bot):
    """A question holding <!channel> and a user mention reaches the thread escaped: the only
    mentions are the coordinators and the asker."""
    run_bot(make_settings(escalation_users="U0COORD"), declining)
    question = p.mention("Vad gäller <!channel> och <@U0OTHER>?")
    fake_slack.send("events_api", p.event_callback(question))
    answer = fake_slack.wait_calls("chat.postMessage")[0]
    fake_slack.send("interactive", click(fake_slack, answer, ACTION_ASK_HUMAN, "U0ASKER",
                                         question["ts"]))  # fmt: skip
    asked = fake_slack.wait_calls("chat.postMessage", 2)[1].params
    assert set(special_sequences(asked)) == {"@U0COORD", "@U0ASKER"}


def test_escalation_over_http_mode(fake_slack, make_settings, run_bot):
    """A signed block_actions click (form field `payload`) gets 200 and the thread message."""
    bot = run_bot(make_settings(mode="http", escalation_users="S0GROUP"), declining)
    question = p.mention("Hur många platser?")
    assert post(bot.port, json.dumps(p.event_callback(question)))[0] == 200
    answer = fake_slack.wait_calls("chat.postMessage")[0]
    payload = click(fake_slack, answer, ACTION_ASK_HUMAN, "U0ASKER", question["ts"])
    form = urlencode({"payload": json.dumps(payload)})
    status, _, seconds = post(bot.port, form, content_type="application/x-www-form-urlencoded")
    assert status == 200 and seconds < 0.5
    asked = fake_slack.wait_calls("chat.postMessage", 2)[1].params
    assert asked["text"].startswith("<!subteam^S0GROUP>")


def test_needs_human_reads_the_answers_decision():
    """Declines need a human; answers need one below threshold + margin; register lists (no
    decider) and empty questions do not."""
    decline = Answer("q", False, "Jag hittar inget.", reason=Reason.NO_RELEVANT)
    assert needs_human(decline, 0.1)
    assert needs_human(scored(0.60)("q", ()), 0.1) and not needs_human(scored(0.70)("q", ()), 0.1)
    assert not needs_human(scored(0.54)("q", ()), 0.0)
    assert not needs_human(Answer("q", True, "Lista [1]", (SOURCE,)), 0.1)
    assert not needs_human(Answer("", False, "Vad vill du fråga?", reason=Reason.EMPTY), 0.1)


def test_escalation_users_are_slack_ids():
    """User ids and group ids become mentions; a name or @handle is a configuration error."""
    assert SlackSettings(escalation_users=COORDINATORS).escalation_mentions == (
        "<@U0COORD>",
        "<!subteam^S0GROUP>",
    )
    assert SlackSettings().escalation_mentions == ()
    with pytest.raises(ValidationError, match="'@anna' is not a Slack user id"):
        SlackSettings(escalation_users="U0COORD,@anna")


def test_real_answerer_exposes_its_decision(answerer):
    """The Answerer's answers carry the decider's probability and the threshold it was held to,
    which the Slack layer compares."""
    answer = answerer.answer("Senast när ska kommunens ställningstagande ha kommit in till KSL?")
    assert answer.debug["threshold"] == answerer.threshold
    assert (answer.debug["confidence"] >= answer.debug["threshold"]) == answer.answered
