"""Pages of a PDF without a text layer (scans) -> text, by Tesseract OCR in Swedish.

`read_scanned_pages` takes what the text layer gave (`ingest.readers.read_pdf`) and reads the
pages that have no text, or only a few letters, from their image: each such page is rasterised
with pypdfium2 and recognised by Tesseract with its Swedish model; the text goes through the
same cleaning and block splitting as other PDF text (`clean_pages`, then `text_to_blocks(...,
split_lines=True)` per page), keeps its page number and is marked `ocr` so that its citations
say it was read by OCR. Pages that have a text layer are left as they are.

The wrapper is pytesseract, not OCRmyPDF: only the text of some pages is needed, not a new PDF
with a text layer. pytesseract is one small module that runs Debian's `tesseract` command on an
image and returns its text; OCRmyPDF would rewrite each file as a PDF/A, pull in Ghostscript,
pikepdf and more, and we would then have to extract the text again. Rasterising is done by
pypdfium2 (PDFium, shipped inside its wheel): no further system package and no process per page
as with poppler's pdftoppm, and the same file gives the same pixels with the same version.

Tesseract and its Swedish data come from Debian (`apt-get install tesseract-ocr
tesseract-ocr-swe`); without them a PDF with no text at all is refused with a message that says
so, and scanned pages of a PDF that has other text are left out with a warning.
"""

from __future__ import annotations

import functools
import logging
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from ingest.pdfclean import clean_pages
from ingest.structure import Block, text_to_blocks
from retrieval.errors import IngestError, NoTextLayerError

log = logging.getLogger(__name__)

TESSERACT = "tesseract"  # the command, looked up on PATH
LANGUAGE = "swe"
INSTALL = (
    "install tesseract-ocr and tesseract-ocr-swe (apt-get install tesseract-ocr tesseract-ocr-swe)"
)
DPI = 300  # the resolution Tesseract's models are trained for
MAX_PIXELS = 40_000_000  # a larger page (a drawing) is rendered smaller: A3 at 300 dpi is 17 M
PAGE_TIMEOUT = 300  # seconds for Tesseract on one page before the file is given up
# A page whose text layer has fewer letters than this counts as having none (a logical guard,
# not a tuned value): a scan often carries only a stamp or page number as text. A text page has
# hundreds. What it costs: a real page of under 25 letters (a cover reading "Bilaga 1") is also
# recognised; its text layer is kept unless OCR finds more letters there.
MIN_LETTERS = 25


def missing() -> str:
    """What keeps OCR from running here, "" when Tesseract with Swedish data is installed."""
    binary = shutil.which(TESSERACT)
    if binary is None:
        return "Tesseract OCR is not installed"
    if LANGUAGE not in _languages(binary):
        return "Tesseract has no Swedish language data (tesseract-ocr-swe)"
    return ""


@functools.lru_cache(maxsize=4)
def _languages(binary: str) -> frozenset[str]:
    """The language data of the Tesseract found at `binary` ("swe", "eng", ...)."""
    import pytesseract

    try:
        return frozenset(pytesseract.get_languages())
    except pytesseract.TesseractNotFoundError:
        return frozenset()


def letters(text: str) -> int:
    """How many letters a text has (digits, punctuation and spaces do not count)."""
    return sum(c.isalpha() for c in text)


def read_scanned_pages(
    path: Path, display: str, blocks: list[Block], pages: int
) -> tuple[list[Block], int]:
    """The blocks of a PDF and its page count, with the pages lacking a text layer read by OCR.

    `blocks` and `pages` are what the text layer gave ([] and 0 when it had no text at all).
    A recognised page's blocks replace the text layer's when they hold more letters, and are
    marked `ocr`. IngestError (naming `display`) when no page has text and OCR cannot run here
    or finds none, or when the PDF cannot be rendered or Tesseract fails.
    """
    found: Counter[int] = Counter()
    for block in blocks:
        found[block.page] += letters(block.text)
    scanned = [n for n in range(1, pages + 1) if found[n] < MIN_LETTERS]
    if blocks and not scanned:
        return blocks, pages
    reason = missing()
    if reason:
        return _without_ocr(display, blocks, scanned, reason), pages
    with _document(path, display) as pdf:
        pages = pages or len(pdf)
        scanned = scanned or list(range(1, pages + 1))
        texts = clean_pages([_recognise(pdf, n, display) for n in scanned])
    read = {n: t for n, t in zip(scanned, texts, strict=True) if letters(t) > found[n]}
    kept = [b for b in blocks if b.page not in read]
    new = [
        replace(block, ocr=True)
        for number, text in read.items()
        for block in text_to_blocks(text, page=number, split_lines=True)
    ]
    if not kept and not new:
        raise NoTextLayerError(
            f"{display}: the PDF has no extractable text, and OCR found none in its pages; skipped"
        )
    if read:
        log.info("%s: read page(s) %s by OCR", display, _numbers(list(read)))
    return sorted(kept + new, key=lambda b: b.page), pages  # stable: page order kept


def _without_ocr(display: str, blocks: list[Block], scanned: list[int], reason: str) -> list[Block]:
    """What can be had when OCR cannot run: the text pages, or the refusal of a pure scan."""
    if not blocks:
        raise NoTextLayerError(
            f"{display}: the PDF has no extractable text (scanned?) and {reason}; "
            f"{INSTALL} to read it; skipped"
        )
    log.warning(
        "%s: page(s) %s have no text layer and were not read (%s); to read scanned pages, %s",
        display, _numbers(scanned), reason, INSTALL,
    )  # fmt: skip
    return blocks


def _numbers(pages: list[int]) -> str:
    return ", ".join(str(n) for n in pages)


@contextmanager
def _document(path: Path, display: str) -> Iterator[Any]:
    """The PDF opened by PDFium for rendering, closed afterwards."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise IngestError(
            f"{display}: the PDF cannot be rendered for OCR ({exc}); skipped"
        ) from exc
    try:
        yield pdf
    finally:
        pdf.close()


def _recognise(pdf: Any, number: int, display: str) -> str:
    """The text Tesseract reads on page `number` (1-based), rendered at DPI in grey."""
    import pytesseract

    page = pdf[number - 1]
    try:
        width, height = page.get_size()  # in points, 1/72 inch
        scale = min(DPI / 72, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
        image = page.render(scale=scale, grayscale=True).to_pil()
    finally:
        page.close()
    try:
        return str(pytesseract.image_to_string(image, lang=LANGUAGE, timeout=PAGE_TIMEOUT))
    except pytesseract.TesseractError as exc:
        raise IngestError(
            f"{display}: OCR of page {number} failed (Tesseract: {exc.message}); skipped"
        ) from exc
    except RuntimeError as exc:  # pytesseract's timeout
        raise IngestError(
            f"{display}: OCR of page {number} took over {PAGE_TIMEOUT} s ({exc}); skipped"
        ) from exc
