"""The assistant panel (Slack's AI app view), on Bolt's `Assistant` middleware.

A new thread gets a Swedish greeting and up to four suggested prompts built from the index in
use (the coming deadlines, the parties with the most obligations; "hur ställer jag en fråga?"
when there is room or nothing else). A question there is answered like a DM: the same answer
function, reply blocks and feedback buttons, with the thread's earlier questions as history;
while it is answered the thread shows "Letar i avtalen …" (assistant.threads.setStatus, cleared
by Slack when the reply is posted) and the first question names the thread (setTitle).

Threads the panel opened are recorded (`ThreadStore.start_assistant_thread`); a reply in any
other DM thread is left to the ordinary message listener, which marks it with :eyes: instead.
With DATABASE_URL set the threads, their questions and the context Slack gives each (Bolt's
thread context store) are kept in PostgreSQL, so any replica continues a thread another began.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Assistant, BoltContext, SetStatus, SetSuggestedPrompts, SetTitle
from slack_bolt.context.assistant.thread_context_store.store import AssistantThreadContextStore
from slack_bolt.request.payload_utils import is_user_message_event_in_assistant_thread
from slack_sdk import WebClient

from bot.register_cli import due_between, obligations_of
from bot.slack import messages
from bot.slack.answering import Question
from bot.slack.handlers import Listeners, is_from_person, is_help, strip_mention
from bot.slack.home import HOME_WEEKS, SnapshotFn, current_snapshot
from bot.slack.mrkdwn import one_line, trim
from bot.slack.threads import ThreadStore
from config.collections import EVERYONE, default_only
from retrieval.snapshot import Snapshot

log = logging.getLogger(__name__)

MAX_PROMPTS = 4  # Slack shows at most four suggested prompts
PARTY_PROMPTS = 2
PARTY_MAX = 60  # characters of a party's name in a prompt
TITLE_MAX = 80  # characters of a question used as the thread's title

Prompt = dict[str, str]


def _prompt(text: str) -> Prompt:
    return {"title": text, "message": text}


def suggested_prompts(snapshot: Snapshot | None, today: dt.date) -> list[Prompt]:
    """The prompts for a new thread from `snapshot` (None: the index cannot be read): "Vilka
    deadlines har vi?" when a deadline falls in the coming HOME_WEEKS weeks, "Vad ska <party>
    göra?" for the parties with the most obligations, then the usage prompt while there is room."""
    prompts: list[Prompt] = []
    if snapshot is not None:
        if due_between(snapshot, today, today + dt.timedelta(weeks=HOME_WEEKS)):
            prompts.append(_prompt(messages.ASSISTANT_PROMPT_DEADLINES))
        parties = Counter(o.party for o in obligations_of(snapshot) if o.party.strip())
        for party, _ in parties.most_common(PARTY_PROMPTS):
            name = trim(one_line(party), PARTY_MAX)
            prompts.append(_prompt(messages.ASSISTANT_PROMPT_PARTY.format(party=name)))
    help_prompt = {"title": messages.ASSISTANT_PROMPT_HELP_TITLE, "message": "hjälp"}
    return [*prompts, help_prompt][:MAX_PROMPTS]


def thread_title(question: str) -> str:
    """The question on one line, cut to TITLE_MAX characters."""
    return trim(one_line(question), TITLE_MAX)


class AssistantPanel:
    """Listeners for the assistant panel; `assistant()` gives the middleware for `app.assistant`."""

    def __init__(
        self,
        listeners: Listeners,
        threads: ThreadStore,
        snapshot_fn: SnapshotFn | None,
        timezone: str,
        clock: Callable[[], dt.datetime] | None = None,
        context_store: AssistantThreadContextStore | None = None,
        collections_for: Callable[[str], frozenset[str]] = default_only,
    ) -> None:
        """`context_store` None: Bolt's default, which the panel never calls (the context is
        not kept); else where each thread's context is saved (PostgreSQL, shared).
        `collections_for(channel)`: the document collections a panel thread's channel (its
        direct message with the bot) may see, for the suggested prompts."""
        self.collections_for = collections_for
        self.listeners = listeners
        self.threads = threads
        self.context_store = context_store
        self.snapshot_fn = snapshot_fn
        zone = ZoneInfo(timezone)
        self._clock = clock or (lambda: dt.datetime.now(zone))

    def assistant(self) -> Assistant:
        """Bolt's `Assistant` with this panel's listeners attached."""
        assistant = Assistant(
            thread_context_store=self.context_store, logger=logging.getLogger(f"{__name__}.bolt")
        )
        assistant.thread_started(self.on_thread_started)
        assistant.thread_context_changed(self.on_context_changed)
        # Bolt annotates `matchers` as one callable but concatenates it to a list: it must be one
        matchers: Any = [self.is_panel_thread]
        assistant.user_message(matchers=matchers)(self.on_user_message)
        return assistant

    def prompts(self, collections: frozenset[str] = EVERYONE) -> list[Prompt]:
        """Suggested prompts from the documents of `collections` in the index version in use
        now (the fallback if it cannot be read)."""
        snapshot = current_snapshot(
            self.snapshot_fn, "assistant: the usage prompt is shown", collections
        )
        return suggested_prompts(snapshot, self._clock().date())

    def on_thread_started(
        self,
        payload: dict[str, Any],
        client: WebClient,
        set_suggested_prompts: SetSuggestedPrompts,
    ) -> None:
        """assistant_thread_started: record the thread, greet, suggest prompts. (The greeting
        is posted directly: Bolt's `say` here first reads the thread with conversations.replies
        to attach a channel context that the answers do not use.)"""
        thread = payload.get("assistant_thread") or {}
        channel, thread_ts = thread["channel_id"], thread["thread_ts"]
        self.threads.start_assistant_thread(channel, thread_ts)
        self._save_context(channel, thread_ts, thread.get("context"))
        greet = partial(
            client.chat_postMessage,
            channel=channel,
            thread_ts=thread_ts,
            text=messages.ASSISTANT_GREETING,
        )
        _logged(greet, "chat.postMessage (greeting)", channel)
        prompts = self.prompts(self.collections_for(channel))
        set_suggested_prompts(prompts=prompts, title=messages.ASSISTANT_PROMPTS_TITLE)

    def on_context_changed(self, payload: dict[str, Any]) -> None:
        """assistant_thread_context_changed: the user looks at another channel. Answers do not
        depend on it; it is kept only in a context store of our own (Bolt's default would
        rewrite our greeting for it)."""
        thread = payload.get("assistant_thread") or {}
        log.debug("Assistant thread %s now shown beside another channel", thread.get("thread_ts"))
        self._save_context(thread.get("channel_id", ""), thread.get("thread_ts", ""),
                           thread.get("context"))  # fmt: skip

    def _save_context(self, channel: str, thread_ts: str, context: object) -> None:
        """Keep the thread's context in our store (none: nothing kept); a failure is logged."""
        store = self.context_store
        if store is None or not channel or not thread_ts or not isinstance(context, dict):
            return
        save = partial(store.save, channel_id=channel, thread_ts=thread_ts, context=context)
        _logged(save, "saving the assistant thread's context", channel)

    def is_panel_thread(self, body: dict[str, Any]) -> bool:
        """A person's message in a thread the panel opened (not a DM answer's thread)."""
        if not is_user_message_event_in_assistant_thread(body):
            return False
        event = body["event"]
        return self.threads.is_assistant_thread(event.get("channel", ""), event["thread_ts"])

    def on_user_message(
        self,
        payload: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        set_status: SetStatus,
        set_title: SetTitle,
    ) -> None:
        """A question in a panel thread: title (first question), status, answer in the thread."""
        channel, ts, thread_ts = payload["channel"], payload.get("ts", ""), payload["thread_ts"]
        if not is_from_person(payload):
            return
        if not self.listeners.seen.first_time(f"message:{channel}:{ts}"):
            return
        question = Question(
            text=strip_mention(payload.get("text", ""), context.bot_user_id),
            channel=channel,
            user=payload["user"],
            ts=ts,
            reply_in=thread_ts,
            thread=thread_ts,
        )
        if (
            question.text
            and not is_help(question.text)
            and not self.threads.history(channel, thread_ts)
        ):
            _logged(
                lambda: set_title(thread_title(question.text)),
                "assistant.threads.setTitle",
                channel,
            )
        self.listeners.ask(
            question, client, working=lambda: set_status(status=messages.ASSISTANT_STATUS)
        )


def _logged(call: Callable[[], object], what: str, channel: str) -> None:
    """Run a call whose failure must not stop what follows (the greeting before the prompts, a
    title before the answer); a failure is logged."""
    try:
        call()
    except Exception:
        log.exception("%s in %s failed", what, channel)
