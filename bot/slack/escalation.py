"""A human to ask: "Fråga en människa" under declines and unsure answers, and "Löst".

With SLACK_ESCALATION_USERS set, an answer in a channel thread that the bot declined, or whose
probability is less than SLACK_ESCALATION_MARGIN above the answer threshold, carries a
"Fråga en människa" button. A click posts in the thread a message that mentions the
coordinators (`<@U…>`, `<!subteam^S…>`) with the question, and takes the button off the answer;
that message's "Löst" button replaces it with who marked it solved. Direct messages and slash
command answers have no button: the coordinators are not in those conversations.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import messages
from bot.slack.mrkdwn import escape_trimmed, one_line
from retrieval.types import Answer, Reason

log = logging.getLogger(__name__)

ACTION_ASK_HUMAN = "escalate_ask"
ACTION_SOLVED = "escalate_solved"
QUESTION_MAX = 1500  # of the button value's 2,000 characters; the rest is JSON and user ids


def needs_human(answer: Answer, margin: float) -> bool:
    """True for a decline, or for an answer whose probability (the decider's, in `debug`) is
    less than `margin` above the threshold it was held to. Answers made without the decider
    (register lists) and empty questions are not offered to a human."""
    if answer.reason is Reason.EMPTY:
        return False
    if not answer.answered:
        return True
    p, threshold = answer.debug.get("confidence"), answer.debug.get("threshold")
    return p is not None and threshold is not None and p < threshold + margin


def ask_value(question: str) -> str:
    """The "Fråga en människa" button's value: the question, within Slack's 2,000 characters
    (lone surrogates replaced, so it can be sent as UTF-8)."""
    text = question[:QUESTION_MAX].encode("utf-8", "replace").decode("utf-8")
    return json.dumps({"q": text}, ensure_ascii=False)


def _question(value: str) -> str:
    try:
        return str(json.loads(value).get("q", ""))
    except (ValueError, AttributeError):
        log.warning("Escalation button value is not the expected JSON; asking without it")
        return ""


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def escalation_message(
    mentions: tuple[str, ...], asker: str, question: str
) -> tuple[str, list[dict[str, Any]]]:
    """Text and blocks of the message asking the coordinators, with the "Löst" button."""
    quoted = escape_trimmed(one_line(question), QUESTION_MAX) or messages.ESCALATION_NO_QUESTION
    text = messages.ESCALATION_ASK.format(
        mentions=" ".join(mentions), asker=f"<@{asker}>", question=quoted
    )
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": messages.SOLVED},
        "action_id": ACTION_SOLVED,
        "value": ask_value(question),
        "style": "primary",
    }
    return text, [_section(text), {"type": "actions", "elements": [button]}]


def solved_message(solver: str, question: str) -> tuple[str, list[dict[str, Any]]]:
    """Text and blocks that replace the escalation once someone marked it solved."""
    quoted = escape_trimmed(one_line(question), QUESTION_MAX) or messages.ESCALATION_NO_QUESTION
    text = messages.ESCALATION_SOLVED.format(solver=f"<@{solver}>", question=quoted)
    return text, [_section(text)]


def without_ask_button(blocks: list[dict[str, Any]], asker: str) -> list[dict[str, Any]]:
    """The answer's blocks with the "Fråga en människa" button taken off and a line saying who
    asked the coordinators (so it is asked once)."""
    out = []
    for block in blocks:
        if block.get("type") == "actions":
            elements = [
                e for e in block.get("elements", []) if e.get("action_id") != ACTION_ASK_HUMAN
            ]
            block = {**block, "elements": elements}
            if not elements:
                continue
        out.append(block)
    note = messages.ESCALATION_ASKED.format(asker=f"<@{asker}>")
    return [*out, {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}]


class Escalation:
    """The two buttons' listeners; `mentions` are the coordinators (SLACK_ESCALATION_USERS)."""

    def __init__(self, mentions: tuple[str, ...]) -> None:
        self.mentions = mentions

    def register(self, app: App) -> None:
        """Attach "Fråga en människa" and "Löst" to `app`."""
        app.action(ACTION_ASK_HUMAN)(self.on_ask)
        app.action(ACTION_SOLVED)(self.on_solved)

    def on_ask(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        """Post the question to the coordinators in the answer's thread; update the answer."""
        ack()
        channel, message = _where(body)
        asker = (body.get("user") or {}).get("id", "")
        if not channel or not message or not self.mentions:
            log.warning("'Fråga en människa' clicked where it cannot be posted; ignored")
            return
        question = _question(action.get("value", ""))
        text, blocks = escalation_message(self.mentions, asker, question)
        thread = message.get("thread_ts") or message.get("ts")
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.error("Escalation in %s was refused: %s", channel, exc.response.get("error"))
            return
        if message.get("blocks"):  # Slack sends the message as shown; never blank it
            _update(
                client,
                channel,
                str(message.get("ts", "")),
                str(message.get("text", "")),
                without_ask_button(message["blocks"], asker),
            )
        log.info("Question in %s escalated to %d coordinator(s)", channel, len(self.mentions))

    def on_solved(
        self, ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        """Replace the escalation with who marked it solved."""
        ack()
        channel, message = _where(body)
        solver = (body.get("user") or {}).get("id", "")
        if not channel or not message:
            return
        text, blocks = solved_message(solver, _question(action.get("value", "")))
        _update(client, channel, str(message.get("ts", "")), text, blocks)


def _where(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The channel and the message the button was on ({} for an ephemeral message)."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id", "") or container.get("channel_id", "")
    return str(channel), body.get("message") or {}


def _update(
    client: WebClient, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]
) -> None:
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.error("chat.update of %s in %s was refused: %s", ts, channel, exc.response.get("error"))
    except Exception:
        log.exception("chat.update of %s in %s failed", ts, channel)
