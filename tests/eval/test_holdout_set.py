"""Validate tests/eval/holdout.jsonl and tests/eval/blind.jsonl, the labelled sets written by
someone who saw neither qa.jsonl nor the answering code, against the sources of the sample corpus.

Quotes of table rows join the row's cells with " | " as the Markdown source writes them, so they
are checked against scripts/sample_corpus_src rather than the built PDF/DOCX files.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "scripts" / "sample_corpus_src"
SETS = {"holdout.jsonl": "h", "blind.jsonl": "b"}  # file -> id prefix
KINDS = {"fact", "deadline", "obligation", "party", "unanswerable"}


def _source_text(doc: str) -> str:
    stem = doc.rsplit(".", 1)[0]
    path = next(p for p in SOURCES.iterdir() if p.name.rsplit(".", 1)[0] == stem)
    text = path.read_bytes().decode("utf-8", errors="replace").replace("**", "")
    return re.sub(r"\s+", " ", text)


def _items(name: str) -> list[dict]:
    path = Path(__file__).resolve().parent / name
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name", sorted(SETS))
def test_schema_and_counts(name: str) -> None:
    """Unique ids, the agreed keys, known kinds, at least 40 questions and 10 unanswerable."""
    items = _items(name)
    assert len({i["id"] for i in items}) == len(items) >= 40
    kinds = Counter(i["kind"] for i in items)
    assert kinds["unanswerable"] >= 10 and set(kinds) <= KINDS
    for item in items:
        assert set(item) == {"id", "question", "answer", "doc", "quote", "kind"}, item["id"]
        assert re.fullmatch(rf"{SETS[name]}\d{{3}}", item["id"]), item["id"]
        if item["kind"] == "unanswerable":
            assert item["doc"] == "" and item["quote"] == "", item["id"]


@pytest.mark.parametrize("name", sorted(SETS))
def test_quotes_occur_in_their_documents(name: str) -> None:
    """Every answerable question's quote is in the source of the document it names."""
    for item in _items(name):
        if item["kind"] != "unanswerable":
            quote = re.sub(r"\s+", " ", item["quote"]).strip()
            assert quote and quote in _source_text(item["doc"]), item["id"]
