"""Tables in PDFs: rows read with their column names, as a Word table's; lists and paragraphs
whose lines are printed as several runs are not taken for tables."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from ingest.readers import read_blocks

INTRO = "Parterna har kommit överens om följande tidsplan för uppföljningen av avtalet."
AFTER = "Tidsplanen ses över varje år i forum för dialog."
ROWS = (
    ("Moment", "Ansvarig part", "Senaste tidpunkt"),
    ("Besked om VFU-platser", "Kommunen", "15 mars"),
    ("Rapport till styrgruppen", "Lärosätet", "30 september 2027"),
    ("Gemensam uppföljning", "Båda parter", "1 december"),
)


def table_pdf(path: Path) -> Path:
    """A paragraph, a bordered table with a header row, a bulleted list whose markers are
    printed apart from their text, and a closing paragraph."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 5, INTRO)
    pdf.ln(4)
    with pdf.table(col_widths=(60, 45, 55)) as table:
        for cells in ROWS:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(4)
    for item in ("Kommunen utser handledare.", "Lärosätet utbildar handledarna."):
        pdf.cell(6, 5, "-")
        pdf.cell(0, 5, item, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 5, AFTER)
    pdf.output(str(path))
    return path


def test_table_rows_are_read_with_their_column_names(tmp_path: Path) -> None:
    """Each data row is a block of its own naming its columns; the header is no row of its
    own; the paragraphs around the table are untouched."""
    blocks, _ = read_blocks(table_pdf(tmp_path / "tidsplan.pdf"), "tidsplan.pdf")
    texts = [b.text for b in blocks]
    header = ROWS[0]
    for cells in ROWS[1:]:
        row = "; ".join(f"{h}: {c}" for h, c in zip(header, cells, strict=True))
        assert row in texts
    assert " ".join(header) not in " ".join(texts)
    assert INTRO in texts and AFTER in texts


def test_a_list_with_markers_printed_apart_is_no_table(tmp_path: Path) -> None:
    """The list items stay list items (marker and text), not "-: …" table rows."""
    blocks, _ = read_blocks(table_pdf(tmp_path / "tidsplan.pdf"), "tidsplan.pdf")
    texts = [b.text for b in blocks]
    assert "- Kommunen utser handledare." in texts
    assert "- Lärosätet utbildar handledarna." in texts
    assert not any(t.startswith("-:") for t in texts)
