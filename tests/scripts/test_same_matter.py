"""scripts/same_matter.py prints every pair of indexed decisions with what bot.newer makes of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import IngestOptions, ingest
from retrieval.embedder import HashEmbedder
from scripts import same_matter
from tests.pdfs import make_decision_pdf


def test_prints_each_pair_of_decisions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two decisions of one case are printed as one committee, one case, the same matter."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_decision_pdf(corpus / "a.pdf", "2023-05-10", "§ 31", "ON 2024/31-1")
    make_decision_pdf(corpus / "b.pdf")  # 2024-03-20, ON 2024/31-3
    embedder = HashEmbedder()
    ingest([corpus], IngestOptions(tmp_path / "index", corpus), embedder.name, lambda: embedder)
    assert same_matter.main(["--index", str(tmp_path / "index")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 decisions in ")
    row = next(line for line in out.splitlines() if "a.pdf" in line)
    assert row.split()[1:4] == ["same", "same", "yes"]
