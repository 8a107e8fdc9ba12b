"""One contract for the stores of thread questions and assistant-panel threads.

Here against the SQLite `ThreadMemory` (the local default); tests/pg/test_pg_slack_records.py
runs the same class against `PgThreadMemory`, shared by replicas in PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.slack.threads import ThreadMemory, ThreadStore

MakeThreads = Callable[[], ThreadStore]


def _thread() -> tuple[str, str]:
    """A channel and thread ts no other test uses (a shared store outlives one test)."""
    return f"C{uuid.uuid4().hex[:10].upper()}", f"1700000000.{uuid.uuid4().int % 10**6:06d}"


@pytest.fixture
def make_threads(tmp_path: Path) -> MakeThreads:
    """Handles on one SQLite file, as the bot's listeners and workers share it."""
    return lambda: ThreadMemory(tmp_path)


class TestThreadStoreContract:
    def test_history_is_the_last_five_questions_oldest_first(
        self, make_threads: MakeThreads
    ) -> None:
        """remember() seven questions: history() gives the last five, in the order asked."""
        threads, (channel, ts) = make_threads(), _thread()
        assert threads.history(channel, ts) == []
        for n in range(7):
            threads.remember(channel, ts, f"fråga {n}")
        assert threads.history(channel, ts) == [f"fråga {n}" for n in range(2, 7)]

    def test_threads_are_kept_apart(self, make_threads: MakeThreads) -> None:
        """A question in one thread is not in the history of another, even in one channel."""
        threads, (channel, ts) = make_threads(), _thread()
        other = _thread()[1]
        threads.remember(channel, ts, "Vem betalar?")
        assert threads.history(channel, other) == []
        assert threads.history(_thread()[0], ts) == []

    def test_a_second_handle_sees_what_the_first_recorded(self, make_threads: MakeThreads) -> None:
        """What one handle (another worker, or replica) recorded, a new handle reads."""
        first, (channel, ts) = make_threads(), _thread()
        first.remember(channel, ts, "Vad gäller?")
        first.start_assistant_thread(channel, ts)
        second = make_threads()
        assert second.history(channel, ts) == ["Vad gäller?"]
        assert second.is_assistant_thread(channel, ts)

    def test_assistant_threads_are_recorded_once(self, make_threads: MakeThreads) -> None:
        """start_assistant_thread marks that thread only; a repeat is no error."""
        threads, (channel, ts) = make_threads(), _thread()
        assert not threads.is_assistant_thread(channel, ts)
        threads.start_assistant_thread(channel, ts)
        threads.start_assistant_thread(channel, ts)
        assert threads.is_assistant_thread(channel, ts)
        assert not threads.is_assistant_thread(channel, _thread()[1])
