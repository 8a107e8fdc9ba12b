"""Answering from the index in PostgreSQL (DATABASE_URL, or DATABASE_READ_URL for reads).

`PgAnswerer` is the local `Answerer` with one difference: its searcher reads the version that
`index_current` names in the database instead of `index/CURRENT`, and switches to a newly
published version before the next question, in every replica.
"""

from __future__ import annotations

import logging
import threading

from bot.answer import Answerer
from config.settings import Settings
from retrieval.embedder import Embedder
from retrieval.pgindex import PgSnapshot, current_version_id, open_pg_current, read_url
from retrieval.pgstore import shared_pool
from retrieval.search import HybridSearcher

log = logging.getLogger(__name__)


def make_answerer(settings: Settings, embedder: Embedder | None = None) -> Answerer:
    """A PgAnswerer when DATABASE_URL is set, else the local Answerer."""
    return PgAnswerer(settings, embedder) if read_url(settings) else Answerer(settings, embedder)


class PgAnswerer(Answerer):
    """An Answerer over the index version published in PostgreSQL."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.pool = shared_pool(read_url(settings))
        self._pg_lock = threading.Lock()
        self._pg_version: int | None = None
        self._pg_searcher: HybridSearcher | None = None
        super().__init__(settings, embedder)

    def searcher(self) -> HybridSearcher:
        """The searcher for the published version, reloaded when a new one was published."""
        version = current_version_id(self.pool)
        with self._pg_lock:
            if self._pg_searcher is None or version != self._pg_version:
                snapshot = open_pg_current(self.pool)
                self._pg_searcher = self.searcher_for(snapshot)
                self._pg_version = snapshot.version_id
                log.info("using index version %s from PostgreSQL", snapshot.version)
            return self._pg_searcher

    @property
    def pg_snapshot(self) -> PgSnapshot:
        """The version in use."""
        snapshot = self.searcher().snapshot
        assert isinstance(snapshot, PgSnapshot)
        return snapshot
