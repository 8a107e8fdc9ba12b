"""Document collections on PostgreSQL: the collection is stored with each document, pgvector
searches inside the allowed positions, and a replica's answers for a channel are the local
ones for that channel, without a word of the collections it may not see."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from pydantic import SecretStr

from bot.answer import Answerer
from config.collections import DEFAULT_COLLECTION, EVERYONE
from config.settings import Settings
from evaluation.evaluate import load_items
from ingest.pgpublish import publish_to_postgres
from retrieval.collections import scoped
from retrieval.embedder import HashEmbedder
from retrieval.index import open_current
from retrieval.pgindex import open_pg_current
from retrieval.pgstore import open_pool
from tests.conftest import CORPUS, ROOT
from tests.register.conftest import build_index

SECRET_TITLE = "Konfidentiellt budgetutkast för ledningsgruppen"
HOSTILE = (
    "Vad står i det konfidentiella budgetutkastet för ledningsgruppen?",
    "Hur mycket ska handledarersättningen sänkas enligt ledningsgruppen?",
    "Vilka deadlines har vi?",
)


@pytest.fixture
def index(tmp_path: Path) -> Path:
    """The sample corpus with a confidential draft in ledning/, indexed with the hash model."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "ledning").mkdir()
    (corpus / "ledning" / "budgetutkast.md").write_text(
        f"# {SECRET_TITLE}\n\nLedningsgruppen föreslår att handledarersättningen sänks till "
        "1 234 kronor per student och vecka. Ekonomichefen ska lämna besked senast den "
        "1 april 2027.\n",
        "utf-8",
    )
    build_index(corpus, tmp_path / "index")
    return tmp_path / "index"


def _settings(index: Path, dsn: str | None = None) -> Settings:
    return Settings(  # type: ignore[call-arg]  # _env_file: pydantic-settings keyword
        _env_file=None,
        index_dir=index,
        database_url=SecretStr(dsn) if dsn else None,
        embedding={"model": "hash"},
    )


def test_pgvector_and_bm25_search_inside_the_allowed_positions(index: Path, database: str):
    """The documents keep their collection in PostgreSQL; the default collection's view of the
    replica's version finds the same positions as the local view, none of the draft's."""
    publish_to_postgres(index, database)
    pool = open_pool(database)
    local = open_current(index)
    try:
        pg = open_pg_current(pool)
        assert {p: d.collection for p, d in pg.documents.items()} == {
            p: d.collection for p, d in local.documents.items()
        }
        assert pg.documents["ledning/budgetutkast.md"].collection == "ledning"
        assert pg.documents["avsiktsforklaring-ksl-larosaten.pdf"].collection == DEFAULT_COLLECTION
        secret = set(pg.chunk_positions(["ledning/budgetutkast.md"]))
        assert secret and secret == set(local.chunk_positions(["ledning/budgetutkast.md"]))
        pg_view, local_view = scoped(pg, EVERYONE), scoped(local, EVERYONE)
        query = local.vectors()[min(secret)]  # the draft's own vector: it would come first
        assert min(secret) in {p for p, _ in pg.dense.search(query, 5)}
        found = dict(pg_view.dense.search(query, 8))
        assert len(found) == 8 and not set(found) & secret
        # the same hits as the local view (near-ties may swap: float32 sums in another order)
        expected = dict(local_view.dense.search(query, 8))
        assert set(found) == set(expected)
        assert all(abs(found[p] - expected[p]) < 1e-5 for p in found)
        lexical = pg_view.lexical.search("budgetutkast ledningsgruppen handledarersättning", 8)
        assert lexical and not {p for p, _ in lexical} & secret
    finally:
        local.close()
        pool.close()


def test_a_replica_answers_a_channel_as_the_local_index_does(index: Path, database: str):
    """For the default collection, PostgreSQL answers the eval questions and hostile ones as
    the local index does, and never with the draft; for ledning it can reach the draft."""
    publish_to_postgres(index, database)
    embedder = HashEmbedder()
    local = Answerer(_settings(index), embedder)
    remote = Answerer(_settings(index, database), embedder)
    questions = [i.question for i in load_items(ROOT / "tests" / "eval" / "qa.jsonl")[:10]]
    for question in [*questions, *HOSTILE]:
        a = remote.answer(question, collections=EVERYONE)
        b = local.answer(question, collections=EVERYONE)
        assert (a.answered, a.text) == (b.answered, b.text)
        assert [replace(c, score=0.0) for c in a.citations] == [
            replace(c, score=0.0) for c in b.citations
        ]
        shown = a.text + "".join(c.title + c.quote + c.document + c.passage for c in a.citations)
        assert SECRET_TITLE not in shown and "1 234" not in shown and "budgetutkast.md" not in shown
    seen = frozenset({"ledning", DEFAULT_COLLECTION})
    reached = [remote.answer(q, collections=seen) for q in HOSTILE]
    assert any(c.document == "budgetutkast.md" for a in reached for c in a.citations)
    assert np.isfinite([c.score for a in reached for c in a.citations]).all()
