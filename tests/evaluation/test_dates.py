"""The date evaluation: label files, matching by document, type, value and span, skipping."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from evaluation.dates import (
    DateLabel,
    Found,
    document_path,
    evaluate,
    load,
    locate,
    matches,
    score,
)
from evaluation.labels import REAL_DOCS, MissingDocuments
from retrieval.register import KINDS
from scripts import eval_dates
from tests.conftest import ROOT

LABELS = ROOT / "tests" / "eval" / "dates"
DOC = "36_avtal.txt"


def label(value: str = "2021-12-31", span: tuple[int, int] = (10, 50)) -> DateLabel:
    """A validity-end label of one document."""
    return DateLabel("D1", DOC, "validity_end", value, span)


def found(value: str = "2021-12-31", spans: tuple[tuple[int, int], ...] = ((40, 90),)) -> Found:
    """A validity end the register found."""
    return Found(DOC, "validity_end", value, spans, "Avtalsperioden är 2018–2021.")


def test_shipped_label_files_parse_and_name_their_documents() -> None:
    """Every shipped label line has a known type, an ordered span, and a document line."""
    files = sorted(LABELS.glob("*.jsonl"))
    assert files
    for path in files:
        docs, labels = load(path)
        assert docs and all(item.type in KINDS for item in labels)
        assert all(0 <= item.span[0] < item.span[1] for item in labels)
        assert {item.doc for item in labels} <= set(docs)


def test_match_needs_same_value_and_overlapping_sentence() -> None:
    """Same document, type and value and an overlapping span match; anything else does not."""
    assert matches(found(), label())
    assert not matches(found("2022-12-31"), label())
    assert not matches(found(spans=((50, 90),)), label())
    assert matches(found(spans=((0, 5), (45, 60))), label())


def test_score_counts_recall_by_label_and_precision_by_entry() -> None:
    """One hit, one missed label and one extra entry: recall 1/2, precision 1/2."""
    tallies = score([found(), found("2030-12-31")], [label(), label("2019-12-31", (200, 240))])
    validity, overall = tallies["validity_end"], tallies["all"]
    assert (validity.recalled, validity.expected, validity.correct, validity.found) == (1, 2, 1, 2)
    assert overall.recall == 0.5 and overall.precision == 0.5
    assert tallies["notice"].recall == 1.0 and tallies["notice"].precision == 1.0


def test_locate_finds_every_place_a_sentence_is_written() -> None:
    """A quote is found across line breaks, at each place it is written."""
    text = (
        "Rubrik\nDenna ska överlämnas\nsenast 15 april. Mer. Denna ska överlämnas senast 15 april."
    )
    spans = locate("Denna ska överlämnas senast 15 april.", text)
    assert len(spans) == 2 and text[spans[0][0] : spans[0][1]].startswith("Denna")
    assert locate("Finns inte.", text) == ()


def test_missing_documents_skip_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the real documents the script says it skipped and why, and exits 0."""
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({"doc": "99_finns-inte.txt", "type": "document"}) + "\n", "utf-8")
    with pytest.raises(MissingDocuments, match=r"99_finns-inte\.txt"):
        document_path("99_finns-inte.txt", (tmp_path / "nowhere",))
    monkeypatch.setattr(sys, "argv", ["eval_dates.py", str(path)])
    assert eval_dates.main() == 0
    assert capsys.readouterr().out.startswith(f"skipped {path}: ")


@pytest.mark.skipif(not REAL_DOCS[0].is_dir(), reason="../shared/real-corpus is absent")
def test_dev_labels_are_found_with_recall_and_precision_of_at_least_08() -> None:
    """On the dev documents the register finds at least 80 % of the labelled dates, and at
    least 80 % of what it lists there is labelled (a guard against regressions)."""
    overall = evaluate(LABELS / "dates_dev.jsonl")["all"]
    assert overall.expected >= 20
    assert overall.recall >= 0.8 and overall.precision >= 0.8


def test_a_notices_derived_day_is_counted_when_labelled() -> None:
    """A notice label's derived last day counts as right only when the entry has that day."""
    notice = DateLabel("D2", DOC, "notice", "P3M", (10, 50), derived="2026-09-30")
    right = Found(DOC, "notice", "P3M", ((10, 50),), "Uppsägningstid tre månader.", "2026-09-30")
    tally = score([right], [notice])["notice"]
    assert (tally.derived, tally.derived_right, tally.recall) == (1, 1, 1.0)
    wrong = Found(DOC, "notice", "P3M", ((10, 50),), "Uppsägningstid tre månader.", "")
    assert score([wrong], [notice])["notice"].derived_right == 0
