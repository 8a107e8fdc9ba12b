"""Bolt listeners: mentions, direct messages, the slash command and the feedback buttons.

Each listener acknowledges at once (Events API events are acked by Bolt before the listener
runs), checks where it was asked and hands the question to `Answering`. "Hjälpte inte" opens
the "Vad saknades?" modal (`bot.slack.comment`), whose text is kept with the vote.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import messages
from bot.slack.answering import Answering, Question
from bot.slack.blocks import notice
from bot.slack.comment import CALLBACK_ID, comment_of, open_comment_modal
from bot.slack.dedupe import SeenStore
from bot.slack.feedback import (
    ACTION_FEEDBACK,
    ACTION_HELPED,
    ACTION_NOT_HELPED,
    FeedbackRecord,
    Vote,
    decode_value,
    helped_of,
)

log = logging.getLogger(__name__)

# Message subtypes that are a person writing; edits, joins, bot posts etc. are ignored.
_HUMAN_SUBTYPES = frozenset({"", "thread_broadcast", "file_share"})
_FEEDBACK_ACTION = re.compile(f"^({ACTION_FEEDBACK}|{ACTION_HELPED}|{ACTION_NOT_HELPED})$")


class ChannelPolicy:
    """Where the bot answers: the allowed channel ids (all when empty), and DMs if enabled."""

    def __init__(self, allowed_channels: str, allow_dms: bool) -> None:
        self._allowed = {c.strip() for c in allowed_channels.split(",") if c.strip()}
        self._allow_dms = allow_dms

    def allows(self, channel: str) -> bool:
        """True when the bot may answer in `channel`."""
        if is_dm(channel):
            return self._allow_dms
        return not self._allowed or channel in self._allowed


def is_dm(channel: str) -> bool:
    """Direct-message conversation ids start with D."""
    return channel.startswith("D")


def is_from_person(event: dict[str, Any]) -> bool:
    """False for bots (our own posts included), edits, deletions and other system messages."""
    return (
        bool(event.get("user"))
        and not event.get("bot_id")
        and event.get("subtype", "") in _HUMAN_SUBTYPES
    )


def is_help(text: str) -> bool:
    """True for "hjälp", "help", "?" (any case, with or without "!" or ".")."""
    return text.lower().strip().rstrip("!.") in messages.HELP_WORDS


def strip_mention(text: str, bot_user_id: str | None) -> str:
    """The question without `<@BOT>` mentions of the bot."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", " ", text)
    return " ".join(text.split())


class Listeners:
    """The Bolt listeners; `register(app)` attaches them (the slash command is `command_name`)."""

    def __init__(
        self,
        answering: Answering,
        policy: ChannelPolicy,
        seen: SeenStore,
        feedback: FeedbackRecord,
        command_name: str,
    ) -> None:
        self.answering = answering
        self.policy = policy
        self.seen = seen
        self.feedback = feedback
        self.command_name = command_name

    def register(self, app: App) -> None:
        """Attach mentions, DMs, the slash command and the feedback buttons to `app`."""
        app.event("app_mention")(self.on_message_event)
        app.event("message")(self.on_message_event)
        app.command(self.command_name)(self.on_command)
        app.action(_FEEDBACK_ACTION)(self.on_feedback)
        app.view_submission(CALLBACK_ID)(self.on_comment)

    def on_message_event(
        self, event: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """An app_mention, or a message.im; other messages, bots and edits are ignored."""
        if event.get("type") != "app_mention" and event.get("channel_type") != "im":
            return
        channel, ts = event.get("channel", ""), event.get("ts", "")
        if not is_from_person(event) or not self.seen.first_time(f"message:{channel}:{ts}"):
            return
        thread_ts = event.get("thread_ts")
        question = Question(
            text=strip_mention(event.get("text", ""), context.bot_user_id),
            channel=channel,
            user=event["user"],
            ts=ts,
            reply_in=thread_ts or (None if is_dm(channel) else ts),
            thread=thread_ts or ts,
        )
        self.ask(question, client)

    def ask(
        self, question: Question, client: WebClient, working: Callable[[], object] | None = None
    ) -> None:
        """Answer `question` where it was asked: the not-enabled notice, the usage text for
        "hjälp" or an empty question, else an answer queued (`working`: see `queue_message`)."""
        if not self.policy.allows(question.channel):
            _tell_not_enabled(client, question)
        elif not question.text or is_help(question.text):
            text = (
                messages.help_text(self.command_name) if question.text else messages.EMPTY_QUESTION
            )
            self.answering.post(question.channel, question.reply_in, notice(text))
        else:
            self.answering.queue_message(question, working)

    def on_command(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        """The slash command: help, not-enabled or "working" in the ack; the answer by respond()."""
        text = " ".join(command.get("text", "").split())
        channel = command.get("channel_id", "")
        if not text or is_help(text):
            ack(**notice(messages.help_text(self.command_name)).kwargs())
        elif not self.policy.allows(channel):
            ack(text=messages.NOT_ENABLED)
        else:
            ack(text=messages.WORKING)
            question = Question(text=text, channel=channel, user=command.get("user_id", ""))
            self.answering.queue_command(question, respond)

    def on_feedback(
        self,
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        respond: Respond,
    ) -> None:
        """A click on "Hjälpte" / "Hjälpte inte": store the vote, thank the voter privately;
        "Hjälpte inte" also opens the modal asking what was wrong (while the trigger is fresh)."""
        ack()
        helpful = helped_of(action)
        vote = self._store_vote(body, action, helpful)
        if not helpful:
            open_comment_modal(client, body.get("trigger_id", ""), vote)
        _thank(body, helpful, client, respond)

    def on_comment(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The modal's "Skicka": keep the (optional) text with the voter's vote."""
        ack()
        where, text = comment_of(view)
        if not text or where is None:
            return
        user_hash = self.feedback.hash_user((body.get("user") or {}).get("id", ""))
        try:
            if not self.feedback.add_comment(where[0], where[1], user_hash, text):
                log.warning(
                    "A comment in %s came without a stored vote; it was kept nowhere", where[0]
                )
        except Exception:
            log.exception("Storing a feedback comment in %s failed", self.feedback.where)

    def _store_vote(self, body: dict[str, Any], action: dict[str, Any], helpful: bool) -> Vote:
        question, answer, answered, chunk_ids = decode_value(action.get("value", ""))
        container = body.get("container") or {}
        vote = Vote(
            helpful=helpful,
            question=question,
            answer=answer,
            answered=answered,
            chunk_ids=chunk_ids,
            channel=(body.get("channel") or {}).get("id", "") or container.get("channel_id", ""),
            message_ts=container.get("message_ts", ""),
            user_hash=self.feedback.hash_user((body.get("user") or {}).get("id", "")),
        )
        try:
            self.feedback.add(vote)
        except Exception:
            log.exception("Storing feedback in %s failed", self.feedback.where)
        return vote


def _tell_not_enabled(client: WebClient, question: Question) -> None:
    """Tell only the asker that the bot does not answer in this channel."""
    try:
        client.chat_postEphemeral(
            channel=question.channel,
            user=question.user,
            text=messages.NOT_ENABLED,
            thread_ts=question.reply_in,
        )
    except SlackApiError as exc:
        log.warning(
            "chat.postEphemeral in %s failed: %s", question.channel, exc.response.get("error")
        )
    log.info("Question in %s ignored: channel not in SLACK_ALLOWED_CHANNELS", question.channel)


def _thank(body: dict[str, Any], helpful: bool, client: WebClient, respond: Respond) -> None:
    """Thank the voter ephemerally, in the thread of the answer when there is one."""
    text = messages.THANKS_HELPED if helpful else messages.THANKS_NOT_HELPED
    container = body.get("container") or {}
    try:
        if container.get("is_ephemeral"):
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        thread_ts = (body.get("message") or {}).get("thread_ts")
        client.chat_postEphemeral(
            channel=container.get("channel_id", ""),
            user=(body.get("user") or {}).get("id", ""),
            text=text,
            thread_ts=thread_ts,
        )
    except Exception:
        log.exception("Thanking for feedback failed")
