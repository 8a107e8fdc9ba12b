"""The weekly digest's content, and the record of what was posted (exactly once per ISO week
and channel).

The digest lists deadlines in the coming weeks, those passed in the last week and documents
added or changed since the previous digest, each with its citation.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.register_cli import Due, due_between
from retrieval.snapshot import Snapshot

log = logging.getLogger(__name__)

STORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS digests (
    iso_week TEXT NOT NULL, channel TEXT NOT NULL, state TEXT NOT NULL, ts TEXT NOT NULL,
    documents TEXT NOT NULL, reserved_at TEXT NOT NULL, done_at TEXT NOT NULL,
    PRIMARY KEY (iso_week, channel)
);
"""


@dataclass(frozen=True)
class DocChange:
    """A document added or changed since the previous digest."""

    path: str
    title: str
    new: bool  # added since the previous digest (else changed)


@dataclass(frozen=True)
class Digest:
    """What one week's digest says."""

    today: dt.date
    weeks_ahead: int
    upcoming: tuple[Due, ...]
    passed: tuple[Due, ...]
    documents: tuple[DocChange, ...]
    first: bool  # no digest was posted before: every document counts as new

    @property
    def empty(self) -> bool:
        """True when nothing is due, passed or changed."""
        return not (self.upcoming or self.passed or self.documents)


def iso_week(day: dt.date) -> str:
    """ "2016-W50" for any day of that ISO week."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def build_digest(
    snapshot: Snapshot, today: dt.date, weeks_ahead: int, previous: dict[str, str] | None
) -> Digest:
    """The digest for `today`; `previous` is {document: sha256} at the last digest, or None."""
    upcoming = due_between(snapshot, today, today + dt.timedelta(weeks=weeks_ahead))
    passed = due_between(snapshot, today - dt.timedelta(days=7), today - dt.timedelta(days=1))
    changes = [
        DocChange(path, doc.title, new=path not in (previous or {}))
        for path, doc in sorted(snapshot.documents.items())
        if previous is None or previous.get(path) != doc.sha256
    ]
    return Digest(today, weeks_ahead, tuple(upcoming), tuple(passed), tuple(changes), not previous)


def document_shas(snapshot: Snapshot) -> dict[str, str]:
    """{document: sha256} of a version, recorded with each posted digest."""
    return {path: doc.sha256 for path, doc in snapshot.documents.items()}


class DigestRecord(Protocol):
    """The record of posted digests: DigestStore (SQLite) or PgDigestStore (shared)."""

    def reserve(self, week: str, channel: str, documents: dict[str, str]) -> bool:
        """Claim (week, channel) before posting; True for exactly one caller, across replicas
        for a shared record; False when it was claimed before (posted or interrupted)."""
        ...

    def mark_done(self, week: str, channel: str, ts: str) -> None:
        """Record that the digest of (week, channel) was posted with message `ts`."""
        ...

    def release(self, week: str, channel: str) -> None:
        """Drop a reservation that was not posted; a done digest stays."""
        ...

    def posted(self, week: str, channel: str) -> bool:
        """True when (week, channel) is reserved or done."""
        ...

    def previous_documents(self, channel: str) -> dict[str, str] | None:
        """{document: sha256} recorded with the latest digest of `channel`, or None."""
        ...

    def weeks(self, channel: str) -> list[tuple[str, str]]:
        """(ISO week, state) of every digest recorded for `channel`, oldest first."""
        ...

    def close(self) -> None:
        """Release what the record holds open."""
        ...


def refused(week: str, channel: str, state: str, why: str) -> bool:
    """False, the answer of `reserve` when the week's digest is taken; a digest left reserved
    (never marked done) is logged, `why` saying what may have happened."""
    if state == "reserved":
        log.warning(
            "digest for %s in %s is reserved but not confirmed (%s); not posted again",
            week, channel, why,
        )  # fmt: skip
    return False


class DigestStore:
    """SQLite record of posted digests under data_dir: one row per (ISO week, channel).

    `reserve` inserts the row before posting and `mark_done` completes it after, so a crash
    or restart between the two never posts the same week twice (it may skip that week once,
    which is logged).
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(STORE_SCHEMA)

    def reserve(self, week: str, channel: str, documents: dict[str, str]) -> bool:
        """Claim (week, channel); False when it was claimed before (posted or interrupted)."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO digests VALUES (?, ?, 'reserved', '', ?, ?, '')",
                    (week, channel, json.dumps(documents), now),
                )
                return True
            except sqlite3.IntegrityError:
                state = self._db.execute(
                    "SELECT state FROM digests WHERE iso_week = ? AND channel = ?",
                    (week, channel),
                ).fetchone()
        return refused(week, channel, state[0] if state else "", "a crash while posting?")

    def mark_done(self, week: str, channel: str, ts: str) -> None:
        """Record that the digest of (week, channel) was posted with message `ts`."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._lock:
            self._db.execute(
                "UPDATE digests SET state = 'done', ts = ?, done_at = ? "
                "WHERE iso_week = ? AND channel = ?",
                (ts, now, week, channel),
            )

    def release(self, week: str, channel: str) -> None:
        """Drop a reservation whose post Slack refused for sure (an error answer, not a crash)."""
        with self._lock:
            self._db.execute(
                "DELETE FROM digests WHERE iso_week = ? AND channel = ? AND state = 'reserved'",
                (week, channel),
            )

    def posted(self, week: str, channel: str) -> bool:
        """True when (week, channel) is reserved or done."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM digests WHERE iso_week = ? AND channel = ?", (week, channel)
            ).fetchone()
        return row is not None

    def previous_documents(self, channel: str) -> dict[str, str] | None:
        """{document: sha256} recorded with the latest digest of `channel`, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT documents FROM digests WHERE channel = ? ORDER BY iso_week DESC LIMIT 1",
                (channel,),
            ).fetchone()
        return json.loads(row[0]) if row else None

    def weeks(self, channel: str) -> list[tuple[str, str]]:
        """(ISO week, state) of every digest recorded for `channel`, oldest first."""
        with self._lock:
            return self._db.execute(
                "SELECT iso_week, state FROM digests WHERE channel = ? ORDER BY iso_week",
                (channel,),
            ).fetchall()

    def close(self) -> None:
        """Close the database."""
        self._db.close()


def store_path(data_dir: Path) -> Path:
    """Where the digest record lives."""
    return data_dir / "digests.sqlite"
