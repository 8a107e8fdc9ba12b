"""The PostgreSQL schema, created and upgraded by numbered migrations recorded in schema_version.

Run `python -m retrieval.pgschema --dsn postgresql://...` (or with DATABASE_URL set) once per
upgrade; the bot refuses to start on a schema older or newer than this code expects.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass

import psycopg
from psycopg.conninfo import conninfo_to_dict

from retrieval.errors import DatabaseError
from retrieval.schema import pg_added_columns, pg_index_tables

CONNECT_TIMEOUT = 10  # seconds before an unreachable server is reported
_LOCK_KEY = 5_117_201  # pg_advisory_xact_lock key: replicas migrating at once take turns


@dataclass(frozen=True)
class Migration:
    """One step of the schema; applied in one transaction together with its version row."""

    version: int
    description: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "pgvector, named stores, vectors with per-store HNSW, passages with Swedish full text",
        """
        CREATE EXTENSION IF NOT EXISTS vector;
        CREATE TABLE stores (
            name text PRIMARY KEY,
            dim integer CHECK (dim > 0),
            created_at timestamptz NOT NULL DEFAULT now()
        );
        -- embedding has no fixed width in the table: each store gets a partial HNSW index on
        -- embedding::vector(dim) (pgvector's recipe for several widths in one table).
        CREATE TABLE vectors (
            store text NOT NULL REFERENCES stores(name) ON DELETE CASCADE,
            position integer NOT NULL CHECK (position >= 0),
            embedding vector NOT NULL,
            PRIMARY KEY (store, position)
        );
        CREATE TABLE passages (
            store text NOT NULL REFERENCES stores(name) ON DELETE CASCADE,
            position integer NOT NULL CHECK (position >= 0),
            text text NOT NULL,
            tsv tsvector GENERATED ALWAYS AS (to_tsvector('swedish', text)) STORED,
            PRIMARY KEY (store, position)
        );
        CREATE INDEX passages_tsv ON passages USING gin (tsv);
        """,
    ),
    Migration(
        2,
        "Slack event de-duplication and weekly digest records shared by replicas",
        """
        -- One row per Slack event id or message claimed by a replica; the primary key makes
        -- INSERT ... ON CONFLICT DO NOTHING the one atomic "first time?" across replicas.
        CREATE TABLE slack_seen (
            key text PRIMARY KEY,
            seen_at timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        CREATE INDEX slack_seen_at ON slack_seen (seen_at);
        -- The weekly digest, exactly once per (ISO week, channel): reserved before posting,
        -- done after (as bot.digest.DigestStore does in SQLite).
        CREATE TABLE digests (
            iso_week text NOT NULL,
            channel text NOT NULL,
            state text NOT NULL CHECK (state IN ('reserved', 'done')),
            ts text NOT NULL DEFAULT '',
            documents jsonb NOT NULL,
            reserved_at timestamptz NOT NULL DEFAULT now(),
            done_at timestamptz,
            PRIMARY KEY (iso_week, channel)
        );
        """,
    ),
    Migration(
        3,
        "published index versions: documents, chunks, sentences, register, lexical files",
        """
        -- A copy of one local index version (ingest.pgpublish); chunk vectors live in the
        -- `vectors` table under the store 'index.<id>' with its own HNSW index. Readers use
        -- only the version named in index_current, so they never see a half-written one.
        CREATE TABLE index_versions (
            id bigserial PRIMARY KEY,
            name text NOT NULL,
            manifest jsonb NOT NULL,
            complete boolean NOT NULL DEFAULT false,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE index_current (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            version bigint NOT NULL REFERENCES index_versions(id),
            published_at timestamptz NOT NULL DEFAULT now()
        );
        """
        + pg_index_tables()
        + """
        CREATE TABLE index_register (
            version bigint NOT NULL REFERENCES index_versions(id) ON DELETE CASCADE,
            kind text NOT NULL CHECK (kind IN ('deadline', 'obligation', 'alias')),
            seq integer NOT NULL,
            item jsonb NOT NULL,
            PRIMARY KEY (version, kind, seq)
        );
        CREATE TABLE index_files (
            version bigint NOT NULL REFERENCES index_versions(id) ON DELETE CASCADE,
            name text NOT NULL,
            data bytea NOT NULL,
            PRIMARY KEY (version, name)
        );
        """,
    ),
    Migration(
        4,
        "index_chunks.ocr: the chunk was read by OCR from a scanned page",
        # versions published before keep their meaning: their chunks were not OCR'd (false)
        pg_added_columns(4),
    ),
    Migration(
        5,
        "document types and validity periods (index_documents.doctype, valid_from, valid_to)",
        pg_added_columns(5),
    ),
    Migration(
        6,
        "index_documents.changed: when ingestion first indexed a document's content",
        # versions published before do not know it: '' (shown as unknown)
        pg_added_columns(6),
    ),
    Migration(
        7,
        "index_documents.collection: which channels may see a document",
        # versions published before had no collections: every document is in the default one
        pg_added_columns(7),
    ),
    Migration(
        8,
        "assistant panel threads (Bolt's thread context store) and questions per Slack thread",
        """
        -- The threads the assistant panel opened, with the context Slack gave (the channel the
        -- user has open beside the panel), so any replica takes a reply there as a panel one.
        CREATE TABLE slack_assistant_threads (
            channel text NOT NULL,
            thread_ts text NOT NULL,
            context jsonb NOT NULL DEFAULT '{}',
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (channel, thread_ts)
        );
        CREATE INDEX slack_assistant_threads_created ON slack_assistant_threads (created_at);
        -- Each question answered in a thread: the history of "och när?" in any replica.
        CREATE TABLE slack_thread_questions (
            id bigserial PRIMARY KEY,
            channel text NOT NULL,
            thread_ts text NOT NULL,
            question text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX slack_thread_questions_thread
            ON slack_thread_questions (channel, thread_ts, id);
        CREATE INDEX slack_thread_questions_created ON slack_thread_questions (created_at);
        """,
    ),
    Migration(
        9,
        "feedback votes with their comments, declined questions and the users' hash salt",
        """
        -- As feedback.sqlite3 keeps them locally (bot/slack/feedback.py): one vote per user and
        -- answer (a second one replaces it), users only as a salted hash.
        CREATE TABLE slack_feedback (
            id bigserial PRIMARY KEY,
            created_at timestamptz NOT NULL DEFAULT now(),
            helpful boolean NOT NULL,
            question text NOT NULL,
            answer text NOT NULL,
            answered boolean NOT NULL,
            chunk_ids jsonb NOT NULL,
            channel text NOT NULL,
            message_ts text NOT NULL,
            user_hash text NOT NULL,
            comment text NOT NULL DEFAULT '',
            UNIQUE (channel, message_ts, user_hash)
        );
        CREATE INDEX slack_feedback_created ON slack_feedback (created_at);
        CREATE TABLE slack_declined (
            id bigserial PRIMARY KEY,
            created_at timestamptz NOT NULL DEFAULT now(),
            question text NOT NULL,
            reason text NOT NULL,
            signal text NOT NULL,
            channel_type text NOT NULL,
            user_hash text NOT NULL
        );
        CREATE INDEX slack_declined_created ON slack_declined (created_at);
        -- The salt of user hashes when SLACK_FEEDBACK_SALT is unset: one for every replica, so
        -- a comment sent to one replica finds the vote another stored.
        CREATE TABLE slack_feedback_salt (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            salt text NOT NULL
        );
        """,
    ),
    Migration(
        10,
        "index_documents.paragraph, officer: a decision's § and case officer from its letterhead",
        # versions published before did not read letterheads: '' (not stated)
        pg_added_columns(10),
    ),
)
LATEST = MIGRATIONS[-1].version


def where(dsn: str) -> str:
    """host:port of a DSN, for messages (never the password)."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise DatabaseError("DATABASE_URL is not a valid PostgreSQL connection string") from exc
    return f"{params.get('host') or 'localhost'}:{params.get('port') or 5432}"


def password_of(dsn: str) -> str:
    """The password in a DSN, "" when it has none or cannot be parsed (for log redaction)."""
    try:
        return str(conninfo_to_dict(dsn).get("password") or "")
    except psycopg.ProgrammingError:
        return ""


def _scrub(text: str, dsn: str) -> str:
    password = conninfo_to_dict(dsn).get("password")
    return text.replace(str(password), "***") if password else text


def connect(dsn: str, **kwargs: object) -> psycopg.Connection:
    """A connection, or DatabaseError naming host:port when the server cannot be reached."""
    place = where(dsn)
    try:
        return psycopg.connect(dsn, connect_timeout=CONNECT_TIMEOUT, **kwargs)  # type: ignore[arg-type]
    except psycopg.OperationalError as exc:
        reason = _scrub(str(exc).strip().splitlines()[-1] if str(exc).strip() else "", dsn)
        raise DatabaseError(
            f"cannot connect to PostgreSQL at {place} ({reason}); check DATABASE_URL "
            "and that the server is running"
        ) from exc


def schema_version(conn: psycopg.Connection) -> int:
    """The highest applied migration, 0 for an empty database."""
    row = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def check_schema(conn: psycopg.Connection, place: str) -> None:
    """Raise DatabaseError unless the schema is exactly the version this code expects."""
    have = schema_version(conn)
    if have < LATEST:
        raise DatabaseError(
            f"the PostgreSQL schema at {place} is at version {have}, this code needs {LATEST}; "
            "run `python -m retrieval.pgschema` (DATABASE_URL or --dsn) to upgrade it"
        )
    if have > LATEST:
        raise DatabaseError(
            f"the PostgreSQL schema at {place} is at version {have}, newer than this code "
            f"({LATEST}); upgrade samverkansbot"
        )


def migrate(dsn: str) -> int:
    """Apply the missing migrations in order, each in its own transaction; return the version."""
    with connect(dsn, autocommit=True) as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, "
                "description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
            )
        for step in MIGRATIONS:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
                if schema_version(conn) >= step.version:
                    continue
                conn.execute(step.sql.encode())  # several statements: no parameters
                conn.execute(
                    "INSERT INTO schema_version (version, description) VALUES (%s, %s)",
                    (step.version, step.description),
                )
        return schema_version(conn)


def main(argv: list[str] | None = None) -> int:
    """`python -m retrieval.pgschema [--dsn URL]`: bring the schema up to date."""
    parser = argparse.ArgumentParser(prog="python -m retrieval.pgschema", description=__doc__)
    parser.add_argument("--dsn", default=os.environ.get("DATABASE_URL"), help="(DATABASE_URL)")
    args = parser.parse_args(argv)
    if not args.dsn:
        print("error: give --dsn or set DATABASE_URL", file=sys.stderr)
        return 2
    try:
        version = migrate(args.dsn)
    except DatabaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"PostgreSQL schema at {where(args.dsn)} is at version {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
