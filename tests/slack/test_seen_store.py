"""One contract for the stores of events and messages already taken, run against each of them.

Here against the in-memory SeenKeys (the local default); tests/pg/test_pg_records.py runs the
same class against PgSeenKeys, shared by replicas in PostgreSQL.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.slack.dedupe import SeenKeys, SeenStore

MakeSeen = Callable[..., SeenStore]


def _key() -> str:
    return f"event:Ev{uuid.uuid4().hex[:16]}"  # unique: a shared store outlives one test


@pytest.fixture
def make_seen() -> MakeSeen:
    """A new in-memory store; keyword `ttl` in seconds."""
    return lambda ttl=3600.0: SeenKeys(ttl=ttl)


class TestSeenStoreContract:
    def test_first_offer_wins_and_repeats_lose(self, make_seen: MakeSeen) -> None:
        """A key is first_time once; every later offer of it is False."""
        seen, key = make_seen(), _key()
        assert seen.first_time(key)
        assert not seen.first_time(key)
        assert not seen.first_time(key)

    def test_keys_are_independent(self, make_seen: MakeSeen) -> None:
        """Taking one key does not take another."""
        seen, a, b = make_seen(), _key(), _key()
        assert seen.first_time(a)
        assert seen.first_time(b)

    def test_key_is_forgotten_after_ttl(self, make_seen: MakeSeen) -> None:
        """After ttl seconds a key counts as new again (old records do not pile up)."""
        seen, key = make_seen(ttl=1.0), _key()
        assert seen.first_time(key) and not seen.first_time(key)
        time.sleep(1.3)
        assert seen.first_time(key)

    def test_threads_racing_on_one_key_have_one_winner(self, make_seen: MakeSeen) -> None:
        """Eight threads offering the same 20 keys at once: each key is won exactly once."""
        seen, keys = make_seen(), [_key() for _ in range(20)]
        with ThreadPoolExecutor(8) as pool:
            wins = list(pool.map(lambda _: [seen.first_time(k) for k in keys], range(8)))
        assert [sum(w[i] for w in wins) for i in range(20)] == [1] * 20
