"""Letterhead facts (committee, meeting date, §, diarienummer, case officer) become document
metadata shown in citations, and the lines that carry them are never evidence (issue 10, 2)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.answer import Answerer
from config.settings import Settings
from ingest.metadata import is_letterhead
from ingest.pipeline import IngestOptions, ingest
from retrieval.embedder import HashEmbedder
from retrieval.index import current_version, open_current
from retrieval.types import Citation, DocumentMeta
from tests.pdfs import make_decision_pdf, make_docx

LETTERHEAD = ("OMSORGSFÖRVALTNINGEN", "Eva Strand", "Omsorgsnämnden 2024-03-20", "Dnr ON")
DOC = DocumentMeta(
    "b.pdf", "Omsorgsnämnden 2024-03-20", "", "pdf", date="2024-03-20",
    reference="ON 2024/31-3", body="Omsorgsnämnden", paragraph="§ 12", officer="Eva Strand",
)  # fmt: skip


def _ingest(corpus: Path, index: Path) -> None:
    embedder = HashEmbedder()
    ingest([corpus], IngestOptions(index, corpus), embedder.name, lambda: embedder)


def _sentences(index: Path, path: str) -> list[str]:
    snapshot = open_current(index)
    positions = [pos for pos, _, _ in snapshot.chunks_of(path)]
    return [text for rows in snapshot.sentences(positions).values() for _, text in rows]


@pytest.fixture
def decision_index(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_decision_pdf(corpus / "beslut.pdf")
    _ingest(corpus, tmp_path / "index")
    return tmp_path / "index"


def test_letterhead_of_a_pdf_becomes_the_documents_metadata(decision_index: Path) -> None:
    """Committee, meeting date, §, diarienummer and case officer are read from the small-type
    letterhead of a printed decision."""
    doc = open_current(decision_index).documents["beslut.pdf"]
    assert (doc.title, doc.body, doc.date) == (
        "Omsorgsnämnden 2024-03-20", "Omsorgsnämnden", "2024-03-20"
    )  # fmt: skip
    assert (doc.paragraph, doc.reference, doc.officer) == ("§ 12", "ON 2024/31-3", "Eva Strand")


def test_letterhead_lines_are_never_evidence_sentences(decision_index: Path) -> None:
    """No stored sentence is a letterhead line or names the case officer; the body is kept."""
    stored = _sentences(decision_index, "beslut.pdf")
    assert not [s for s in stored if any(part in s for part in LETTERHEAD) or s == "§ 12"]
    assert "Högskolan betalar 1 500 kronor per student och vecka till kommunen." in stored


def test_citation_of_a_decision_names_committee_date_and_paragraph(
    decision_index: Path,
) -> None:
    """A source from the decision reads "Omsorgsnämnden 2024-03-20, § 12, Ärendet, s. 2" and
    carries the case officer (shown in Slack and in `--json`)."""
    embedder = HashEmbedder()
    settings = Settings(index_dir=decision_index, embedding={"model": embedder.name})
    answer = Answerer(settings, embedder=embedder).answer(
        "Hur mycket betalar högskolan per student och vecka?"
    )
    cite = next(c for c in answer.citations if c.page == 2)
    assert cite.label() == "Omsorgsnämnden 2024-03-20, § 12, Ärendet, s. 2"
    assert cite.officer == "Eva Strand"
    assert answer.to_json()["citations"][cite.n - 1]["paragraph"] == "§ 12"  # type: ignore[index]


def test_label_keeps_a_section_that_is_its_own_paragraph() -> None:
    """Minutes cited by their § heading do not repeat the letterhead's §."""
    cite = Citation(1, "p.txt", "Socialnämnden 2016-12-14", 1, "§ 5 Samverkansavtal", "", 0.5,
                    paragraph="§ 5")  # fmt: skip
    assert cite.label() == "Socialnämnden 2016-12-14, § 5 Samverkansavtal, s. 1"


def test_docx_letterhead_in_the_page_header(tmp_path: Path) -> None:
    """A Word letterhead in the page header (lines and a label/value table) gives the metadata
    and stays out of the text."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_docx(
        corpus / "tjansteskrivelse.docx",
        [
            ("h1", "Taxa för trygghetslarm"),
            ("p", "Nämnden föreslås höja avgiften till 250 kronor."),
        ],
        header=["OMSORGSFÖRVALTNINGEN", "Omsorgsnämnden 2024-05-15"],
        header_table=[["Handläggare", "Jonas Berg"], ["Diarienummer", "ON 2024/77-1"]],
    )
    _ingest(corpus, tmp_path / "index")
    snapshot = open_current(tmp_path / "index")
    doc = snapshot.documents["tjansteskrivelse.docx"]
    assert (doc.body, doc.date, doc.reference, doc.officer) == (
        "Omsorgsnämnden", "2024-05-15", "ON 2024/77-1", "Jonas Berg"
    )  # fmt: skip
    text = " ".join(c.text for _, c, _ in snapshot.chunks_of("tjansteskrivelse.docx"))
    assert "Jonas Berg" not in text and "FÖRVALTNINGEN" not in text
    assert "250 kronor" in text


@pytest.mark.parametrize(
    "line",
    ["Handläggare: Eva Strand", "Omsorgsnämnden 2024-03-20", "Dnr ON 2024/31-3", "§ 12",
     "Sammanträdesdatum: 2024-03-20", "Omsorgsnämnden", "Eva Strand"],
)  # fmt: skip
def test_lines_of_letterhead_facts_only(line: str) -> None:
    """A line of nothing but the document's facts and their labels is letterhead."""
    assert is_letterhead(line, DOC)


@pytest.mark.parametrize(
    "line",
    ["Handläggare är utredaren Eva Strand.", "Ordförande: Anders Lind (M)",
     "Omsorgsnämnden beslutar", "Dnr ON 2023/12-1", "Omsorgsnämnden 2023-05-10", "§ 13",
     "Kontaktperson: Anna Berg",
     "Högskolan betalar 1 500 kronor per student och vecka till kommunen."],
)  # fmt: skip
def test_sentences_and_other_facts_are_not_letterhead(line: str) -> None:
    """A sentence, another meta line (the chair) or another case's facts are not letterhead."""
    assert not is_letterhead(line, DOC)


def test_version_written_before_letterhead_columns_loads(decision_index: Path) -> None:
    """A local version without the paragraph and officer columns (older code) reads them as ""."""
    folder = current_version(decision_index)
    assert folder is not None
    with sqlite3.connect(folder / "meta.sqlite") as db:
        db.execute("ALTER TABLE documents DROP COLUMN paragraph")
        db.execute("ALTER TABLE documents DROP COLUMN officer")
    doc = open_current(decision_index).documents["beslut.pdf"]
    assert (doc.paragraph, doc.officer, doc.reference) == ("", "", "ON 2024/31-3")
