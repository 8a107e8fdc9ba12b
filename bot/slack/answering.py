"""Answer questions in a bounded worker pool and post the result; no question is left silent.

Listeners only acknowledge, react with :eyes: and queue; a pool of ``SLACK_WORKERS`` threads
calls the answering function and posts the answer, a decline or an apology. The :eyes: reaction
is removed when the reply is posted. Declined questions are recorded (hashed asker) for
`python -m bot gaps`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import messages
from bot.slack.blocks import SlackMessage, answer_message, notice
from bot.slack.escalation import needs_human
from bot.slack.feedback import Declined, FeedbackRecord
from bot.slack.threads import ThreadStore
from config.collections import default_only
from retrieval.types import Answer, Reason

log = logging.getLogger(__name__)

# (question, earlier questions of the conversation, the collections the channel may see)
AnswerFn = Callable[[str, Sequence[str], frozenset[str]], Answer]
WORKING_REACTION = "eyes"


@dataclass(frozen=True)
class Question:
    """A question and where it was asked.

    `ts` is the message holding the question ("" for slash commands), `reply_in` the thread the
    answer goes to (None: top level) and `thread` the root ts whose earlier questions form the
    history ("" for none).
    """

    text: str
    channel: str
    user: str
    ts: str = ""
    reply_in: str | None = None
    thread: str = ""


def channel_type(question: Question) -> str:
    """ "command" for a slash command, "im" for a direct message, else "channel"."""
    if not question.ts:
        return "command"
    return "im" if question.channel.startswith("D") else "channel"


class Answering:
    """Runs the answering function off the listener threads and posts its result."""

    def __init__(
        self,
        answer_fn: AnswerFn,
        client: WebClient,
        pool: Executor,
        threads: ThreadStore,
        docs_base_url: str = "",
        escalation_margin: float | None = None,
        declines: FeedbackRecord | None = None,
        collections_for: Callable[[str], frozenset[str]] = default_only,
    ) -> None:
        """`escalation_margin` None: no "Fråga en människa" button (no coordinators set);
        `declines`: where declined questions are recorded (None: nowhere);
        `collections_for(channel)`: the document collections a channel's answers come from."""
        self._collections_for = collections_for
        self._declines = declines
        self._answer_fn = answer_fn
        self._escalation_margin = escalation_margin
        self._client = client
        self._pool = pool
        self._threads = threads
        self._docs_base_url = docs_base_url

    def queue_message(
        self, question: Question, working: Callable[[], object] | None = None
    ) -> None:
        """Show that the bot is working and queue an answer to a message (channel thread, DM or
        assistant thread): `working` None reacts with :eyes: (removed when the reply is posted),
        else `working()` is called (the assistant panel's status, which Slack clears when the
        reply is posted); a failure there is logged and the question still answered."""
        if working is None:
            self._react("reactions_add", question)
        else:
            try:
                working()
            except Exception:
                log.exception(
                    "Showing that a question in %s is being answered failed", question.channel
                )
        self._pool.submit(self._answer_and_post, question, working is None)

    def queue_command(self, question: Question, respond: Respond) -> None:
        """Queue an answer to a slash command, delivered with `respond` (only the asker sees it)."""
        self._pool.submit(self._answer_and_respond, question, respond)

    def _answer_and_post(self, question: Question, reacted: bool = True) -> None:
        try:
            posted_ts = self.post(question.channel, question.reply_in, self._reply(question))
            if posted_ts and question.reply_in is None:
                # A top-level DM answer: a reply in its thread continues this question.
                self._threads.remember(question.channel, posted_ts, question.text)
        finally:
            if reacted:
                self._react("reactions_remove", question)

    def _answer_and_respond(self, question: Question, respond: Respond) -> None:
        message = self._reply(question, show_question=True)
        for attempt in (message, SlackMessage(text=message.text)):
            try:
                result = respond(
                    response_type="ephemeral", replace_original=False, **attempt.kwargs()
                )
            except Exception:
                log.exception("Posting to the slash command's response_url failed")
                return
            if result.status_code == 200:
                return
            log.error("response_url answered %s: %s", result.status_code, result.body)

    def _reply(self, question: Question, show_question: bool = False) -> SlackMessage:
        """The answer, decline or apology for `question`; never raises. An answer in a channel
        that needs a human gets the "Fråga en människa" button (not a DM or a slash command's
        private answer: the coordinators are not there)."""
        try:
            history: list[str] = []
            if question.thread:
                history = self._threads.history(question.channel, question.thread)
                self._threads.remember(question.channel, question.thread, question.text)
            collections = self._collections_for(question.channel)
            answer = self._answer_fn(question.text, history, collections)
            self._record_decline(question, answer)
            margin = self._escalation_margin
            ask_human = (
                margin is not None
                and bool(question.ts)  # a message, not a slash command
                and not question.channel.startswith("D")
                and needs_human(answer, margin)
            )
            return answer_message(
                answer, self._docs_base_url, show_question=show_question, ask_human=ask_human
            )
        except Exception:
            log.exception(
                "Answering a question in %s failed; the user got an apology", question.channel
            )
            return notice(messages.APOLOGY)

    def _record_decline(self, question: Question, answer: Answer) -> None:
        """Keep a declined question (not an empty one) for `gaps`; a failure is only logged."""
        if self._declines is None or answer.answered or answer.reason is Reason.EMPTY:
            return
        declined = Declined(
            question=question.text,
            reason=str(answer.reason),
            signal=answer.signal,
            channel_type=channel_type(question),
            user_hash=self._declines.hash_user(question.user),
        )
        try:
            self._declines.add_declined(declined)
        except Exception:
            log.exception("Recording a declined question in %s failed", self._declines.where)

    def post(self, channel: str, thread_ts: str | None, message: SlackMessage) -> str | None:
        """chat.postMessage (plain text if Slack refuses the blocks); the posted ts or None."""
        attempts = [message] if not message.blocks else [message, SlackMessage(text=message.text)]
        for attempt in attempts:
            try:
                response = self._client.chat_postMessage(
                    channel=channel, thread_ts=thread_ts, **attempt.kwargs()
                )
                return str(response.get("ts", ""))
            except SlackApiError as exc:
                log.error(
                    "chat.postMessage in %s was refused: %s", channel, exc.response.get("error")
                )
            except Exception:
                log.exception("chat.postMessage in %s failed", channel)
                return None
        return None

    def _react(self, method: str, question: Question) -> None:
        if not question.ts:
            return
        call: Callable[..., Any] = getattr(self._client, method)
        try:
            call(channel=question.channel, timestamp=question.ts, name=WORKING_REACTION)
        except SlackApiError as exc:
            log.warning(
                "%s on %s/%s failed: %s",
                method,
                question.channel,
                question.ts,
                exc.response.get("error"),
            )
        except Exception:
            log.exception("%s on %s/%s failed", method, question.channel, question.ts)
