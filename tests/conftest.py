"""Shared fixtures: the real converted model and a real index of the sample corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The bundled model converted to a sentence-transformers folder (cached on disk)."""
    from config.settings import DEFAULT_MODEL_DIR
    from scripts.convert_model import convert

    return convert(DEFAULT_MODEL_DIR)


@pytest.fixture(scope="session")
def real_embedder(model_dir: Path):
    """The real embedding model with the shipped query adapter, as the bot loads it, once per
    test session."""
    from config.settings import DEFAULT_QUERY_ADAPTER
    from retrieval.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(str(model_dir), query_adapter=str(DEFAULT_QUERY_ADAPTER))


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory, real_embedder, model_dir: Path) -> Path:
    """The sample corpus ingested with the real model into a session-wide index folder."""
    from config.settings import Settings
    from ingest.pipeline import IngestOptions, ingest

    index = tmp_path_factory.mktemp("sample-index")
    s = Settings()
    opts = IngestOptions(
        index_dir=index,
        corpus_dir=CORPUS,
        chunk_size=s.ingest.chunk_size,
        chunk_overlap=s.ingest.chunk_overlap,
    )
    report = ingest([CORPUS], opts, real_embedder.name, lambda: real_embedder)
    assert not report.failed, report.failed
    return index


@pytest.fixture(scope="session")
def answerer(sample_index: Path, real_embedder, model_dir: Path):
    """An Answerer over the sample index, sharing the session's model."""
    from bot.answer import Answerer
    from config.settings import Settings

    return Answerer(
        Settings(index_dir=sample_index, embedding={"model": str(model_dir)}),
        embedder=real_embedder,
    )
