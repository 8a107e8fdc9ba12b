"""Schema migrations and the errors for an unreachable or out-of-date database."""

from __future__ import annotations

import psycopg
import pytest

from retrieval import pgschema
from retrieval.errors import ConfigError, DatabaseError
from retrieval.pgstore import open_pool


def test_migrate_creates_schema_once(empty_database: str) -> None:
    """migrate() brings an empty database to LATEST; a second run changes nothing."""
    assert pgschema.migrate(empty_database) == pgschema.LATEST
    assert pgschema.migrate(empty_database) == pgschema.LATEST
    with psycopg.connect(empty_database) as conn:
        rows = conn.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        ext = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        assert ext.fetchone() is not None
    assert [r[0] for r in rows] == [m.version for m in pgschema.MIGRATIONS]


def test_old_schema_is_refused_with_the_fix(empty_database: str) -> None:
    """open_pool on an unmigrated database names the versions and the migrate command."""
    with pytest.raises(DatabaseError, match=r"version 0, this code needs \d+.*pgschema"):
        open_pool(empty_database)


def test_newer_schema_is_refused(empty_database: str) -> None:
    """A schema newer than the code is a DatabaseError asking to upgrade the bot."""
    pgschema.migrate(empty_database)
    with psycopg.connect(empty_database) as conn:
        conn.execute("INSERT INTO schema_version VALUES (%s, 'future')", (pgschema.LATEST + 1,))
    with pytest.raises(DatabaseError, match="newer than this code"):
        open_pool(empty_database)


def test_unreachable_server_names_host_port_not_password() -> None:
    """A closed port gives a ConfigError naming host:port, without the password."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connection refused
        dsn = f"postgresql://bot:hemligt-lösen@127.0.0.1:{port}/samverkan"
        with pytest.raises(ConfigError) as info:
            pgschema.migrate(dsn)
    assert f"127.0.0.1:{port}" in str(info.value)
    assert "hemligt" not in str(info.value)


def test_command_line_migrates(empty_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m retrieval.pgschema --dsn URL` exits 0 and prints the version."""
    assert pgschema.main(["--dsn", empty_database]) == 0
    assert f"version {pgschema.LATEST}" in capsys.readouterr().out


def test_command_line_without_dsn(monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --dsn and DATABASE_URL the command exits 2 and says what to give."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert pgschema.main([]) == 2
    assert "DATABASE_URL" in capsys.readouterr().err


def test_bot_migrate_command(empty_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m bot migrate --dsn URL` creates the schema and says which version it is at."""
    from bot.cli import main

    assert main(["migrate", "--dsn", empty_database]) == 0
    assert f"version {pgschema.LATEST}" in capsys.readouterr().out


def test_later_migrations_keep_versions_published_before(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database at version 3 keeps its published chunks and documents; after the upgrade the
    chunks read as not OCR'd (migration 4) and the documents as of unknown type and validity
    (migration 5), without letterhead facts (migration 10); migration 3 itself never mentions
    the later columns."""
    for later in (
        "ocr",
        "doctype",
        "valid_from",
        "valid_to",
        "changed",
        "collection",
        "officer",
        "paragraph",
    ):
        assert later not in pgschema.MIGRATIONS[2].sql
    monkeypatch.setattr(pgschema, "MIGRATIONS", pgschema.MIGRATIONS[:3])
    assert pgschema.migrate(empty_database) == 3
    with psycopg.connect(empty_database, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO index_versions (name, manifest) VALUES ('v1', '{}') RETURNING id"
        ).fetchone()
        assert row is not None
        conn.execute(
            "INSERT INTO index_documents VALUES (%s, 'a.pdf', 'Avtal', 'x', 'pdf', '', '', 2, '')",
            (row[0],),
        )
        conn.execute(
            "INSERT INTO index_chunks VALUES (%s, 0, 'id', 'a.pdf', 2, '', 0, 'Text.', 'k')",
            (row[0],),
        )
    monkeypatch.undo()
    assert pgschema.migrate(empty_database) == pgschema.LATEST == 10
    with psycopg.connect(empty_database) as conn:
        chunk = conn.execute("SELECT page, text, ocr FROM index_chunks").fetchone()
        doc = conn.execute(
            "SELECT title, pages, doctype, valid_from, valid_to, collection, paragraph, officer "
            "FROM index_documents"
        ).fetchone()
    assert chunk == (2, "Text.", False)
    assert doc == ("Avtal", 2, "", "", "", "allmänt", "", "")
