"""One contract for the record of posted digests, run against each implementation.

Here against the SQLite DigestStore (the local default); tests/pg/test_pg_records.py runs the
same class against PgDigestStore, shared by replicas in PostgreSQL. `make_store()` opens another
handle on the same record each time, as a second process or replica would.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.digest import DigestRecord, DigestStore

MakeStore = Callable[[], DigestRecord]


def _channel() -> str:
    return f"C{uuid.uuid4().hex[:10].upper()}"  # unique: a shared record outlives one test


@pytest.fixture
def make_store(tmp_path: Path) -> Iterator[MakeStore]:
    """Handles on one SQLite record file; all closed after the test."""
    opened: list[DigestStore] = []

    def make() -> DigestRecord:
        opened.append(DigestStore(tmp_path / "digests.sqlite"))
        return opened[-1]

    yield make
    for store in opened:
        store.close()


class TestDigestRecordContract:
    def test_week_is_reserved_once(self, make_store: MakeStore) -> None:
        """reserve is True once per (week, channel); then posted() is True and reserve False."""
        store, channel = make_store(), _channel()
        assert not store.posted("2016-W50", channel)
        assert store.reserve("2016-W50", channel, {"a.txt": "1"})
        assert store.posted("2016-W50", channel)
        assert not store.reserve("2016-W50", channel, {})
        assert store.reserve("2016-W51", channel, {})  # another week
        assert store.reserve("2016-W50", _channel(), {})  # another channel

    def test_release_reopens_a_reservation_but_not_a_done_week(self, make_store: MakeStore) -> None:
        """A released reservation can be reserved again; a done week stays after release."""
        store, channel = make_store(), _channel()
        assert store.reserve("2016-W50", channel, {})
        store.release("2016-W50", channel)
        assert not store.posted("2016-W50", channel)
        assert store.reserve("2016-W50", channel, {})
        store.mark_done("2016-W50", channel, "1481700000.000100")
        store.release("2016-W50", channel)
        assert store.weeks(channel) == [("2016-W50", "done")]

    def test_previous_documents_are_those_of_the_latest_week(self, make_store: MakeStore) -> None:
        """previous_documents is None before any digest, then the latest week's {doc: sha}."""
        store, channel = make_store(), _channel()
        assert store.previous_documents(channel) is None
        store.reserve("2016-W50", channel, {"a.txt": "1"})
        store.reserve("2016-W51", channel, {"a.txt": "2", "b.txt": "3"})
        assert store.previous_documents(channel) == {"a.txt": "2", "b.txt": "3"}

    def test_weeks_lists_states_oldest_first(self, make_store: MakeStore) -> None:
        """weeks() gives (ISO week, state) of one channel, oldest first."""
        store, channel = make_store(), _channel()
        store.reserve("2016-W51", channel, {})
        store.reserve("2016-W50", channel, {})
        store.mark_done("2016-W50", channel, "1.2")
        store.reserve("2016-W50", _channel(), {})
        assert store.weeks(channel) == [("2016-W50", "done"), ("2016-W51", "reserved")]

    def test_another_handle_sees_the_reservation(self, make_store: MakeStore) -> None:
        """A week reserved through one handle (process, replica) cannot be reserved by another."""
        channel = _channel()
        assert make_store().reserve("2016-W50", channel, {})
        other = make_store()
        assert other.posted("2016-W50", channel)
        assert not other.reserve("2016-W50", channel, {})

    def test_handles_racing_for_one_week_have_one_winner(self, make_store: MakeStore) -> None:
        """Six handles reserving the same week at once: exactly one reservation succeeds."""
        channel = _channel()
        stores = [make_store() for _ in range(6)]
        with ThreadPoolExecutor(6) as pool:
            won = list(pool.map(lambda s: s.reserve("2016-W50", channel, {}), stores))
        assert sum(won) == 1
