"""Feedback, "Vad saknades?" comments and declined questions in PostgreSQL (the twin of
`FeedbackStore`).

With DATABASE_URL set, every replica stores votes and declines in the same database (tables
`slack_feedback` and `slack_declined` of migration 9 in retrieval.pgschema), so `python -m bot
gaps` sees them all. Users are stored as a salted hash as locally; without SLACK_FEEDBACK_SALT
the salt is made once and kept in `slack_feedback_salt`, the same for every replica (a comment
sent to one replica must find the vote another stored).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import astuple
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from bot.slack.feedback import (
    COMMENT_MAX,
    Declined,
    FeedbackRecord,
    FeedbackStore,
    Unhelped,
    Vote,
)
from retrieval.pgschema import where
from retrieval.pgstore import shared_pool
from retrieval.sources import write_url

if TYPE_CHECKING:
    from config.settings import Settings


def feedback_store(settings: Settings) -> FeedbackRecord:
    """Shared PgFeedbackStore when DATABASE_URL is set, else the SQLite FeedbackStore."""
    salt = settings.slack.feedback_salt
    secret = salt.get_secret_value() if salt else None
    dsn = write_url(settings)
    if dsn:
        return PgFeedbackStore(shared_pool(dsn), salt=secret, where=where(dsn))
    return FeedbackStore(settings.data_dir, salt=secret)


class PgFeedbackStore:
    """FeedbackStore in `slack_feedback` and `slack_declined`; database errors propagate."""

    def __init__(self, pool: ConnectionPool, salt: str | None = None, where: str = "") -> None:
        self.pool = pool
        self.where = f"PostgreSQL at {where}" if where else "PostgreSQL"
        self._salt = (salt or self._shared_salt()).encode("utf-8")

    def _shared_salt(self) -> str:
        """The replicas' one salt: made by whichever replica comes first, read by the rest."""
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO slack_feedback_salt (salt) VALUES (%s) ON CONFLICT DO NOTHING",
                (secrets.token_hex(32),),
            )
            row = conn.execute("SELECT salt FROM slack_feedback_salt").fetchone()
        assert row is not None  # inserted above or before
        return str(row[0])

    def hash_user(self, user_id: str) -> str:
        """Salted SHA-256 (HMAC) of a Slack user id; the id itself is never stored."""
        return hmac.new(self._salt, user_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def add(self, vote: Vote) -> None:
        """Store `vote`; a second vote by the same user on the same message replaces the first."""
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO slack_feedback (helpful, question, answer, answered, chunk_ids,"
                " channel, message_ts, user_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (channel, message_ts, user_hash) DO UPDATE SET"
                " created_at = excluded.created_at, helpful = excluded.helpful, comment = ''",
                (
                    vote.helpful,
                    vote.question,
                    vote.answer,
                    vote.answered,
                    Jsonb(list(vote.chunk_ids)),
                    vote.channel,
                    vote.message_ts,
                    vote.user_hash,
                ),
            )

    def add_comment(self, channel: str, message_ts: str, user_hash: str, comment: str) -> bool:
        """Keep `comment` with the user's vote on that message; False when there is no vote."""
        with self.pool.connection() as conn:
            cursor = conn.execute(
                "UPDATE slack_feedback SET comment = %s WHERE channel = %s AND message_ts = %s"
                " AND user_hash = %s",
                (comment[:COMMENT_MAX], channel, message_ts, user_hash),
            )
            return cursor.rowcount > 0

    def add_declined(self, declined: Declined) -> None:
        """Store a declined question."""
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO slack_declined (question, reason, signal, channel_type, user_hash)"
                " VALUES (%s, %s, %s, %s, %s)",
                astuple(declined),
            )

    def unhelped(self, since: datetime, until: datetime) -> list[Unhelped]:
        """Declined and "Hjälpte inte" questions stored in [since, until), oldest first."""
        bounds = (since, until)
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT created_at, question, 'declined',"
                " reason || CASE WHEN signal = '' THEN '' ELSE ' (' || signal || ')' END"
                " FROM slack_declined WHERE created_at >= %s AND created_at < %s"
                " AND question <> ''"
                " UNION ALL SELECT created_at, question, 'not_helped', comment"
                " FROM slack_feedback WHERE NOT helpful AND created_at >= %s"
                " AND created_at < %s AND question <> '' ORDER BY 1",
                bounds + bounds,
            ).fetchall()
        return [Unhelped(_stamp(at), str(q), str(kind), str(d)) for at, q, kind, d in rows]


def _stamp(moment: datetime) -> str:
    """A stored time as the local store writes it: UTC ISO seconds."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")
