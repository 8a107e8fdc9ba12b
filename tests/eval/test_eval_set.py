"""Validate the labelled evaluation set tests/eval/qa.jsonl against the sample corpus in corpus/.

The extraction here is deliberately minimal and independent of the ingest package: pypdf page
text for PDF, python-docx paragraphs and table cells for DOCX, decoded text for .md/.txt (UTF-8,
with or without BOM, else cp1252). Quotes are compared after collapsing all whitespace.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
QA_PATH = Path(__file__).resolve().parent / "qa.jsonl"

KEYS = {"id", "question", "answer", "doc", "quote", "kind"}
KINDS = {"fact", "deadline", "obligation", "party", "unanswerable"}
MIN_TOTAL = 60
MIN_UNANSWERABLE = 12
MIN_PER_KIND = {"deadline": 8, "obligation": 8, "party": 8}
SAMPLE_MARK = "EXEMPELDOKUMENT"


def normalise(text: str) -> str:
    """Collapse every run of whitespace (including NBSP and line breaks) to one space."""
    return re.sub(r"\s+", " ", text).strip()


@cache
def pages_of(name: str) -> tuple[str, ...]:
    """Extracted text of a corpus file, one string per page (one 'page' for non-PDF formats)."""
    path = CORPUS / name
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from pypdf import PdfReader

        return tuple(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    if suffix == ".docx":
        from docx import Document

        doc = Document(str(path))
        parts = [p.text for p in doc.paragraphs]
        for table in doc.tables:
            for row in table.rows:
                parts.extend(cell.text for cell in row.cells)
        return ("\n".join(parts),)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return (text,)


def load_items() -> list[dict]:
    """Parse qa.jsonl: one JSON object per non-empty line."""
    items = []
    with QA_PATH.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:  # pragma: no cover - message only
                    raise AssertionError(f"qa.jsonl line {number}: {exc}") from exc
    return items


ITEMS = load_items()
ANSWERABLE = [item for item in ITEMS if item.get("kind") != "unanswerable"]


def test_schema() -> None:
    """Every line has exactly the agreed keys, string values, a known kind and a unique id."""
    ids = Counter(item.get("id") for item in ITEMS)
    assert not [i for i, n in ids.items() if n > 1], "duplicate ids"
    for item in ITEMS:
        assert set(item) == KEYS, f"{item.get('id')}: keys {sorted(item)}"
        assert all(isinstance(item[k], str) for k in KEYS), item["id"]
        assert re.fullmatch(r"q\d{3}", item["id"]), item["id"]
        assert item["kind"] in KINDS, item["id"]
        assert item["question"].strip() and item["answer"].strip(), item["id"]


def test_counts_per_kind() -> None:
    """At least 60 questions, 12 unanswerable and 8 each of deadline, obligation and party."""
    kinds = Counter(item["kind"] for item in ITEMS)
    assert len(ITEMS) >= MIN_TOTAL, len(ITEMS)
    assert kinds["unanswerable"] >= MIN_UNANSWERABLE, kinds
    for kind, minimum in MIN_PER_KIND.items():
        assert kinds[kind] >= minimum, kinds


def test_unanswerable_have_no_source() -> None:
    """Unanswerable questions point at no document and carry no quote."""
    for item in ITEMS:
        if item["kind"] == "unanswerable":
            assert item["doc"] == "" and item["quote"] == "", item["id"]


def test_answerable_docs_exist() -> None:
    """Each answerable question names a file that exists in corpus/."""
    for item in ANSWERABLE:
        assert item["doc"] and (CORPUS / item["doc"]).is_file(), f"{item['id']}: {item['doc']}"


@pytest.mark.parametrize("item", ANSWERABLE, ids=[item["id"] for item in ANSWERABLE])
def test_quote_occurs_in_document(item: dict) -> None:
    """The quote occurs verbatim (whitespace-normalised) within one page of its document."""
    quote = normalise(item["quote"])
    assert quote, item["id"]
    pages = [normalise(page) for page in pages_of(item["doc"])]
    assert any(quote in page for page in pages), f"{item['id']}: quote not found in {item['doc']}"


@pytest.mark.parametrize("item", ANSWERABLE, ids=[item["id"] for item in ANSWERABLE])
def test_answer_keywords_in_quote(item: dict) -> None:
    """Numbers in the answer, and at least one longer answer word, literally appear in the quote."""
    quote = normalise(item["quote"]).lower()
    answer = item["answer"].lower()
    for token in re.findall(r"\d+(?:[.,:/-]\d+)*", answer):
        assert token in quote, f"{item['id']}: {token!r} from answer not in quote"
    words = [w for w in re.findall(r"[^\W\d_]{4,}", answer)]
    assert any(w in quote for w in words) or not words, f"{item['id']}: no answer word in quote"


def test_quotes_are_short() -> None:
    """Quotes are a single sentence or list item, not whole paragraphs."""
    for item in ANSWERABLE:
        assert len(item["quote"]) <= 320, f"{item['id']}: quote is {len(item['quote'])} characters"


def test_questions_do_not_copy_quotes() -> None:
    """Questions are paraphrased: no question contains its quote or vice versa."""
    for item in ANSWERABLE:
        q, s = normalise(item["question"]).lower(), normalise(item["quote"]).lower()
        assert q not in s and s not in q, item["id"]


def test_corpus_documents_are_marked_as_samples() -> None:
    """Every corpus document says it is fictional sample material on its first page."""
    files = sorted(p.name for p in CORPUS.iterdir() if p.is_file())
    assert len(files) >= 6, files
    for name in files:
        assert SAMPLE_MARK in pages_of(name)[0][:1500], name


def test_every_corpus_document_is_used() -> None:
    """Each corpus document supports at least three answerable questions."""
    used = Counter(item["doc"] for item in ANSWERABLE)
    for path in CORPUS.iterdir():
        if path.is_file():
            assert used[path.name] >= 3, f"{path.name}: {used[path.name]} questions"


def test_multipage_pdf_has_running_header_and_footer() -> None:
    """At least one PDF has 3+ pages, each with the same header line and a 'Sida N av M' footer."""
    found = False
    for path in CORPUS.glob("*.pdf"):
        pages = pages_of(path.name)
        if len(pages) < 3:
            continue
        first_lines = {page.strip().splitlines()[0] for page in pages}
        footers_ok = all(
            f"Sida {n} av {len(pages)}" in page for n, page in enumerate(pages, start=1)
        )
        found = found or (len(first_lines) == 1 and footers_ok)
    assert found


def test_pdf_text_keeps_swedish_letters() -> None:
    """pypdf extracts å, ä and ö from every PDF (Unicode font embedded)."""
    for path in CORPUS.glob("*.pdf"):
        text = "".join(pages_of(path.name))
        assert all(ch in text for ch in "åäö"), path.name


def test_cp1252_text_file_present() -> None:
    """At least one .txt is Windows-1252 encoded (not valid UTF-8) and contains å/ä/ö."""
    found = False
    for path in CORPUS.glob("*.txt"):
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
            found = found or all(ch in text for ch in "åäö")
    assert found
