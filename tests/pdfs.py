"""Small real PDFs and DOCX files for tests, written with fpdf2 and python-docx."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from ingest import ocr

# for tests that run the real Tesseract: a developer machine without it skips them, CI has it
needs_tesseract = pytest.mark.skipif(
    bool(ocr.missing()),
    reason=f"needs Tesseract with Swedish ({ocr.missing()}): "
    "apt-get install tesseract-ocr tesseract-ocr-swe (.ci/run installs them)",
)


def make_pdf(
    path: Path,
    pages: list[list[str]],
    header: str = "",
    footer: bool = False,
    align: str = "L",
    size: float = 11,
) -> Path:
    """A PDF with one list of paragraphs per page; optional running header and "Sida N av M";
    `size` is the body text's font size in points."""
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    total = len(pages)
    for number, paragraphs in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=10)
        if header:
            pdf.cell(0, 8, header, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=size)
        for text in paragraphs:
            pdf.multi_cell(0, size * 6 / 11, text, align=align, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        if footer:
            pdf.set_y(-20)
            pdf.set_font("Helvetica", size=9)
            pdf.cell(0, 8, f"Sida {number} av {total}", align="C")
    pdf.output(str(path))
    return path


def make_empty_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF whose pages carry no text layer (like a scan without OCR)."""
    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        pdf.rect(20, 20, 100, 60)
    pdf.output(str(path))
    return path


def make_scanned_pdf(path: Path, pages: list[list[str]], dpi: int = 200) -> Path:
    """A PDF like a scan: each page is only an image of a text page (in 16 pt), rasterised in
    grey at `dpi`, with no text layer."""
    import pypdfium2 as pdfium

    text_pdf = make_pdf(path.with_suffix(".text.pdf"), pages, size=16)
    scan = FPDF()
    with pdfium.PdfDocument(str(text_pdf)) as document:
        for page in document:
            image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            scan.add_page()
            scan.image(image, x=0, y=0, w=scan.w, h=scan.h)
    text_pdf.unlink()
    scan.output(str(path))
    return path


def join_pdfs(path: Path, parts: list[Path]) -> Path:
    """One PDF of the pages of `parts`, in order (the parts are removed)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(str(part))
    with open(path, "wb") as fh:
        writer.write(fh)
    for part in parts:
        part.unlink()
    return path


def make_encrypted_pdf(path: Path, text: str) -> Path:
    """A PDF that needs a user password to open."""
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(path.with_suffix(".plain.pdf"), [[text]])
    writer = PdfWriter()
    for page in PdfReader(str(plain)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="hemligt", owner_password="ägare")
    with open(path, "wb") as fh:
        writer.write(fh)
    plain.unlink()
    return path


def make_docx(
    path: Path,
    items: list[tuple[str, str]],
    table: list[list[str]] | None = None,
    header: list[str] | None = None,
    header_table: list[list[str]] | None = None,
) -> Path:
    """A DOCX from (style, text) pairs, style "h1"/"h2" for Word headings or "p"; `header`
    lines and a `header_table` go into the page header, where Word letterheads are."""
    import docx

    document = docx.Document()
    page_header = document.sections[0].header
    for n, line in enumerate(header or []):
        paragraph = page_header.paragraphs[0] if n == 0 else page_header.add_paragraph()
        paragraph.text = line
    if header_table:
        cells = page_header.add_table(
            len(header_table), len(header_table[0]), document.sections[0].page_width
        )
        for r, row in enumerate(header_table):
            for c, value in enumerate(row):
                cells.cell(r, c).text = value
    for style, text in items:
        if style.startswith("h"):
            document.add_heading(text, level=int(style[1:]))
        else:
            document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(str(path))
    return path


def make_letter_pdf(path: Path) -> Path:
    """A committee paper as case-management systems print them (fictional text): a letterhead
    in small type (office, case officer, committee and meeting date), a bold title over two
    lines, bold headings, body paragraphs that wrap, a list intro with numbered items, a second
    page with a running header and "Sida N av M" footers."""
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    body = (
        "Nämnden föreslås godkänna ett avtal med högskolan om praktikplatser för studenter "
        "inom vård och omsorg. Avtalet gäller i tre år och kan förlängas med ett år i taget "
        "om ingen av parterna säger upp det."
    )
    for number in (1, 2):
        pdf.add_page()
        pdf.set_font("Helvetica", size=8)
        pdf.cell(0, 5, "Omsorgsnämnden, tjänsteutlåtande", new_x="LMARGIN", new_y="NEXT")
        if number == 1:
            for line in ("STADSLEDNINGSKONTORET", "Handläggare: Eva Strand",
                         "Omsorgsnämnden 2024-03-20"):  # fmt: skip
                pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(6)
            pdf.set_font("Helvetica", "B", size=16)
            pdf.multi_cell(
                110, 8, "Avtal om praktikplatser mellan kommunen och högskolan i länet",
                new_x="LMARGIN", new_y="NEXT",
            )  # fmt: skip
            pdf.ln(3)
            sections = [("Sammanfattning", [body])]
        else:
            pdf.ln(4)
            sections = [("Ärendet", [
                "Förslaget består av tre delar:",
                "1. En gemensam avsikt om samarbete som gäller alla verksamheter i kommunen.",
                "2. Ett lokalt avtal om hur många platser kommunen erbjuder varje termin.",
                "3. En årlig uppföljning som nämnden får redovisad i december.",
            ])]  # fmt: skip
        _sections_and_footer(pdf, sections, f"Sida {number} av 2")
    pdf.output(str(path))
    return path


def _sections_and_footer(pdf: FPDF, sections: list[tuple[str, list[str]]], footer: str) -> None:
    """Bold 12 pt headings over 11 pt paragraphs (numbered items without space between them),
    then the page's footer."""
    for heading, paragraphs in sections:
        pdf.set_font("Helvetica", "B", size=12)
        pdf.cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        for text in paragraphs:
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            if not text[0].isdigit():
                pdf.ln(3)
    pdf.set_y(-20)
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 8, footer, align="C")


def make_decision_pdf(
    path: Path,
    date: str = "2024-03-20",
    paragraph: str = "§ 12",
    reference: str = "ON 2024/31-3",
    title: str = "Avtal om verksamhetsförlagd utbildning med Sjöstads högskola",
    sections: list[tuple[str, list[str]]] | None = None,
    committee: str = "Omsorgsnämnden",
) -> Path:
    """A committee decision as case-management systems print it (fictional text): a letterhead
    in small type (office, case officer, committee and meeting date, §, diarienummer), a bold
    title, bold headings, a section per page and "Sida N av M" footers."""
    sections = sections or [
        ("Sammanfattning", [
            "Omsorgsnämnden föreslås godkänna ett nytt avtal med Sjöstads högskola om "
            "verksamhetsförlagd utbildning för sjuksköterskestudenter. Avtalet ger studenterna "
            "30 praktikplatser per termin inom hemtjänsten och på kommunens särskilda boenden.",
        ]),
        ("Ärendet", [
            "Högskolan har begärt fler platser eftersom antalet antagna studenter har ökat. "
            "Förvaltningen bedömer att verksamheterna kan ta emot fler studenter om handledarna "
            "får en kortare utbildning under hösten.",
            "Högskolan betalar 1 500 kronor per student och vecka till kommunen.",
        ]),
    ]  # fmt: skip
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for number, (heading, paragraphs) in enumerate(sections, start=1):
        pdf.add_page()
        if number == 1:
            pdf.set_font("Helvetica", size=8)
            for line in ("OMSORGSFÖRVALTNINGEN", "Handläggare: Eva Strand",
                         f"{committee} {date}", paragraph, f"Dnr {reference}"):  # fmt: skip
                pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(6)
            pdf.set_font("Helvetica", "B", size=16)
            pdf.multi_cell(150, 8, title, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        _sections_and_footer(pdf, [(heading, paragraphs)], f"Sida {number} av {len(sections)}")
    pdf.output(str(path))
    return path
