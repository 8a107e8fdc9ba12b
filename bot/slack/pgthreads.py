"""Slack threads in PostgreSQL, shared by replicas (the twin of `ThreadMemory`).

With DATABASE_URL set, the threads the assistant panel opened, the context Slack gave each
(the channel the user has open beside the panel) and the questions asked in every thread are
kept in the database (tables `slack_assistant_threads` and `slack_thread_questions` of
migration 8 in retrieval.pgschema). A thread started on one replica is then continued by any
other: the reply is taken as a panel question there and answered with the thread's history.
`PgThreadMemory` is also Bolt's `AssistantThreadContextStore`, so `get_thread_context` reads
the context from the database rather than from the greeting's message metadata.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool
from slack_bolt.context.assistant.thread_context import AssistantThreadContext
from slack_bolt.context.assistant.thread_context_store.store import AssistantThreadContextStore

from bot.slack.threads import ThreadMemory, ThreadStore
from retrieval.pgstore import shared_pool
from retrieval.sources import write_url

if TYPE_CHECKING:
    from config.settings import Settings

log = logging.getLogger(__name__)


def thread_stores(settings: Settings) -> tuple[ThreadStore, AssistantThreadContextStore | None]:
    """The thread store and the assistant panel's context store: one `PgThreadMemory` for
    both with DATABASE_URL, else the SQLite `ThreadMemory` under data_dir and None (Bolt's
    default store, which the panel does not use)."""
    dsn = write_url(settings)
    if not dsn:
        return ThreadMemory(settings.data_dir), None
    shared = PgThreadMemory(shared_pool(dsn))
    return shared, shared


class PgThreadMemory(AssistantThreadContextStore):
    """ThreadMemory in PostgreSQL, and Bolt's thread context store; forgets after `keep_days`.

    Database errors propagate (the listeners log them; a question is still answered or gets
    the apology).
    """

    def __init__(self, pool: ConnectionPool, keep_days: float = 30.0, max_history: int = 5):
        self.pool = pool
        self._max_history = max_history
        with self.pool.connection() as conn:  # once per start, as ThreadMemory does
            for table in ("slack_thread_questions", "slack_assistant_threads"):
                conn.execute(
                    f"DELETE FROM {table} WHERE created_at < now() - make_interval(days => %s)",
                    (int(keep_days),),
                )

    def history(self, channel: str, thread_ts: str) -> list[str]:
        """The last `max_history` questions recorded in the thread, oldest first."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT question FROM slack_thread_questions WHERE channel = %s"
                " AND thread_ts = %s ORDER BY id DESC LIMIT %s",
                (channel, thread_ts, self._max_history),
            ).fetchall()
        return [str(row[0]) for row in reversed(rows)]

    def remember(self, channel: str, thread_ts: str, question: str) -> None:
        """Record `question` as asked in the thread rooted at `thread_ts`."""
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO slack_thread_questions (channel, thread_ts, question)"
                " VALUES (%s, %s, %s)",
                (channel, thread_ts, question),
            )

    def start_assistant_thread(self, channel: str, thread_ts: str) -> None:
        """Record that the assistant panel opened the thread (its context saved by `save`)."""
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO slack_assistant_threads (channel, thread_ts) VALUES (%s, %s)"
                " ON CONFLICT DO NOTHING",
                (channel, thread_ts),
            )

    def is_assistant_thread(self, channel: str, thread_ts: str) -> bool:
        """True when the assistant panel opened this thread (in any replica)."""
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT 1 FROM slack_assistant_threads WHERE channel = %s AND thread_ts = %s",
                (channel, thread_ts),
            ).fetchone()
        return row is not None

    def save(self, *, channel_id: str, thread_ts: str, context: dict[str, str]) -> None:
        """Bolt's store: keep the thread's context (a panel thread from now on)."""
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO slack_assistant_threads (channel, thread_ts, context)"
                " VALUES (%s, %s, %s) ON CONFLICT (channel, thread_ts)"
                " DO UPDATE SET context = excluded.context",
                (channel_id, thread_ts, Jsonb(dict(context))),
            )

    def find(self, *, channel_id: str, thread_ts: str) -> AssistantThreadContext | None:
        """Bolt's store: the thread's last saved context, None without one (or no channel)."""
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT context FROM slack_assistant_threads WHERE channel = %s AND thread_ts = %s",
                (channel_id, thread_ts),
            ).fetchone()
        if row is None or not (row[0] or {}).get("channel_id"):
            return None
        return AssistantThreadContext(dict(row[0]))
