"""Which store the published index is read from: PostgreSQL when DATABASE_URL (or
DATABASE_READ_URL) is set, else the local folder INDEX_DIR."""

from __future__ import annotations

from config.settings import Settings
from retrieval.index import local_source
from retrieval.snapshot import Snapshot, SnapshotSource


def read_url(settings: Settings) -> str:
    """DATABASE_READ_URL when set (a read replica), else DATABASE_URL, else "" (local index)."""
    for url in (settings.database_read_url, settings.database_url):
        if url and url.get_secret_value().strip():
            return url.get_secret_value().strip()
    return ""


def write_url(settings: Settings) -> str:
    """DATABASE_URL (where ingestion and the bot's shared records write), or "" when unset."""
    url = settings.database_url
    return url.get_secret_value().strip() if url else ""


def source_for(settings: Settings) -> SnapshotSource:
    """The configured source of published versions."""
    from retrieval.pgindex import pg_source  # psycopg only when a database is used
    from retrieval.pgstore import shared_pool

    url = read_url(settings)
    return pg_source(shared_pool(url)) if url else local_source(settings.index_dir)


def open_snapshot(settings: Settings) -> Snapshot:
    """The published version of the configured source; IndexMissingError when there is none."""
    return source_for(settings).open()
