"""Slack event de-duplication in PostgreSQL, shared by replicas (the twin of `SeenKeys`).

With DATABASE_URL set, every bot replica records the Slack events and messages it takes in the
same database (table `slack_seen` of migration 2 in retrieval.pgschema). A unique key and
``INSERT ... ON CONFLICT DO NOTHING`` make "first time?" one atomic statement, so of two
replicas offered the same event exactly one wins. Without DATABASE_URL, `SeenKeys` in memory.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import TYPE_CHECKING

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.slack.dedupe import SeenKeys, SeenStore
from retrieval.pgstore import shared_pool
from retrieval.sources import write_url

if TYPE_CHECKING:
    from config.settings import Settings

log = logging.getLogger(__name__)

SEEN_TIMEOUT = 5.0  # seconds to wait for a pooled connection before de-duplicating locally
PRUNE_EVERY = 60.0  # seconds between deletions of keys older than the ttl (per process)


def seen_store(settings: Settings) -> SeenStore:
    """Shared PgSeenKeys when DATABASE_URL is set, else an in-memory SeenKeys."""
    dsn = write_url(settings)
    return PgSeenKeys(shared_pool(dsn)) if dsn else SeenKeys()


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
