"""Files -> blocks. One reader per format; every failure is an IngestError naming the file."""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from ingest.pdflayout import lines_to_blocks
from ingest.pdflines import page_lines
from ingest.structure import (
    Block,
    drop_contents,
    markdown_to_blocks,
    table_lines,
    text_to_blocks,
)
from retrieval.errors import IngestError, NoTextLayerError

log = logging.getLogger(__name__)
logging.getLogger("pypdf").setLevel(logging.ERROR)

SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".md": "md", ".markdown": "md", ".txt": "txt"}


def kind_of(path: Path) -> str | None:
    """Format of a file by its suffix, or None when it is not a supported document."""
    return SUFFIXES.get(path.suffix.lower())


def read_blocks(path: Path, display: str) -> tuple[list[Block], int]:
    """Blocks of the file and its page count. `display` names the file in error messages."""
    kind = kind_of(path)
    if kind is None:
        raise IngestError(f"{display}: unsupported file type {path.suffix!r}; skipped")
    if path.stat().st_size == 0:
        raise IngestError(f"{display}: the file is empty; skipped")
    reader: Callable[[Path, str], tuple[list[Block], int]] = READERS[kind]
    blocks, pages = reader(path, display)
    blocks = drop_contents(blocks)
    if not any(b.text.strip() for b in blocks):
        raise IngestError(f"{display}: no text found in the file; skipped")
    return blocks, pages


def read_pdf(path: Path, display: str) -> tuple[list[Block], int]:
    """Page by page with pypdf, every line with its position, size and weight, so that
    letterheads, titles and headings stay apart from the body (`ingest.pdflayout`); running
    headers and footers removed; hyphenation joined."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not _open_encrypted(reader):
            raise IngestError(f"{display}: the PDF is encrypted (password protected); skipped")
        lines = [
            line
            for number, page in enumerate(reader.pages, start=1)
            for line in page_lines(page, number)
        ]
        pages = len(reader.pages)
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AssertionError) as exc:
        raise IngestError(
            f"{display}: not a readable PDF (corrupt or truncated: {exc}); skipped"
        ) from exc
    if not pages:
        raise IngestError(f"{display}: the PDF has no pages; skipped")
    if not lines:
        raise NoTextLayerError(
            f"{display}: the PDF has no extractable text (scanned without OCR?); skipped"
        )
    return lines_to_blocks(lines), pages


def _open_encrypted(reader: object) -> bool:
    """Open PDFs that are encrypted with an empty user password (common for 'protected' PDFs)."""
    try:
        return bool(reader.decrypt(""))  # type: ignore[attr-defined]  # pypdf PdfReader
    except Exception:
        return False


def read_docx(path: Path, display: str) -> tuple[list[Block], int]:
    """Paragraphs and tables in document order; Word heading styles become headings."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(f"{display}: not a readable DOCX file ({exc}); skipped") from exc
    blocks = _docx_letterhead(document)
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            blocks.extend(_docx_paragraph(item))
        elif isinstance(item, Table):
            blocks.extend(_docx_table(item))
    return blocks, 1


def _docx_letterhead(document: object) -> list[Block]:
    """The first page's header, where Word templates print a letterhead (office, case officer,
    committee and meeting date, diarienummer): blocks marked `letterhead`, read for the
    document's metadata and kept out of its text."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    section = document.sections[0]  # type: ignore[attr-defined]
    header = (
        section.first_page_header if section.different_first_page_header_footer else section.header
    )
    blocks: list[Block] = []
    for item in header.iter_inner_content():
        if isinstance(item, Paragraph):
            blocks += [Block(1, b.text, letterhead=True) for b in _docx_paragraph(item)]
        elif isinstance(item, Table):
            blocks += [Block(1, line, letterhead=True) for line in _letterhead_table(item)]
    return blocks


def _letterhead_table(table: object) -> list[str]:
    """A letterhead table's facts one per line: rows of a label and its value ("Handläggare |
    Eva Strand") as "Handläggare: Eva Strand"; a row of labels over a row of values as one
    "label: value" line per column."""
    rows = [[c.text.strip() for c in row.cells] for row in table.rows]  # type: ignore[attr-defined]
    cells = [[c for c in row if c] for row in rows]
    if all(len(row) == 2 and len(row[0]) <= 40 for row in cells if row):
        return [f"{row[0]}: {row[1]}" for row in cells if row]
    return [pair for line in table_lines(rows) for pair in line.split("; ")]


def _docx_paragraph(paragraph: object) -> list[Block]:
    text = (paragraph.text or "").strip()  # type: ignore[attr-defined]
    if not text:
        return []
    style = (paragraph.style.name or "") if paragraph.style is not None else ""  # type: ignore[attr-defined]
    if style.lower().startswith(("heading", "rubrik")) or style == "Title":
        digits = "".join(c for c in style if c.isdigit())
        return [Block(1, text, heading=True, level=int(digits) if digits else 1)]
    return text_to_blocks(text)


def _docx_table(table: object) -> list[Block]:
    rows = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        for cell in row.cells:  # a merged cell is repeated: keep it once
            if not cells or cell.text.strip() != cells[-1]:
                cells.append(cell.text.strip())
        rows.append(cells)
    return [Block(1, line) for line in table_lines(rows)]


def decode_text(data: bytes, display: str) -> str:
    """UTF-8 (with or without BOM), else Windows-1252/Latin-1; binary content is refused."""
    if b"\x00" in data[:8192]:
        raise IngestError(f"{display}: binary content, not a text file; skipped")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        if text.count("\ufffd") > 0:
            text = data.decode("latin-1")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(3, len(text) // 100):
        raise IngestError(f"{display}: binary content, not a text file; skipped")
    return text


MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)


def read_text(path: Path, display: str) -> tuple[list[Block], int]:
    """Plain text: blank lines separate paragraphs; numbered short lines are headings. Text
    exported with Markdown headings ("## Ärendet") is read as Markdown."""
    text = decode_text(path.read_bytes(), display)
    if MARKDOWN_HEADING.search(text):
        return markdown_to_blocks(text), 1
    return text_to_blocks(text), 1


def read_markdown(path: Path, display: str) -> tuple[list[Block], int]:
    """Markdown with '#' headings."""
    return markdown_to_blocks(decode_text(path.read_bytes(), display)), 1


def embedded_title(path: Path) -> str:
    """The title stored in a PDF's or DOCX's own metadata, or "" (never raises)."""
    try:
        if kind_of(path) == "pdf":
            from pypdf import PdfReader

            meta = PdfReader(str(path)).metadata
            return " ".join(str(meta.title or "").split()) if meta else ""
        if kind_of(path) == "docx":
            import docx

            return " ".join((docx.Document(str(path)).core_properties.title or "").split())
    except Exception:
        log.debug("no embedded title in %s", path)
    return ""


# ---- OCR hook (issue 10, part 3) --------------------------------------------------------------
# read_pdf reads the text layer and raises NoTextLayerError when no page has any; the pages
# without one (scans) are then read by OCR in ingest.ocr, when Tesseract is installed.


def read_pdf_or_ocr(path: Path, display: str) -> tuple[list[Block], int]:
    """read_pdf, then the pages that have no text layer read by OCR (see ingest.ocr)."""
    from ingest.ocr import read_scanned_pages

    try:
        blocks, pages = read_pdf(path, display)
    except NoTextLayerError:
        blocks, pages = [], 0
    return read_scanned_pages(path, display, blocks, pages)


READERS: dict[str, Callable[[Path, str], tuple[list[Block], int]]] = {
    "pdf": read_pdf_or_ocr,
    "docx": read_docx,
    "md": read_markdown,
    "txt": read_text,
}
