"""Validate tests/eval/holdout.jsonl, the second labelled set (written by someone who saw neither
qa.jsonl nor the answering code), against the sources of the sample corpus.

Quotes of table rows join the row's cells with " | " as the Markdown source writes them, so they
are checked against scripts/sample_corpus_src rather than the built PDF/DOCX files.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "scripts" / "sample_corpus_src"
HOLDOUT = Path(__file__).resolve().parent / "holdout.jsonl"
KINDS = {"fact", "deadline", "obligation", "party", "unanswerable"}


def _source_text(doc: str) -> str:
    stem = doc.rsplit(".", 1)[0]
    path = next(p for p in SOURCES.iterdir() if p.name.rsplit(".", 1)[0] == stem)
    text = path.read_bytes().decode("utf-8", errors="replace").replace("**", "")
    return re.sub(r"\s+", " ", text)


ITEMS = [json.loads(line) for line in HOLDOUT.read_text("utf-8").splitlines() if line.strip()]


def test_schema_and_counts() -> None:
    """Unique h-ids, the agreed keys, known kinds, at least 40 questions and 10 unanswerable."""
    assert len({i["id"] for i in ITEMS}) == len(ITEMS) >= 40
    kinds = Counter(i["kind"] for i in ITEMS)
    assert kinds["unanswerable"] >= 10 and set(kinds) <= KINDS
    for item in ITEMS:
        assert set(item) == {"id", "question", "answer", "doc", "quote", "kind"}, item["id"]
        assert re.fullmatch(r"h\d{3}", item["id"]), item["id"]
        if item["kind"] == "unanswerable":
            assert item["doc"] == "" and item["quote"] == "", item["id"]


def test_quotes_occur_in_their_documents() -> None:
    """Every answerable question's quote is in the source of the document it names."""
    for item in ITEMS:
        if item["kind"] != "unanswerable":
            quote = re.sub(r"\s+", " ", item["quote"]).strip()
            assert quote and quote in _source_text(item["doc"]), item["id"]
