"""Scanned PDFs: pages without a text layer are read by the real Tesseract in Swedish, keep their
page, and their citations say OCR; without Tesseract the file is refused saying how to enable it.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from bot.answer import Answerer
from bot.slack.blocks import answer_message
from config.settings import Settings
from ingest import ocr
from ingest.pipeline import IngestOptions, IngestReport, ingest
from ingest.readers import read_blocks, read_pdf
from retrieval.embedder import HashEmbedder
from retrieval.index import current_version, open_current
from retrieval.types import Citation
from tests.pdfs import join_pdfs, make_pdf, make_scanned_pdf, needs_tesseract

COVER = ["Samverkansavtal om verksamhetsförlagd utbildning"]
DUTIES = [
    "4.2 Kommunens åtaganden",
    "Kommunen ska utse en handledare för varje student på förskolan.",
    "Lärosätet ansvarar för examinationen och meddelar kommunen senast den 15 mars.",
]
# distinctive words of DUTIES; OCR may misread a letter here or there, so most must be found
DUTY_WORDS = ["handledare", "student", "förskolan", "examinationen", "meddelar", "Lärosätet"]


def _ingest(corpus: Path, index: Path) -> IngestReport:
    embedder = HashEmbedder()
    return ingest([corpus], IngestOptions(index, corpus), embedder.name, lambda: embedder)


def _found(words: list[str], text: str) -> list[str]:
    return [w for w in words if w.lower() in text.lower()]


def _no_tesseract(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PATH on which no tesseract command is found, as on a machine without it."""
    empty = tmp_path / "empty-path"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))
    assert ocr.missing() == "Tesseract OCR is not installed"


def _mixed_pdf(path: Path) -> Path:
    """Page 1 with a text layer, page 2 a scan of DUTIES."""
    text = make_pdf(path.with_suffix(".1.pdf"), [[*COVER, "Avtalet gäller för alla parter."]])
    scan = make_scanned_pdf(path.with_suffix(".2.pdf"), [DUTIES])
    return join_pdfs(path, [text, scan])


@needs_tesseract
def test_scanned_pdf_is_read_by_ocr_with_its_pages(tmp_path: Path) -> None:
    """A PDF of page images only is ingested: Swedish words found, pages kept, chunks marked."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_scanned_pdf(corpus / "skannat.pdf", [COVER, DUTIES])
    report = _ingest(corpus, tmp_path / "index")
    assert report.added == ["skannat.pdf"] and not report.failed
    chunks = [c for _, c, _ in open_current(tmp_path / "index").chunks_of("skannat.pdf")]
    assert {c.page for c in chunks} == {1, 2} and all(c.ocr for c in chunks)
    page2 = " ".join(c.text for c in chunks if c.page == 2)
    assert len(_found(DUTY_WORDS, page2)) >= 5, page2
    page1 = " ".join(c.text for c in chunks if c.page == 1)
    assert len(_found(["Samverkansavtal", "verksamhetsförlagd", "utbildning"], page1)) >= 2
    assert any(c.section.startswith("4.2 Kommunens") for c in chunks if c.page == 2)


@needs_tesseract
def test_text_pages_are_read_as_before_and_only_the_scanned_page_by_ocr(tmp_path: Path) -> None:
    """In a PDF with a text page and a scanned page, only the scanned page's blocks are OCR'd."""
    path = _mixed_pdf(tmp_path / "blandat.pdf")
    blocks, pages = read_blocks(path, "blandat.pdf")
    layer, _ = read_pdf(path, "blandat.pdf")  # the text layer alone, as read without OCR
    assert pages == 2 and layer and {b.page for b in layer} == {1}
    assert [b for b in blocks if b.page == 1] == layer
    assert not any(b.ocr for b in layer) and blocks[0].text.startswith(COVER[0])
    scanned = [b for b in blocks if b.page == 2]
    assert scanned and all(b.ocr for b in scanned)
    assert len(_found(DUTY_WORDS, " ".join(b.text for b in scanned))) >= 5


@needs_tesseract
def test_citation_of_an_ocr_passage_says_so(tmp_path: Path) -> None:
    """An answer's source from a scanned page has its page and "OCR-läst", in Slack too."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _mixed_pdf(corpus / "avtal.pdf")
    _ingest(corpus, tmp_path / "index")
    settings = Settings(_env_file=None, index_dir=tmp_path / "index", embedding={"model": "hash"})  # type: ignore[call-arg]
    answer = Answerer(settings, HashEmbedder()).answer("Vem ska utse en handledare för studenten?")
    cited = [c for c in answer.citations if "handledare" in c.passage]
    assert cited and cited[0].page == 2 and cited[0].ocr
    assert cited[0].label().endswith("s. 2, OCR-läst")
    assert all(not c.ocr for c in answer.citations if c.page == 1)
    assert "s. 2 · OCR-läst" in str(answer_message(answer).blocks)
    assert any(c["ocr"] for c in answer.to_json()["citations"])  # the --json shape too


def test_without_tesseract_a_scan_is_refused_saying_how_to_enable_ocr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no tesseract on PATH, a scanned PDF fails naming the file and the packages to install;
    the rest of the batch is indexed."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_scanned_pdf(corpus / "skannat.pdf", [DUTIES])
    (corpus / "beslut.md").write_text("# Beslut\n\nNämnden antar avtalet.\n", "utf-8")
    _no_tesseract(monkeypatch, tmp_path)
    report = _ingest(corpus, tmp_path / "index")
    assert report.added == ["beslut.md"]
    [failure] = report.failed
    assert failure.file == "skannat.pdf"
    assert str(corpus / "skannat.pdf") in failure.reason
    assert (
        "no extractable text" in failure.reason
        and "Tesseract OCR is not installed" in failure.reason
    )
    assert "install tesseract-ocr and tesseract-ocr-swe" in failure.reason


def test_without_tesseract_text_pages_are_kept_and_scanned_ones_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A PDF with text and scanned pages keeps its text pages; a warning names the others."""
    path = _mixed_pdf(tmp_path / "blandat.pdf")
    _no_tesseract(monkeypatch, tmp_path)
    with caplog.at_level(logging.WARNING, logger="ingest.ocr"):
        blocks, pages = read_blocks(path, "blandat.pdf")
    assert pages == 2 and {b.page for b in blocks} == {1} and not any(b.ocr for b in blocks)
    assert "blandat.pdf: page(s) 2 have no text layer" in caplog.text
    assert "tesseract-ocr-swe" in caplog.text


@needs_tesseract
def test_installing_tesseract_rereads_pdfs_whose_scanned_pages_were_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PDF ingested without OCR is read again, with its scanned page, once OCR can run."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _mixed_pdf(corpus / "avtal.pdf")
    with monkeypatch.context() as patch:
        _no_tesseract(patch, tmp_path)
        _ingest(corpus, tmp_path / "index")
    assert {c.page for _, c, _ in open_current(tmp_path / "index").chunks_of("avtal.pdf")} == {1}
    report = _ingest(corpus, tmp_path / "index")
    assert report.updated == ["avtal.pdf"]
    chunks = [c for _, c, _ in open_current(tmp_path / "index").chunks_of("avtal.pdf")]
    assert next((c.page, c.ocr) for c in chunks if c.page == 2) == (2, True)


def test_version_written_before_the_ocr_column_reads_as_not_ocr(tmp_path: Path) -> None:
    """A local version whose meta.sqlite has no ocr column (older code) is still readable."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "avtal.md").write_text("# Avtal\n\n## 1 Syfte\n\nKommunen ska samverka.\n", "utf-8")
    _ingest(corpus, tmp_path / "index")
    folder = current_version(tmp_path / "index")
    assert folder is not None
    with sqlite3.connect(folder / "meta.sqlite") as db:
        db.execute("ALTER TABLE chunks DROP COLUMN ocr")
    snapshot = open_current(tmp_path / "index")
    chunks = [c for _, c, _ in snapshot.chunks_of("avtal.md")]
    assert chunks and not any(c.ocr for c in chunks)
    assert snapshot.chunks([0]) == {0: chunks[0]}
    assert snapshot.passage_texts()


def test_label_marks_ocr_after_the_page() -> None:
    """Citation.label() says "OCR-läst" after the page only for a passage read by OCR."""
    cite = Citation(1, "a.pdf", "Avtal", 2, "§ 5 Ansvar", "Kommunen ska.", 0.5)
    assert cite.label() == "Avtal, § 5 Ansvar, s. 2"
    assert Citation(**{**cite.__dict__, "ocr": True}).label() == "Avtal, § 5 Ansvar, s. 2, OCR-läst"
