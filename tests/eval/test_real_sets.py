"""The labelled sets over the real documents: well formed, spans that resolve, no copied text."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evaluation.labels import KINDS, REAL_DOCS, load

REAL = Path(__file__).resolve().parent / "real"
SETS = sorted(REAL.rglob("*.jsonl"))  # with reserve/ (adapter only) and reserve/unused/
STYLES = {"paraphrase", "short", "typo", "noaccents", "we", "followup", "formal"}
KEYS = {"id", "question", "kind", "style", "doc", "span", "answer", "near_doc", "history"}


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_the_sets_are_large_enough_with_enough_unanswerable() -> None:
    """At least 300 evaluation questions (development and test parts), 30 % unanswerable."""
    rows = [r for p in SETS if not p.name.startswith("train_") for r in _rows(p)]
    kinds = Counter(r["kind"] for r in rows)
    assert len(rows) >= 300
    assert kinds["unanswerable"] / len(rows) >= 0.30
    assert set(kinds) == set(KINDS), kinds


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_schema(path: Path) -> None:
    """Known keys, kinds and styles; unique ids; spans only on answerable questions; answers of
    at most 12 words; a follow-up carries its history."""
    rows = _rows(path)
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r) <= KEYS and {"id", "question", "kind", "doc", "span"} <= set(r), r["id"]
        assert r["kind"] in KINDS and r.get("style") in STYLES, r["id"]
        assert (r["kind"] == "unanswerable") == (not r["doc"]), r["id"]
        assert bool(r["span"]) == bool(r["doc"]), r["id"]
        assert len(r.get("answer", "").split()) <= 12, r["id"]
        if r["style"] == "followup":
            assert r.get("history"), r["id"]


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_spans_resolve_to_text_in_the_real_documents(path: Path) -> None:
    """Every span points inside its document at a non-empty passage of at most a few sentences
    (skipped, saying why, when ../shared/real-corpus is absent)."""
    if not REAL_DOCS[0].is_dir():
        pytest.skip(f"{REAL_DOCS[0]} is absent: the real documents are not on this machine")
    labels = load(path)
    for label in labels:
        if label.doc:
            assert 10 <= len(label.gold.strip()) <= 700, label.id


def test_no_document_text_is_copied_into_the_labels() -> None:
    """No question or answer holds a run of ten words of its document (the documents stay in
    ../shared; labels point at them; an answer of at most 12 words may quote a short fact)."""
    if not REAL_DOCS[0].is_dir():
        pytest.skip(f"{REAL_DOCS[0]} is absent: the real documents are not on this machine")
    texts = {p.name: p.read_text("utf-8").lower() for d in REAL_DOCS for p in d.glob("*.txt")}
    for path in SETS:
        for r in _rows(path):
            doc = texts.get(r["doc"] or r.get("near_doc") or "", "")
            for field in ("question", "answer"):
                words = r.get(field, "").lower().split()
                for i in range(len(words) - 9):
                    assert " ".join(words[i : i + 10]) not in doc, (r["id"], field)
