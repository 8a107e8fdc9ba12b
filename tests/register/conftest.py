"""A sample-corpus index built with the hash embedder (the register does not depend on meaning)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from retrieval.embedder import HashEmbedder
from tests.conftest import CORPUS


def build_index(corpus: Path, index: Path) -> None:
    """Ingest `corpus` into `index` with the hash embedder."""
    embedder = HashEmbedder()
    report = ingest([corpus], IngestOptions(index, corpus), embedder.name, lambda: embedder)
    assert not report.failed, report.failed


@pytest.fixture(scope="session")
def hash_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus indexed with the hash embedder, shared by the session (read only)."""
    index = tmp_path_factory.mktemp("hash-index")
    build_index(CORPUS, index)
    return index


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample corpus."""
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy)
    return copy
