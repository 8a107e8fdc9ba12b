"""The weekly digest's records in PostgreSQL, shared by replicas (the twin of `DigestStore`).

With DATABASE_URL set, the digests every replica posts are recorded in the same database (table
`digests` of migration 2 in retrieval.pgschema), reserved before posting and marked done after,
so a week's digest is posted once whichever replica's scheduler fires first. Without
DATABASE_URL, `DigestStore` in SQLite behind the same methods.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from psycopg_pool import ConnectionPool

from bot.digest import DigestRecord, DigestStore, refused, store_path
from retrieval.pgstore import shared_pool
from retrieval.sources import write_url

if TYPE_CHECKING:
    from config.settings import Settings

log = logging.getLogger(__name__)


def digest_store(settings: Settings) -> DigestRecord:
    """Shared PgDigestStore when DATABASE_URL is set, else the SQLite DigestStore in data_dir."""
    dsn = write_url(settings)
    return PgDigestStore(shared_pool(dsn)) if dsn else DigestStore(store_path(settings.data_dir))


def has_digest_records(settings: Settings) -> bool:
    """True when a digest record exists to read from (the database, or the SQLite file)."""
    return bool(write_url(settings)) or store_path(settings.data_dir).exists()


class PgDigestStore:
    """DigestStore in the `digests` table: one row per (ISO week, channel) across replicas.

    `reserve` inserts the row before posting (ON CONFLICT DO NOTHING: one replica wins) and
    `mark_done` completes it after, as the SQLite DigestStore does. Database errors propagate
    (the scheduler logs them and tries again a minute later).
    """

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def reserve(self, week: str, channel: str, documents: dict[str, str]) -> bool:
        """Claim (week, channel); False when it was claimed before (posted or interrupted)."""
        with self.pool.connection() as conn:
            row = conn.execute(
                "INSERT INTO digests (iso_week, channel, state, documents) "
                "VALUES (%s, %s, 'reserved', %s) ON CONFLICT DO NOTHING RETURNING 1",
                (week, channel, json.dumps(documents)),
            ).fetchone()
            if row is not None:
                return True
            state = conn.execute(
                "SELECT state FROM digests WHERE iso_week = %s AND channel = %s", (week, channel)
            ).fetchone()
        why = "another replica posting, or a crash while posting"
        return refused(week, channel, state[0] if state else "", why)

    def mark_done(self, week: str, channel: str, ts: str) -> None:
        """Record that the digest of (week, channel) was posted with message `ts`."""
        with self.pool.connection() as conn:
            conn.execute(
                "UPDATE digests SET state = 'done', ts = %s, done_at = now() "
                "WHERE iso_week = %s AND channel = %s",
                (ts, week, channel),
            )

    def release(self, week: str, channel: str) -> None:
        """Drop a reservation whose post Slack refused for sure (an error answer, not a crash)."""
        with self.pool.connection() as conn:
            conn.execute(
                "DELETE FROM digests WHERE iso_week = %s AND channel = %s AND state = 'reserved'",
                (week, channel),
            )

    def posted(self, week: str, channel: str) -> bool:
        """True when (week, channel) is reserved or done."""
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT 1 FROM digests WHERE iso_week = %s AND channel = %s", (week, channel)
            ).fetchone()
        return row is not None

    def previous_documents(self, channel: str) -> dict[str, str] | None:
        """{document: sha256} recorded with the latest digest of `channel`, or None."""
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT documents FROM digests WHERE channel = %s ORDER BY iso_week DESC LIMIT 1",
                (channel,),
            ).fetchone()
        return dict(row[0]) if row else None

    def weeks(self, channel: str) -> list[tuple[str, str]]:
        """(ISO week, state) of every digest recorded for `channel`, oldest first."""
        with self.pool.connection() as conn:
            rows = conn.execute(
                "SELECT iso_week, state FROM digests WHERE channel = %s ORDER BY iso_week",
                (channel,),
            ).fetchall()
        return [(str(w), str(s)) for w, s in rows]

    def close(self) -> None:
        """Nothing to close: the pool is the process's (see close_shared_pools)."""
