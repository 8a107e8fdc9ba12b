"""Earlier questions of a Slack thread, so that "och när?" is understood as a follow-up.

The bot records each question it answers under its thread (channel + thread root ts) in
``slack_threads.sqlite3`` under ``data_dir``; it needs no history scopes and survives restarts.
It also keeps which threads are assistant-panel threads (`assistant_thread_started`), so a
reply there gets the panel's status and title rather than the :eyes: of a DM thread. Questions
and threads older than `keep_days` are forgotten. With DATABASE_URL set, `PgThreadMemory`
(bot/slack/pgthreads.py) keeps the same in PostgreSQL for every replica.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol

from bot.slack.sqlite import transaction

DB_NAME = "slack_threads.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS thread_question (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    thread_ts TEXT NOT NULL,
    question TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS thread_question_thread ON thread_question (channel, thread_ts, id);
CREATE TABLE IF NOT EXISTS assistant_thread (
    channel TEXT NOT NULL,
    thread_ts TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (channel, thread_ts)
);
"""


class ThreadStore(Protocol):
    """Where the questions of each thread and the assistant panel's threads are kept.

    Implementations are safe to call from several threads at once; a shared one (PostgreSQL)
    from several processes. Failures propagate.
    """

    def history(self, channel: str, thread_ts: str) -> list[str]:
        """The last few questions recorded in the thread, oldest first ([] for none)."""
        ...

    def remember(self, channel: str, thread_ts: str, question: str) -> None:
        """Record `question` as asked in the thread rooted at `thread_ts`."""
        ...

    def start_assistant_thread(self, channel: str, thread_ts: str) -> None:
        """Record that the assistant panel opened the thread (a repeat is a no-op)."""
        ...

    def is_assistant_thread(self, channel: str, thread_ts: str) -> bool:
        """True when the assistant panel opened this thread (and it is not forgotten yet)."""
        ...


class ThreadMemory:
    """Questions per thread, oldest first; safe to use from several threads."""

    def __init__(self, data_dir: Path, keep_days: float = 30.0, max_history: int = 5) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_NAME
        self._max_history = max_history
        with transaction(self.path) as conn:
            conn.executescript(_SCHEMA)
            conn.execute(
                "DELETE FROM thread_question WHERE created < ?", (time.time() - keep_days * 86400,)
            )
            conn.execute(
                "DELETE FROM assistant_thread WHERE created < ?", (time.time() - keep_days * 86400,)
            )

    def history(self, channel: str, thread_ts: str) -> list[str]:
        """The last `max_history` questions recorded in the thread, oldest first."""
        with transaction(self.path) as conn:
            rows = conn.execute(
                "SELECT question FROM thread_question WHERE channel = ? AND thread_ts = ?"
                " ORDER BY id DESC LIMIT ?",
                (channel, thread_ts, self._max_history),
            ).fetchall()
        return [row[0] for row in reversed(rows)]

    def remember(self, channel: str, thread_ts: str, question: str) -> None:
        """Record `question` as asked in the thread rooted at `thread_ts`."""
        with transaction(self.path) as conn:
            conn.execute(
                "INSERT INTO thread_question (channel, thread_ts, question, created)"
                " VALUES (?, ?, ?, ?)",
                (channel, thread_ts, question, time.time()),
            )

    def start_assistant_thread(self, channel: str, thread_ts: str) -> None:
        """Record that the assistant panel opened the thread rooted at `thread_ts`."""
        with transaction(self.path) as conn:
            conn.execute(
                "INSERT OR IGNORE INTO assistant_thread (channel, thread_ts, created)"
                " VALUES (?, ?, ?)",
                (channel, thread_ts, time.time()),
            )

    def is_assistant_thread(self, channel: str, thread_ts: str) -> bool:
        """True when the assistant panel opened this thread (and it is not forgotten yet)."""
        with transaction(self.path) as conn:
            row = conn.execute(
                "SELECT 1 FROM assistant_thread WHERE channel = ? AND thread_ts = ?",
                (channel, thread_ts),
            ).fetchone()
        return row is not None
