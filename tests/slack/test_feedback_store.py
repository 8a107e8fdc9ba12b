"""One contract for the stores of votes, comments and declined questions.

Here against the SQLite `FeedbackStore` (the local default); tests/pg/test_pg_slack_records.py
runs the same class against `PgFeedbackStore`, shared by replicas in PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.slack.feedback import Declined, FeedbackRecord, FeedbackStore, Vote

MakeFeedback = Callable[[], FeedbackRecord]


@pytest.fixture
def make_feedback(tmp_path: Path) -> MakeFeedback:
    """Handles on one SQLite file with one salt."""
    return lambda: FeedbackStore(tmp_path, salt="test-salt")


def _unique(text: str) -> str:
    """`text` with a mark no other test's questions carry (a shared store outlives one test)."""
    return f"{text} #{uuid.uuid4().hex[:8]}"


def _vote(store: FeedbackRecord, question: str, helpful: bool, ts: str, user: str = "U1") -> Vote:
    vote = Vote(helpful, question, "svar", True, ("c1",), "C1", ts, store.hash_user(user))
    store.add(vote)
    return vote


def _mine(store: FeedbackRecord, mark: str) -> list[tuple[str, str, str]]:
    """(question, kind, detail) of the unhelped questions stored around now that carry `mark`."""
    now = datetime.now(UTC)
    items = store.unhelped(now - timedelta(minutes=5), now + timedelta(minutes=5))
    return [(i.question, i.kind, i.detail) for i in items if mark in i.question]


class TestFeedbackRecordContract:
    def test_users_are_stored_as_a_stable_salted_hash(self, make_feedback: MakeFeedback) -> None:
        """The same id hashes alike in every handle; other ids differ; the id is not in it."""
        first, second = make_feedback(), make_feedback()
        digest = first.hash_user("U0VOTER")
        assert digest == second.hash_user("U0VOTER") != first.hash_user("U0OTHER")
        assert len(digest) == 64 and "U0VOTER" not in digest

    def test_a_second_vote_replaces_the_first_and_its_comment(
        self, make_feedback: MakeFeedback
    ) -> None:
        """'Hjälpte inte' with a comment, then 'Hjälpte': no gap left; then 'Hjälpte inte'
        again: one gap without the old comment."""
        store, question = make_feedback(), _unique("Vad kostar parkeringen?")
        ts = uuid.uuid4().hex
        vote = _vote(store, question, False, ts)
        assert store.add_comment("C1", ts, vote.user_hash, "Taxan saknas")
        assert _mine(store, question) == [(question, "not_helped", "Taxan saknas")]
        _vote(store, question, True, ts)
        assert _mine(store, question) == []
        _vote(store, question, False, ts)
        assert _mine(store, question) == [(question, "not_helped", "")]

    def test_a_comment_needs_the_voters_vote(self, make_feedback: MakeFeedback) -> None:
        """A comment from someone who did not vote on that answer is kept nowhere (False)."""
        store, question = make_feedback(), _unique("Vem städar?")
        ts = uuid.uuid4().hex
        _vote(store, question, False, ts)
        assert not store.add_comment("C1", ts, store.hash_user("U0OTHER"), "x")
        assert not store.add_comment("C1", uuid.uuid4().hex, store.hash_user("U1"), "x")
        assert _mine(store, question) == [(question, "not_helped", "")]

    def test_declines_are_listed_with_reason_and_signal(self, make_feedback: MakeFeedback) -> None:
        """A decline reads back as 'reason (signal)', or the reason alone without a signal;
        votes of other users are separate gaps; order is the order stored."""
        store, mark = make_feedback(), uuid.uuid4().hex[:8]
        store.add_declined(Declined(f"A {mark}", "no_relevant", "top_score", "channel", "h"))
        store.add_declined(Declined(f"B {mark}", "not_stated", "", "im", "h"))
        _vote(store, f"C {mark}", False, uuid.uuid4().hex, user="U2")
        assert _mine(store, mark) == [
            (f"A {mark}", "declined", "no_relevant (top_score)"),
            (f"B {mark}", "declined", "not_stated"),
            (f"C {mark}", "not_helped", ""),
        ]

    def test_the_period_bounds_and_empty_questions(self, make_feedback: MakeFeedback) -> None:
        """unhelped(since, until) holds what was stored in [since, until), stamped as UTC ISO
        seconds; an empty question is left out."""
        store, question = make_feedback(), _unique("Får man ta med hund?")
        before = datetime.now(UTC) - timedelta(seconds=1)
        store.add_declined(Declined(question, "no_relevant", "", "im", "h"))
        store.add_declined(Declined("", "empty", "", "im", "h"))
        after = datetime.now(UTC) + timedelta(seconds=1)
        [item] = [i for i in store.unhelped(before, after) if i.question in (question, "")]
        stamp = datetime.fromisoformat(item.created_at)
        assert item.created_at.endswith("+00:00") and before <= stamp + timedelta(seconds=1)
        assert stamp <= after
        assert not [i for i in store.unhelped(after, after + timedelta(hours=1))
                    if i.question == question]  # fmt: skip
        assert not [i for i in store.unhelped(before - timedelta(hours=1), before)
                    if i.question == question]  # fmt: skip
