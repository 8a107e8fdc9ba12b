"""Slack event de-duplication and weekly digest records in PostgreSQL, shared by replicas.

With DATABASE_URL set, every bot replica records the Slack events and messages it takes, and
the digests it posts, in the same database (tables of migration 2 in retrieval.pgschema). A
unique key and ``INSERT ... ON CONFLICT DO NOTHING`` make "first time?" one atomic statement, so
of two replicas offered the same event exactly one wins. Without DATABASE_URL the local
versions are used: `SeenKeys` in memory and `DigestStore` in SQLite, behind the same methods.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from typing import TYPE_CHECKING

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.digest import DigestRecord, DigestStore, store_path
from bot.slack.dedupe import SeenKeys, SeenStore
from retrieval.pgstore import close_shared_pools, shared_pool

if TYPE_CHECKING:
    from config.settings import Settings

log = logging.getLogger(__name__)

__all__ = ["PgDigestStore", "PgSeenKeys", "close_shared_pools", "digest_store", "seen_store"]

SEEN_TIMEOUT = 5.0  # seconds to wait for a pooled connection before de-duplicating locally
PRUNE_EVERY = 60.0  # seconds between deletions of keys older than the ttl (per process)


def database_url(settings: Settings) -> str:
    """DATABASE_URL's value, or "" when the local stores are used."""
    url = settings.database_url
    return url.get_secret_value().strip() if url else ""


def seen_store(settings: Settings) -> SeenStore:
    """Shared PgSeenKeys when DATABASE_URL is set, else an in-memory SeenKeys."""
    dsn = database_url(settings)
    return PgSeenKeys(shared_pool(dsn)) if dsn else SeenKeys()


def digest_store(settings: Settings) -> DigestRecord:
    """Shared PgDigestStore when DATABASE_URL is set, else the SQLite DigestStore in data_dir."""
    dsn = database_url(settings)
    return PgDigestStore(shared_pool(dsn)) if dsn else DigestStore(store_path(settings.data_dir))


def has_digest_records(settings: Settings) -> bool:
    """True when a digest record exists to read from (the database, or the SQLite file)."""
    return bool(database_url(settings)) or store_path(settings.data_dir).exists()


class PgSeenKeys:
    """SeenKeys shared by replicas: one row per key in `slack_seen`, forgotten after `ttl` s.

    When the database cannot be reached within SEEN_TIMEOUT, the key is de-duplicated in this
    process only (logged as an error): a replica keeps answering, at the risk of a second
    replica answering the same event while the database is down.
    """

    INSERT = "INSERT INTO slack_seen (key) VALUES (%s) ON CONFLICT (key) DO NOTHING RETURNING 1"
    PRUNE = "DELETE FROM slack_seen WHERE seen_at < clock_timestamp() - make_interval(secs => %s)"

    def __init__(self, pool: ConnectionPool, ttl: float = 3600.0) -> None:
        self.pool = pool
        self.ttl = ttl
        self._local = SeenKeys(ttl)
        self._last_prune = -math.inf
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        """True for the one replica that offers `key` first (within ttl), False for the rest."""
        local = self._local.first_time(key)
        try:
            with self.pool.connection(timeout=SEEN_TIMEOUT) as conn:
                self._prune(conn)
                row = conn.execute(self.INSERT, (key,)).fetchone()
        except (psycopg.Error, PoolTimeout) as exc:
            log.error(
                "PostgreSQL unavailable for de-duplication (%s); %s de-duplicated in this "
                "replica only",
                type(exc).__name__,
                key,
            )
            return local
        return row is not None

    def _prune(self, conn: psycopg.Connection) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last_prune < min(self.ttl, PRUNE_EVERY):
                return
            self._last_prune = now
        conn.execute(self.PRUNE, (self.ttl,))


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
        if state and state[0] == "reserved":
            log.warning(
                "digest for %s in %s is reserved but not confirmed (another replica posting, "
                "or a crash while posting); not posted again",
                week,
                channel,
            )
        return False

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
