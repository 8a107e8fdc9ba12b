"""The index copied to PostgreSQL: same content and answers as the local version, one
transaction per document, a killed copy leaves the previous version, replicas switch versions."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import psycopg
import pytest
from psycopg_pool import ConnectionPool
from pydantic import SecretStr

from bot.answer import Answerer
from config.settings import Settings
from evaluation.evaluate import load_items
from ingest.__main__ import main as ingest_main
from ingest.pgpublish import KEEP_VERSIONS, publish_to_postgres
from retrieval.embedder import HashEmbedder
from retrieval.errors import IndexLockedError
from retrieval.index import open_current
from retrieval.pgindex import PgSnapshot, open_pg_current, store_name
from retrieval.pgstore import open_pool
from retrieval.types import Answer
from tests.conftest import CORPUS, ROOT
from tests.pdfs import make_scanned_pdf, needs_tesseract
from tests.register.conftest import build_index, hash_index

__all__ = ["hash_index"]  # fixture used by the tests here
QUESTIONS = ROOT / "tests" / "eval" / "qa.jsonl"


@pytest.fixture
def pool(database: str) -> Iterator[ConnectionPool]:
    """A pool on that database."""
    pool = open_pool(database)
    yield pool
    pool.close()


def _pg(answerer: Answerer) -> PgSnapshot:
    """The PostgreSQL version the answerer uses now."""
    snapshot = answerer.snapshot
    assert isinstance(snapshot, PgSnapshot)
    return snapshot


def _settings(index: Path, dsn: str | None = None, model: str = "hash") -> Settings:
    return Settings(  # type: ignore[call-arg]  # _env_file: pydantic-settings keyword
        _env_file=None,
        index_dir=index,
        database_url=SecretStr(dsn) if dsn else None,
        embedding={"model": model},
    )


def _same(a: Answer, b: Answer) -> None:
    """Assert equal answers; scores within 1e-5 (pgvector and faiss add float32 products in
    another order)."""
    assert (a.answered, a.text, a.reason) == (b.answered, b.text, b.reason)
    assert [replace(c, score=0.0) for c in a.citations] == [
        replace(c, score=0.0) for c in b.citations
    ]
    assert [c.score for c in a.citations] == pytest.approx([c.score for c in b.citations], abs=1e-5)


def test_copy_holds_what_the_local_version_holds(
    hash_index: Path, database: str, pool: ConnectionPool
) -> None:
    """Documents, chunks, sentences, vectors, register and search equal the local version's."""
    result = publish_to_postgres(hash_index, database)
    local, pg = open_current(hash_index), open_pg_current(pool)
    try:
        assert result.copied and pg.version_id == result.version
        assert pg.manifest == local.manifest and pg.documents == local.documents
        positions = range(local.manifest.chunks)
        assert pg.chunks(positions) == local.chunks(positions)
        assert pg.sentences(positions) == local.sentences(positions)
        assert pg.deadlines() == local.deadlines() and pg.deadlines()
        assert pg.obligations() == local.obligations() and pg.obligations()
        assert pg.aliases() == local.aliases()
        path = sorted(local.documents)[0]
        assert pg.chunks_of(path) == local.chunks_of(path)
        for p in (0, local.manifest.chunks - 1):
            assert np.array_equal(pg.vectors()[p], local.vectors()[p])
        sid = len(local.sentence_keys()) // 2
        assert np.array_equal(pg.sentence_vectors()[sid], local.sentence_vectors()[sid])
        query = local.vectors()[3]
        assert [h for h, _ in pg.dense.search(query, 5)] == [
            h for h, _ in local.dense.search(query, 5)
        ]
        assert pg.lexical.search("handledarutbildning", 5) == local.lexical.search(
            "handledarutbildning", 5
        )
    finally:
        local.close()


def test_answers_equal_the_local_answers_on_the_eval_set(hash_index: Path, database: str) -> None:
    """On PostgreSQL the Answerer gives the local answers to all 83 questions (hash embedder)."""
    publish_to_postgres(hash_index, database)
    embedder = HashEmbedder()
    local = Answerer(_settings(hash_index), embedder)
    remote = Answerer(_settings(hash_index, database), embedder)
    assert isinstance(remote.snapshot, PgSnapshot)
    items = load_items(QUESTIONS)
    assert len(items) == 83
    for item in items:
        _same(remote.answer(item.question), local.answer(item.question))


def test_real_model_answers_equal_the_local_answers(
    sample_index: Path, real_embedder, model_dir: Path, database: str
) -> None:
    """With the real model, the first 12 eval questions get identical answers from PostgreSQL."""
    publish_to_postgres(sample_index, database)
    local = Answerer(_settings(sample_index, model=str(model_dir)), real_embedder)
    remote = Answerer(_settings(sample_index, database, str(model_dir)), real_embedder)
    for item in load_items(QUESTIONS)[:12]:
        _same(remote.answer(item.question), local.answer(item.question))


def test_same_local_version_is_not_copied_twice(hash_index: Path, database: str) -> None:
    """Publishing the version PostgreSQL already serves changes nothing."""
    first = publish_to_postgres(hash_index, database)
    again = publish_to_postgres(hash_index, database)
    assert first.copied and not again.copied and again.version == first.version


def _new_local_version(index: Path, corpus: Path, n: int) -> None:
    (corpus / f"extra-{n}.md").write_text(
        f"# Tillägg {n}\n\nKommunen ska lämna rapport nummer {n} till KSL.\n", "utf-8"
    )
    build_index(corpus, index)


@needs_tesseract
def test_ocr_flag_reaches_postgres_and_stays_with_unchanged_documents(
    tmp_path: Path, database: str, pool: ConnectionPool
) -> None:
    """Chunks read by OCR keep their flag in PostgreSQL, also when a later version copies them
    inside the database; a replica's citation of them says OCR."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    make_scanned_pdf(corpus / "skannat.pdf", [["Kommunen ska utse en handledare för studenten."]])
    build_index(corpus, index)
    publish_to_postgres(index, database)
    _new_local_version(index, corpus, 1)
    assert publish_to_postgres(index, database).kept == 1  # skannat.pdf, copied in the database
    local, pg = open_current(index), open_pg_current(pool)
    try:
        chunks = pg.chunks_of("skannat.pdf")
        assert chunks == local.chunks_of("skannat.pdf") and all(c.ocr for _, c, _ in chunks)
        assert not any(c.ocr for _, c, _ in pg.chunks_of("extra-1.md"))
    finally:
        local.close()
    answer = Answerer(_settings(index, database), HashEmbedder()).answer("Vem utser handledare?")
    assert [c.ocr for c in answer.citations if c.document == "skannat.pdf"] == [True]


def test_replica_answers_from_a_newly_published_version(
    tmp_path: Path, database: str, pool: ConnectionPool
) -> None:
    """A running Answerer on PostgreSQL uses a version published after it started; old
    versions are pruned."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(CORPUS, corpus)
    build_index(corpus, index)
    publish_to_postgres(index, database)
    answerer = Answerer(_settings(index, database), HashEmbedder())
    first = _pg(answerer).version_id
    for n in range(KEEP_VERSIONS + 1):
        _new_local_version(index, corpus, n)
        publish_to_postgres(index, database)
    assert _pg(answerer).version_id > first
    assert "extra-3.md" in _pg(answerer).documents
    with pool.connection() as conn:
        kept = conn.execute("SELECT id FROM index_versions ORDER BY id").fetchall()
        stores = conn.execute("SELECT name FROM stores WHERE name LIKE 'index.%'").fetchall()
    assert len(kept) == KEEP_VERSIONS
    assert sorted(s for (s,) in stores) == sorted(store_name(v) for (v,) in kept)


def test_second_publisher_is_refused(hash_index: Path, database: str) -> None:
    """While one ingest copies to PostgreSQL, another gets IndexLockedError, nothing changed."""
    with psycopg.connect(database, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(5117202)")
        with pytest.raises(IndexLockedError, match="another ingest"):
            publish_to_postgres(hash_index, database)


def _wait_blocked(database: str, timeout: float = 60.0) -> None:
    """Until a session of the database waits for a lock (the copy's publishing step)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(database, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            ).fetchone()
            if row and row[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the copy never reached its publishing step")


def test_killed_copy_leaves_the_previous_version(
    tmp_path: Path, database: str, pool: ConnectionPool
) -> None:
    """kill -9 of `python -m ingest.pgpublish` with every document written but not yet
    published: replicas keep the previous version; the next run removes the partial copy."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(CORPUS, corpus)
    build_index(corpus, index)
    before = publish_to_postgres(index, database).version
    _new_local_version(index, corpus, 1)
    env = {**os.environ, "DATABASE_URL": database, "PYTHONPATH": str(ROOT)}
    with psycopg.connect(database) as blocker:
        blocker.execute("SELECT * FROM index_current FOR UPDATE")  # publishing must wait
        proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.pgpublish", "--index", str(index)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_blocked(database)
            with pool.connection() as conn:
                row = conn.execute(
                    "SELECT count(*) FROM index_documents d JOIN index_versions v "
                    "ON v.id = d.version WHERE NOT v.complete"
                ).fetchone()
            assert row is not None and row[0] == 9  # every document committed, unpublished
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        blocker.rollback()
    snapshot = open_pg_current(pool)
    assert snapshot.version_id == before and "extra-1.md" not in snapshot.documents
    assert Answerer(_settings(index, database), HashEmbedder()).answer("När ska KSL svara?")
    after = publish_to_postgres(index, database)
    with pool.connection() as conn:
        incomplete = conn.execute("SELECT count(*) FROM index_versions WHERE NOT complete")
        assert incomplete.fetchone() == (0,)
    assert "extra-1.md" in PgSnapshot(pool, after.version).documents


def test_ingest_command_copies_to_postgresql(
    tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """`python -m ingest` with DATABASE_URL set publishes locally, then in PostgreSQL."""
    for name, value in {
        "DATABASE_URL": database,
        "INDEX_DIR": str(tmp_path / "index"),
        "CORPUS_DIR": str(CORPUS),
        "EMBEDDING_MODEL": "hash",
    }.items():
        monkeypatch.setenv(name, value)
    assert ingest_main([str(CORPUS)]) == 0
    out = capsys.readouterr().out
    assert "published as version" in out and "postgres@" not in out
    assert ingest_main([str(CORPUS)]) == 0
    assert "already serves" in capsys.readouterr().out


def test_read_url_is_used_for_answers(hash_index: Path, database: str) -> None:
    """With DATABASE_READ_URL set, questions are answered from it (DATABASE_URL unreachable)."""
    publish_to_postgres(hash_index, database)
    settings = _settings(hash_index, "postgresql://nobody@127.0.0.1:1/none").model_copy(
        update={"database_read_url": SecretStr(database)}
    )
    answer = Answerer(settings, HashEmbedder()).answer("När ska kommunen ha svarat KSL?")
    assert answer.citations


def test_eval_compare_runs_against_postgresql(
    hash_index: Path, database: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """`bot eval --compare` with DATABASE_URL: the same report as on the local index, its
    retrieval comparison rebuilt from the passage texts stored in PostgreSQL."""
    from bot.cli import main as bot_main

    publish_to_postgres(hash_index, database)
    monkeypatch.setenv("EMBEDDING_MODEL", "hash")
    monkeypatch.setenv("INDEX_DIR", str(hash_index))
    assert bot_main(["eval", str(QUESTIONS), "--compare"]) == 0
    local = capsys.readouterr().out
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("INDEX_DIR", str(hash_index.parent / "no-local-index"))
    assert bot_main(["eval", str(QUESTIONS), "--compare"]) == 0
    remote = capsys.readouterr().out
    assert "Retrieval by method" in remote and "char 4-grams" in remote
    assert remote == local


def test_unreachable_database_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """`bot ask` with DATABASE_URL on a closed port: exit 2, host:port named, no password."""
    from bot.cli import main as bot_main

    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:pw-secret-123@127.0.0.1:1/samverkan")
    monkeypatch.setenv("EMBEDDING_MODEL", "hash")
    monkeypatch.setenv("INDEX_DIR", str(tmp_path))
    assert bot_main(["ask", "När ska kommunen svara?"]) == 2
    err = capsys.readouterr().err
    assert "127.0.0.1:1" in err and "pw-secret-123" not in err


def test_health_covers_the_database(
    hash_index: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """`bot health` loads the index from DATABASE_URL: unhealthy (exit 1) when unreachable."""
    from bot.cli import main as bot_main

    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:pw-secret-123@127.0.0.1:1/samverkan")
    monkeypatch.setenv("INDEX_DIR", str(hash_index))  # a good local index does not count
    assert bot_main(["health"]) == 1
    err = capsys.readouterr().err
    assert "unhealthy" in err and "127.0.0.1:1" in err and "pw-secret-123" not in err
