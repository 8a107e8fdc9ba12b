"""The `Snapshot` contract, run against both implementations: the local version folder and the
same version in PostgreSQL, there made by an incremental copy (most documents kept from the
version before, one changed, one added, one deleted), so the contract also proves the copy."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psycopg
import pytest

from ingest.pgpublish import PgPublishResult, publish_to_postgres
from retrieval.errors import IndexModelMismatch
from retrieval.index import LocalSnapshot, open_current
from retrieval.pgindex import PgSnapshot, open_pg_current
from retrieval.pgschema import migrate
from retrieval.pgstore import open_pool
from retrieval.snapshot import Snapshot, passage_text
from tests.conftest import CORPUS
from tests.register.conftest import build_index

CHANGED = "fragor-och-svar-samverkansmodellen.md"
DELETED = "uppfoljningsplan-nordost-2017-2019.md"
ADDED = "aa-tillagg.md"  # sorts first: every other document's positions move


@dataclass
class Published:
    """The local index and its copy in PostgreSQL, with what the two copies did."""

    index: Path
    dsn: str
    first: PgPublishResult
    second: PgPublishResult


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, pg_server: str) -> Iterator[Published]:
    """Publish the sample corpus, then a version with one document changed, one added and one
    deleted; PostgreSQL holds the second by the incremental copy."""
    tmp = tmp_path_factory.mktemp("contract")
    corpus, index = tmp / "corpus", tmp / "index"
    shutil.copytree(CORPUS, corpus)
    name = f"c_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = pg_server.rsplit("/", 1)[0] + f"/{name}"
    migrate(dsn)
    build_index(corpus, index)
    first = publish_to_postgres(index, dsn)
    with open(corpus / CHANGED, "a", encoding="utf-8") as fh:
        fh.write("\n\n## Nytt avsnitt\n\nKommunen ska redovisa antalet handledare varje höst.\n")
    (corpus / ADDED).write_text(
        "# Tillägg\n\nLärosätet ska senast den 1 mars lämna en lista över kurser.\n", "utf-8"
    )
    (corpus / DELETED).unlink()
    build_index(corpus, index)
    second = publish_to_postgres(index, dsn)
    yield Published(index, dsn, first, second)


@pytest.fixture(params=["local", "postgresql"])
def snapshot(request: pytest.FixtureRequest, published: Published) -> Iterator[Snapshot]:
    """Each implementation of the published version."""
    if request.param == "local":
        local = open_current(published.index)
        yield local
        local.close()
        return
    pool = open_pool(published.dsn)
    try:
        yield open_pg_current(pool)
    finally:
        pool.close()


class TestSnapshotContract:
    """What every Snapshot promises (retrieval/snapshot.py)."""

    def test_documents_and_manifest(self, snapshot: Snapshot) -> None:
        assert ADDED in snapshot.documents and DELETED not in snapshot.documents
        assert snapshot.manifest.documents == len(snapshot.documents)
        assert list(snapshot.documents) == sorted(snapshot.documents)
        assert isinstance(snapshot.version, str) and snapshot.version

    def test_chunks_by_position(self, snapshot: Snapshot) -> None:
        n = snapshot.manifest.chunks
        chunks = snapshot.chunks(range(n))
        assert sorted(chunks) == list(range(n))
        assert all(c.doc_path in snapshot.documents for c in chunks.values())
        assert snapshot.chunks([]) == {}
        assert snapshot.chunks([n, n + 5]) == {}  # positions that do not exist are left out

    def test_a_documents_chunks_are_consecutive_and_in_order(self, snapshot: Snapshot) -> None:
        for path in snapshot.documents:
            rows = snapshot.chunks_of(path)
            positions = [pos for pos, _, _ in rows]
            assert positions == list(range(positions[0], positions[0] + len(rows)))
            assert [c.ordinal for _, c, _ in rows] == sorted(c.ordinal for _, c, _ in rows)
            assert all(snapshot.chunks([p])[p] == c for p, c, _ in rows[:2])
        assert snapshot.chunks_of(DELETED) == []

    def test_sentences_of_every_asked_position(self, snapshot: Snapshot) -> None:
        n = snapshot.manifest.chunks
        found = snapshot.sentences([0, n - 1, n + 3])
        assert set(found) == {0, n - 1, n + 3} and found[n + 3] == []
        sids = [sid for rows in snapshot.sentences(range(n)).values() for sid, _ in rows]
        assert sids == list(range(len(sids)))  # every sentence once, ids in chunk order
        assert all(text.strip() for _, text in found[0])

    def test_vectors_are_unit_rows(self, snapshot: Snapshot) -> None:
        dim, n = snapshot.manifest.dim, snapshot.manifest.chunks
        for rows, row in ((snapshot.vectors(), n - 1), (snapshot.sentence_vectors(), 0)):
            vector = np.asarray(rows[row])
            assert vector.shape == (dim,) and vector.dtype == np.float32
            assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4
        with pytest.raises(IndexError):
            snapshot.vectors()[n + 10]

    def test_dense_search_finds_a_chunk_by_its_own_vector(self, snapshot: Snapshot) -> None:
        pos = snapshot.manifest.chunks // 2
        hits = snapshot.dense.search(np.asarray(snapshot.vectors()[pos]), 5)
        assert hits[0][0] == pos and hits[0][1] == pytest.approx(1.0, abs=1e-4)
        assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)

    def test_passage_texts_are_what_was_indexed(self, snapshot: Snapshot) -> None:
        texts = snapshot.passage_texts()
        assert len(texts) == snapshot.manifest.chunks
        chunk = snapshot.chunks([3])[3]
        assert texts[3] == passage_text(snapshot.documents[chunk.doc_path].title, chunk)
        pos, score = snapshot.lexical.search("handledarutbildning", 1)[0]
        assert score > 0 and "handledarutbildning" in texts[pos].lower()

    def test_register(self, snapshot: Snapshot) -> None:
        deadlines = snapshot.deadlines()
        assert any(d.doc_path == ADDED and "1 mars" in d.quote for d in deadlines)
        assert all(d.doc_path in snapshot.documents for d in deadlines)
        first = {path: snapshot.chunks_of(path)[0][0] for path in snapshot.documents}
        assert snapshot.obligations() and isinstance(snapshot.aliases(), dict)
        assert [d.doc_path for d in deadlines] == sorted(
            (d.doc_path for d in deadlines), key=first.__getitem__
        )  # document order: the order of the documents' chunk positions

    def test_check_model(self, snapshot: Snapshot) -> None:
        snapshot.check_model(snapshot.manifest.model)
        with pytest.raises(IndexModelMismatch, match="ingest"):
            snapshot.check_model("another-model")


def test_incremental_copy_sent_only_the_changed_and_added_documents(published: Published) -> None:
    """The second copy sent two documents and kept the rest; the first sent all."""
    assert published.first.sent == published.first.documents and published.first.kept == 0
    assert (published.second.sent, published.second.kept) == (2, published.second.documents - 2)


def test_postgresql_holds_what_the_local_version_holds(published: Published) -> None:
    """After the incremental copy, every read gives the local version's answer."""
    local: LocalSnapshot = open_current(published.index)
    pool = open_pool(published.dsn)
    try:
        pg: PgSnapshot = open_pg_current(pool)
        n = local.manifest.chunks
        assert pg.manifest == local.manifest and pg.documents == local.documents
        assert pg.chunks(range(n)) == local.chunks(range(n))
        assert pg.sentences(range(n)) == local.sentences(range(n))
        assert pg.passage_texts() == local.passage_texts()
        for path in local.documents:
            assert pg.chunks_of(path) == local.chunks_of(path)
        for p in range(n):
            assert np.array_equal(pg.vectors()[p], local.vectors()[p])
        sids = [sid for rows in local.sentences(range(n)).values() for sid, _ in rows]
        for sid in sids:
            assert np.array_equal(pg.sentence_vectors()[sid], local.sentence_vectors()[sid])
        assert pg.deadlines() == local.deadlines()
        assert pg.obligations() == local.obligations()
        assert pg.aliases() == local.aliases()
    finally:
        local.close()
        pool.close()


def test_an_unchanged_version_sends_nothing(published: Published, tmp_path: Path) -> None:
    """A local version with the same documents as the one PostgreSQL serves (its folder name
    differs, its documents were read at another time) sends no document: all are kept inside
    the database, with the new version's `changed` times."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(CORPUS, corpus)
    with open(corpus / CHANGED, "a", encoding="utf-8") as fh:
        fh.write("\n\n## Nytt avsnitt\n\nKommunen ska redovisa antalet handledare varje höst.\n")
    (corpus / ADDED).write_text(
        "# Tillägg\n\nLärosätet ska senast den 1 mars lämna en lista över kurser.\n", "utf-8"
    )
    (corpus / DELETED).unlink()
    build_index(corpus, index)  # same documents as `published`, another version folder
    result = publish_to_postgres(index, published.dsn)
    assert result.copied and result.sent == 0 and result.kept == result.documents
    pool = open_pool(published.dsn)
    try:
        assert open_pg_current(pool).documents == open_current(index).documents
    finally:
        pool.close()
