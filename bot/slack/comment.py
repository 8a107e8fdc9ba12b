"""The "Vad saknades?" modal that "Hjälpte inte" opens: an optional text kept with the vote.

The modal is opened with views.open and the click's trigger_id (valid for 3 seconds, once).
Its private_metadata names the answer voted on (channel and message ts); the voter comes from
the view_submission payload, so the text lands on that voter's vote. When Slack refuses to
open the modal the vote is kept all the same.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import messages
from bot.slack.feedback import COMMENT_MAX, Vote
from bot.slack.mrkdwn import escape_trimmed, one_line

log = logging.getLogger(__name__)

CALLBACK_ID = "feedback_comment"
BLOCK_ID = "comment"
INPUT_ID = "text"
QUESTION_MAX = 2000


def comment_view(vote: Vote) -> dict[str, Any]:
    """The modal: the question, then an optional multiline input of at most COMMENT_MAX."""
    blocks: list[dict[str, Any]] = []
    if vote.question.strip():
        quoted = escape_trimmed(one_line(vote.question), QUESTION_MAX)
        text = messages.WHAT_WAS_WRONG_QUESTION.format(question=quoted)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    blocks.append(
        {
            "type": "input",
            "block_id": BLOCK_ID,
            "optional": True,
            "label": _plain(messages.WHAT_WAS_WRONG_LABEL),
            "hint": _plain(messages.WHAT_WAS_WRONG_HINT),
            "element": {
                "type": "plain_text_input",
                "action_id": INPUT_ID,
                "multiline": True,
                "max_length": COMMENT_MAX,
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _plain(messages.WHAT_WAS_WRONG_TITLE),
        "submit": _plain(messages.WHAT_WAS_WRONG_SUBMIT),
        "close": _plain(messages.WHAT_WAS_WRONG_CLOSE),
        "private_metadata": json.dumps({"c": vote.channel, "t": vote.message_ts}),
        "blocks": blocks,
    }


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def open_comment_modal(client: WebClient, trigger_id: str, vote: Vote) -> None:
    """views.open with the click's trigger; a refusal (expired trigger...) is only logged."""
    if not trigger_id:
        log.warning("A 'Hjälpte inte' click in %s had no trigger_id; no modal", vote.channel)
        return
    try:
        client.views_open(trigger_id=trigger_id, view=comment_view(vote))
    except SlackApiError as exc:
        log.warning(
            "views.open for the feedback modal in %s was refused: %s",
            vote.channel,
            exc.response.get("error"),
        )
    except Exception:
        log.exception("views.open for the feedback modal in %s failed", vote.channel)


def comment_of(view: dict[str, Any]) -> tuple[tuple[str, str] | None, str]:
    """((channel, message ts) of the answer, or None if unreadable; the text, stripped)."""
    state = ((view.get("state") or {}).get("values") or {}).get(BLOCK_ID) or {}
    text = ((state.get(INPUT_ID) or {}).get("value") or "").strip()
    try:
        where = json.loads(view.get("private_metadata") or "")
        return (str(where["c"]), str(where["t"])), text
    except (ValueError, KeyError, TypeError):
        log.warning("The feedback modal's private_metadata is not the expected JSON")
        return None, text
