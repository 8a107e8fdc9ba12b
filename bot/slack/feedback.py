"""The "Hjälpte" / "Hjälpte inte" buttons, and the declined questions: where they are kept.

The button value carries the question, the answer and the cited chunk ids (trimmed to Slack's
2,000 characters), so a vote can be stored without keeping every answer on disk. Votes go to
``feedback.sqlite3`` under ``data_dir``; users are stored only as a salted SHA-256 (HMAC) of
their Slack id, and voting again on the same message replaces the earlier vote. What a voter
wrote in the "Vad saknades?" modal is kept in the vote's `comment`. Questions the bot declined
in Slack go to the `declined` table of the same file; `python -m bot gaps` reads both. With
DATABASE_URL set, `PgFeedbackStore` (bot/slack/pgfeedback.py) keeps them in PostgreSQL instead,
for every replica, behind the same `FeedbackRecord` methods.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from bot.slack.sqlite import transaction
from retrieval.types import Answer

log = logging.getLogger(__name__)

VALUE_MAX = 2000
ACTION_FEEDBACK = "feedback"  # the feedback_buttons element; its value says which was clicked
ACTION_HELPED = "feedback_helped"  # the plain buttons of answers posted before
ACTION_NOT_HELPED = "feedback_not_helped"
DB_NAME = "feedback.sqlite3"
SALT_NAME = "feedback.salt"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    answered INTEGER NOT NULL,
    chunk_ids TEXT NOT NULL,
    channel TEXT NOT NULL,
    message_ts TEXT NOT NULL,
    user_hash TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    UNIQUE (channel, message_ts, user_hash)
);
CREATE TABLE IF NOT EXISTS declined (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    reason TEXT NOT NULL,
    signal TEXT NOT NULL,
    channel_type TEXT NOT NULL,
    user_hash TEXT NOT NULL
);
"""
# Columns added after release, for files made by an older version: (table, column, definition).
_ADDED_COLUMNS = (("feedback", "comment", "TEXT NOT NULL DEFAULT ''"),)
COMMENT_MAX = 3000  # the modal's input allows this many characters


@dataclass(frozen=True)
class Declined:
    """A question the bot declined in Slack, ready to store (its fields in the order of the
    stores' columns)."""

    question: str
    reason: str  # retrieval.types.Reason's value
    signal: str  # the feature that weighed most against answering ("" when unknown)
    channel_type: str  # "channel", "im" or "command"
    user_hash: str


@dataclass(frozen=True)
class Unhelped:
    """A declined or "Hjälpte inte" question as `gaps` reads it back."""

    created_at: str
    question: str
    kind: str  # "declined" or "not_helped"
    detail: str  # the decline's reason (and signal), or the voter's comment


@dataclass(frozen=True)
class Vote:
    """One click on a feedback button, ready to store."""

    helpful: bool
    question: str
    answer: str
    answered: bool
    chunk_ids: tuple[str, ...]
    channel: str
    message_ts: str
    user_hash: str


def encode_value(answer: Answer, helped: bool | None = None) -> str:
    """Button value for `answer`: compact JSON of at most 2,000 characters, never more.

    `helped` is stored as "h" (1/0) for the two buttons of a feedback_buttons element, which
    share one action id. The answer text is shortened first, then the question, then the list
    of chunk ids.
    """
    ids = [c.chunk_id for c in answer.citations if c.chunk_id]
    question, text = _utf8(answer.question), _utf8(answer.text)
    vote = {} if helped is None else {"h": int(helped)}
    while True:
        payload = {"q": question, "a": text, "ok": answer.answered, "c": ids, **vote}
        value = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        excess = len(value) - VALUE_MAX
        if excess <= 0:
            return value
        if text:
            text = _shorten(text, excess)
        elif question:
            question = _shorten(question, excess)
        else:
            ids = ids[:-1]


def _utf8(text: str) -> str:
    """`text` with lone surrogates replaced, so the JSON can be sent as UTF-8."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _shorten(text: str, by: int) -> str:
    """`text` at least `by` characters shorter, ending with an ellipsis; "" if nothing is left."""
    keep = len(text) - by - 1
    return text[:keep] + "…" if keep > 0 else ""


def decode_value(value: str) -> tuple[str, str, bool, tuple[str, ...]]:
    """(question, answer, answered, chunk ids) from a button value; empty fields if unreadable."""
    try:
        data = json.loads(value)
        ids = tuple(str(i) for i in data.get("c", []))
        return str(data.get("q", "")), str(data.get("a", "")), bool(data.get("ok")), ids
    except (ValueError, TypeError, AttributeError):
        log.warning("Feedback button value is not the expected JSON; storing the vote without it")
        return "", "", False, ()


def helped_of(action: dict[str, object]) -> bool:
    """True for "Hjälpte": the plain button's action id, or "h" in a feedback_buttons value."""
    if action.get("action_id") != ACTION_FEEDBACK:
        return action.get("action_id") == ACTION_HELPED
    try:
        return bool(json.loads(str(action.get("value", ""))).get("h"))
    except (ValueError, AttributeError):
        return False


class FeedbackRecord(Protocol):
    """Where votes, their comments and declined questions are kept; `where` names it in logs.

    Thread-safe; a shared implementation also across processes. Failures propagate (the
    listeners log them: a vote or decline that cannot be stored never stops an answer).
    """

    where: str

    def hash_user(self, user_id: str) -> str:
        """Salted SHA-256 (HMAC, hex) of a Slack user id; the same id gives the same hash."""
        ...

    def add(self, vote: Vote) -> None:
        """Store `vote`; a second vote by the same user on the same message replaces the first
        (its time too) and clears the comment."""
        ...

    def add_comment(self, channel: str, message_ts: str, user_hash: str, comment: str) -> bool:
        """Keep `comment` (at most COMMENT_MAX characters) with that vote; False: no vote."""
        ...

    def add_declined(self, declined: Declined) -> None:
        """Store a declined question, stamped now."""
        ...

    def unhelped(self, since: datetime, until: datetime) -> list[Unhelped]:
        """Declined and "Hjälpte inte" questions stored in [since, until) (aware datetimes),
        oldest first, `created_at` as UTC ISO seconds; empty questions left out."""
        ...


class FeedbackStore:
    """Votes in SQLite under `data_dir`; thread-safe (one connection per call)."""

    def __init__(self, data_dir: Path, salt: str | None = None) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_NAME
        self.where = str(self.path)
        self._salt = (salt or _stored_salt(data_dir / SALT_NAME)).encode("utf-8")
        with transaction(self.path) as conn:
            conn.executescript(_SCHEMA)
            for table, column, definition in _ADDED_COLUMNS:
                present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")

    def hash_user(self, user_id: str) -> str:
        """Salted SHA-256 (HMAC) of a Slack user id; the id itself is never stored."""
        return hmac.new(self._salt, user_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def add(self, vote: Vote) -> None:
        """Store `vote`; a second vote by the same user on the same message replaces the first."""
        row = (
            datetime.now(UTC).isoformat(timespec="seconds"),
            int(vote.helpful),
            vote.question,
            vote.answer,
            int(vote.answered),
            json.dumps(list(vote.chunk_ids)),
            vote.channel,
            vote.message_ts,
            vote.user_hash,
        )
        with transaction(self.path) as conn:
            conn.execute(
                "INSERT INTO feedback (created_at, helpful, question, answer, answered, chunk_ids,"
                " channel, message_ts, user_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (channel, message_ts, user_hash) DO UPDATE SET"
                " created_at = excluded.created_at, helpful = excluded.helpful, comment = ''",
                row,
            )

    def add_comment(self, channel: str, message_ts: str, user_hash: str, comment: str) -> bool:
        """Keep `comment` with the user's vote on that message; False when there is no vote."""
        with transaction(self.path) as conn:
            cursor = conn.execute(
                "UPDATE feedback SET comment = ? WHERE channel = ? AND message_ts = ?"
                " AND user_hash = ?",
                (comment[:COMMENT_MAX], channel, message_ts, user_hash),
            )
            return cursor.rowcount > 0

    def add_declined(self, declined: Declined) -> None:
        """Store a declined question."""
        with transaction(self.path) as conn:
            conn.execute(
                "INSERT INTO declined (created_at, question, reason, signal, channel_type,"
                " user_hash) VALUES (?, ?, ?, ?, ?, ?)",
                (datetime.now(UTC).isoformat(timespec="seconds"), *astuple(declined)),
            )

    def unhelped(self, since: datetime, until: datetime) -> list[Unhelped]:
        """Declined and "Hjälpte inte" questions stored in [since, until), oldest first.

        `since` and `until` are aware datetimes; empty questions are left out.
        """
        bounds = (_stamp(since), _stamp(until))
        with transaction(self.path) as conn:
            rows = conn.execute(
                "SELECT created_at, question, 'declined',"
                " reason || CASE WHEN signal = '' THEN '' ELSE ' (' || signal || ')' END"
                " FROM declined WHERE created_at >= ? AND created_at < ? AND question != ''"
                " UNION ALL SELECT created_at, question, 'not_helped', comment FROM feedback"
                " WHERE helpful = 0 AND created_at >= ? AND created_at < ? AND question != ''"
                " ORDER BY 1",
                bounds + bounds,
            ).fetchall()
        return [Unhelped(*row) for row in rows]


def _stamp(moment: datetime) -> str:
    """`moment` as the stored UTC ISO text, so that text comparison orders like time."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _stored_salt(path: Path) -> str:
    """A random salt kept next to the database (mode 600), created on first use."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    salt = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(salt)
    return salt
