#!/usr/bin/env python3
"""Regenerate the fictional sample corpus in corpus/ from scripts/sample_corpus_src/.

Every document is plainly marked as sample material ("EXEMPELDOKUMENT") in its first lines.
The sources use a small subset of Markdown (see `parse`), rendered to the formats real
municipal documents come in:

* PDF (fpdf2, DejaVu Sans): running header with a document title line and a footer
  "Sida N av M" on every page, numbered headings, justified paragraphs where configured;
* DOCX (python-docx): Word styles Title / Heading 1 / Heading 2 / List Bullet and a table;
* Markdown: copied unchanged (UTF-8);
* plain text: Windows-1252 (cp1252) with CRLF line endings, like an export from an old
  case-management system, and UTF-8 with a byte-order mark, as Windows Notepad saves it.

Usage:  .venv/bin/python scripts/make_sample_corpus.py [--out DIR]

Output is deterministic (fixed creation dates and zip timestamps), so regenerating an
unchanged source gives byte-identical files. PDFs need the DejaVu Sans TTF files; they are
looked up in the usual system folders, in matplotlib's bundled fonts if matplotlib is
installed, or in the folder named by the environment variable SAMPLE_CORPUS_FONT_DIR.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC_DIR = Path(__file__).resolve().parent / "sample_corpus_src"
DEFAULT_OUT = ROOT / "corpus"
SAMPLE_MARK = "EXEMPELDOKUMENT"


@dataclass(frozen=True)
class DocSpec:
    """One corpus document: its source, output file, format and rendering options."""

    src: str
    out: str
    fmt: str  # "pdf" | "docx" | "md" | "txt-cp1252" | "txt-utf8-bom"
    header: str = ""  # running header line (PDF) / page header (DOCX)
    justify: bool = False  # PDF: justify body paragraphs
    created: datetime = datetime(2017, 1, 1, tzinfo=UTC)


DOCS: tuple[DocSpec, ...] = (
    DocSpec(
        src="avsiktsforklaring-ksl-larosaten.md",
        out="avsiktsforklaring-ksl-larosaten.pdf",
        fmt="pdf",
        header="KSL – Avsiktsförklaring om samverkan med lärosäten (bilaga 1, KSL/16/0049-24)",
        justify=False,
        created=datetime(2017, 2, 15, 10, 0, tzinfo=UTC),
    ),
    DocSpec(
        src="mall-lokalt-samverkansavtal.md",
        out="mall-lokalt-samverkansavtal.docx",
        fmt="docx",
        header="KSL – Mall för lokalt samverkansavtal (bilaga 2, KSL/16/0049-24)",
        created=datetime(2016, 6, 6, 9, 0, tzinfo=UTC),
    ),
    DocSpec(
        src="lokalt-samverkansavtal-taby-ki.md",
        out="lokalt-samverkansavtal-taby-ki.pdf",
        fmt="pdf",
        header=(
            "Täby kommun – Karolinska Institutet | Samverkansavtal 2017–2019 | Dnr SN 2017/0031-2"
        ),
        justify=True,
        created=datetime(2017, 2, 24, 14, 0, tzinfo=UTC),
    ),
    DocSpec(
        src="protokollsutdrag-socialnamnden-taby-2016-12-14.txt",
        out="protokollsutdrag-socialnamnden-taby-2016-12-14.txt",
        fmt="txt-cp1252",
    ),
    DocSpec(
        src="ksl-styrelsen-protokollsutdrag-2016-06-06.txt",
        out="ksl-styrelsen-protokollsutdrag-2016-06-06.txt",
        fmt="txt-utf8-bom",
    ),
    DocSpec(
        src="minnesanteckningar-forum-for-dialog-2018-03-15.md",
        out="minnesanteckningar-forum-for-dialog-2018-03-15.docx",
        fmt="docx",
        header="Forum för dialog – kommuner och lärosäten i Stockholms län",
        created=datetime(2018, 3, 16, 8, 0, tzinfo=UTC),
    ),
    DocSpec(
        src="uppfoljningsplan-nordost-2017-2019.md",
        out="uppfoljningsplan-nordost-2017-2019.md",
        fmt="md",
    ),
    DocSpec(
        src="fragor-och-svar-samverkansmodellen.md",
        out="fragor-och-svar-samverkansmodellen.md",
        fmt="md",
    ),
)


# --------------------------------------------------------------------------- parsing


@dataclass
class Block:
    """A rendered unit: title, h1, h2, notice, para, bullet, numbered or table."""

    kind: str
    text: str = ""
    rows: list[list[str]] | None = None


_NUMBERED = re.compile(r"^(\d+)\.\s+(.*)$")
_TABLE_SEP = re.compile(r"^\|[\s|:-]+\|$")


def parse(text: str) -> list[Block]:
    """Parse the Markdown subset: #/##/### headings, > notice, - bullets, 1. items, | tables."""
    blocks: list[Block] = []
    para: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if para:
            blocks.append(Block("para", " ".join(para)))
            para.clear()
        if table:
            blocks.append(Block("table", rows=[row[:] for row in table]))
            table.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("|"):
            if para:
                flush()
            if not _TABLE_SEP.match(line):
                table.append([cell.strip() for cell in line.strip("|").split("|")])
            continue
        if table:
            flush()
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        numbered = _NUMBERED.match(line)
        if heading:
            flush()
            blocks.append(
                Block({1: "title", 2: "h1", 3: "h2"}[len(heading.group(1))], heading.group(2))
            )
        elif line.startswith("> "):
            flush()
            blocks.append(Block("notice", line[2:]))
        elif line.startswith("- "):
            flush()
            blocks.append(Block("bullet", line[2:]))
        elif numbered:
            flush()
            blocks.append(Block("numbered", line))
        else:
            para.append(line)
    flush()
    return blocks


def word_count(text: str) -> int:
    """Words in a source text, ignoring Markdown markup characters."""
    return len(re.findall(r"[0-9A-Za-zÀ-ÿ]+(?:[-:,.][0-9A-Za-zÀ-ÿ]+)*", text))


# --------------------------------------------------------------------------- fonts

FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}


def find_font_dir() -> Path:
    """Folder holding DejaVu Sans regular, bold and oblique TTFs, or exit with a clear error."""
    candidates: list[Path] = []
    if os.environ.get("SAMPLE_CORPUS_FONT_DIR"):
        candidates.append(Path(os.environ["SAMPLE_CORPUS_FONT_DIR"]))
    candidates += [
        Path("/usr/share/fonts/truetype/dejavu"),
        Path("/usr/share/fonts/dejavu"),
        Path("/usr/share/fonts/TTF"),
        Path("/usr/share/fonts/dejavu-sans-fonts"),
        Path("/usr/local/share/fonts"),
        Path("/Library/Fonts"),
        Path.home() / "Library" / "Fonts",
        Path.home() / ".fonts",
    ]
    try:  # matplotlib ships DejaVu Sans with all three styles
        import matplotlib  # type: ignore[import-not-found]

        candidates.append(Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf")
    except ImportError:
        pass
    for folder in candidates:
        if all((folder / name).is_file() for name in FONT_FILES.values()):
            return folder
    raise SystemExit(
        "make_sample_corpus: DejaVu Sans TTF files not found ("
        + ", ".join(FONT_FILES.values())
        + "). Install them (Debian/Ubuntu: apt-get install -y fonts-dejavu-core; Fedora: "
        "dnf install dejavu-sans-fonts; or pip install matplotlib) or set "
        "SAMPLE_CORPUS_FONT_DIR to a folder that holds them."
    )


# --------------------------------------------------------------------------- PDF


def render_pdf(spec: DocSpec, blocks: list[Block], out: Path, font_dir: Path) -> int:
    """Write a PDF with running header and 'Sida N av M' footer; return the page count."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    class SamplePDF(FPDF):
        def header(self) -> None:
            self.set_font("DejaVu", "", 8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 5, spec.header, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_draw_color(150, 150, 150)
            self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
            self.set_text_color(0, 0, 0)
            self.ln(7)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("DejaVu", "", 8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 10, f"Sida {self.page_no()} av {{nb}}", align="C")
            self.set_text_color(0, 0, 0)

    pdf = SamplePDF(format="A4")
    pdf.set_margins(25, 20, 25)
    pdf.set_auto_page_break(auto=True, margin=22)
    for style, name in FONT_FILES.items():
        pdf.add_font("DejaVu", style, str(font_dir / name))
    title = next((b.text for b in blocks if b.kind == "title"), out.stem)
    pdf.set_title(title)
    pdf.set_author("Exempeldokument (fiktivt)")
    pdf.set_subject("Exempeldokument för test av samverkansbot")
    pdf.set_lang("sv-SE")
    pdf.set_creation_date(spec.created)
    pdf.set_creator("scripts/make_sample_corpus.py")
    pdf.add_page()

    width = pdf.w - pdf.l_margin - pdf.r_margin
    body_align = "J" if spec.justify else "L"
    line_h = 5.4

    def keep_with_next(space: float) -> None:
        if pdf.get_y() + space > pdf.page_break_trigger:
            pdf.add_page()

    for block in blocks:
        if block.kind == "title":
            pdf.set_font("DejaVu", "B", 15)
            pdf.multi_cell(width, 7.5, block.text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(4)
        elif block.kind == "h1":
            keep_with_next(22)
            pdf.ln(3)
            pdf.set_font("DejaVu", "B", 12)
            pdf.multi_cell(width, 6.5, block.text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1.5)
        elif block.kind == "h2":
            keep_with_next(18)
            pdf.ln(1)
            pdf.set_font("DejaVu", "B", 10.5)
            pdf.multi_cell(width, 6, block.text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1)
        elif block.kind == "notice":
            pdf.set_font("DejaVu", "I", 9)
            pdf.multi_cell(
                width,
                5,
                block.text,
                border=1,
                padding=2,
                align="L",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            pdf.ln(4)
        elif block.kind in ("bullet", "numbered"):
            pdf.set_font("DejaVu", "", 10)
            if block.kind == "bullet":
                marker, text = "•", block.text
            else:
                number, text = block.text.split(" ", 1)
                marker = number
            pdf.set_x(pdf.l_margin + 4)
            pdf.cell(6, line_h, marker)
            pdf.multi_cell(
                width - 10, line_h, text, align=body_align, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            pdf.ln(1)
        elif block.kind == "para":
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(
                width, line_h, block.text, align=body_align, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )
            pdf.ln(2.5)
        elif block.kind == "table":
            raise SystemExit(f"{spec.src}: tables are not supported in PDF output")
    pdf.output(str(out))
    return pdf.pages_count


# --------------------------------------------------------------------------- DOCX

_FIXED_ZIP_TIME = (2017, 1, 1, 0, 0, 0)


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and order, so output is byte-for-byte stable."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return buf.getvalue()


def render_docx(spec: DocSpec, blocks: list[Block], out: Path) -> int:
    """Write a DOCX with real Title/Heading 1/Heading 2 styles and Word tables; return tables."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    if spec.header:
        header_par = doc.sections[0].header.paragraphs[0]
        header_par.text = spec.header
        header_par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    tables = 0
    for block in blocks:
        if block.kind == "title":
            doc.add_heading(block.text, level=0)
        elif block.kind == "h1":
            doc.add_heading(block.text, level=1)
        elif block.kind == "h2":
            doc.add_heading(block.text, level=2)
        elif block.kind == "notice":
            run = doc.add_paragraph().add_run(block.text)
            run.italic = True
        elif block.kind == "bullet":
            doc.add_paragraph(block.text, style="List Bullet")
        elif block.kind in ("numbered", "para"):
            doc.add_paragraph(block.text)
        elif block.kind == "table":
            assert block.rows
            ncols = len(block.rows[0])
            table = doc.add_table(rows=len(block.rows), cols=ncols)
            table.style = "Table Grid"
            for r, row in enumerate(block.rows):
                if len(row) != ncols:
                    raise SystemExit(f"{spec.src}: table row {r} has {len(row)} cells, not {ncols}")
                for c, value in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = value
                    if r == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
            tables += 1
    props = doc.core_properties
    props.title = next((b.text for b in blocks if b.kind == "title"), out.stem)
    props.author = "Exempeldokument (fiktivt)"
    props.last_modified_by = "scripts/make_sample_corpus.py"
    props.subject = "Exempeldokument för test av samverkansbot"
    props.language = "sv-SE"
    naive = spec.created.replace(tzinfo=None)
    props.created = naive
    props.modified = naive
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    out.write_bytes(_normalise_zip(buf.getvalue()))
    return tables


# --------------------------------------------------------------------------- checks


def check_pdf(path: Path, expected_pages: int) -> None:
    """Fail loudly unless pypdf extracts å/ä/ö, the footer and the header on every page."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages = [page.extract_text() or "" for page in reader.pages]
    if len(pages) != expected_pages:
        raise SystemExit(
            f"{path.name}: pypdf sees {len(pages)} pages, fpdf2 wrote {expected_pages}"
        )
    for number, text in enumerate(pages, start=1):
        if f"Sida {number} av {len(pages)}" not in text:
            raise SystemExit(f"{path.name}: footer 'Sida {number} av {len(pages)}' not extracted")
    joined = "\n".join(pages)
    missing = [c for c in "åäö" if c not in joined]
    if missing:
        raise SystemExit(f"{path.name}: characters {missing} missing from extracted text")
    if SAMPLE_MARK not in pages[0]:
        raise SystemExit(f"{path.name}: sample marker not on page 1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (corpus/)")
    args = parser.parse_args(argv)
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    font_dir: Path | None = None
    total = 0
    for spec in DOCS:
        source = (SRC_DIR / spec.src).read_text(encoding="utf-8")
        if SAMPLE_MARK not in source.split("\n\n", 3)[0] + source[:400]:
            raise SystemExit(
                f"{spec.src}: the sample marker {SAMPLE_MARK!r} must open the document"
            )
        target = out_dir / spec.out
        words = word_count(source)
        total += words
        if spec.fmt == "pdf":
            font_dir = font_dir or find_font_dir()
            pages = render_pdf(spec, parse(source), target, font_dir)
            check_pdf(target, pages)
            detail = f"{pages} pages"
        elif spec.fmt == "docx":
            tables = render_docx(spec, parse(source), target)
            detail = f"{tables} table(s)"
        elif spec.fmt == "md":
            target.write_text(source, encoding="utf-8", newline="\n")
            detail = "utf-8"
        elif spec.fmt == "txt-utf8-bom":
            target.write_bytes(b"\xef\xbb\xbf" + source.encode("utf-8"))
            detail = "utf-8 with BOM, LF"
        elif spec.fmt == "txt-cp1252":
            target.write_bytes(source.replace("\n", "\r\n").encode("cp1252"))
            detail = "cp1252, CRLF"
        else:
            raise SystemExit(f"unknown format {spec.fmt}")
        print(
            f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
            f"{words} words, {detail}"
        )
    print(f"total: {total} words in {len(DOCS)} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
