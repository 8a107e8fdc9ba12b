"""Tables in PDFs: rows read with their column names, as a Word table's; lists and paragraphs
whose lines are printed as several runs are not taken for tables."""

from __future__ import annotations

from pathlib import Path

import pytest
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


def test_a_cell_that_wraps_stays_in_its_row_and_the_text_after_is_no_row(tmp_path: Path) -> None:
    """A narrow column wraps its cells over two lines: each cell is read whole in its row, and
    the paragraph after the table (starting where the first column does) stays a paragraph."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(0, 5, INTRO)
    with pdf.table(col_widths=(40, 50, 60)) as table:
        for cells in (
            ROWS[0],
            ("Besked om VFU-platser för hela läsåret", "Kommunen", "15 mars"),
            ("Rapport", "Lärosätet och kommunen gemensamt", "30 september 2027"),
        ):
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.multi_cell(0, 5, AFTER)
    pdf.output(str(tmp_path / "smal.pdf"))
    texts = [b.text for b in read_blocks(tmp_path / "smal.pdf", "smal.pdf")[0]]
    assert texts == [
        INTRO,
        "Moment: Besked om VFU-platser för hela läsåret; Ansvarig part: Kommunen; "
        "Senaste tidpunkt: 15 mars",
        "Moment: Rapport; Ansvarig part: Lärosätet och kommunen gemensamt; "
        "Senaste tidpunkt: 30 september 2027",
        AFTER,
    ]


LETTERHEAD = (("Handläggare", "Eva Strand"), ("Datum", "2024-03-20"))
# five rows, some values ending with a full stop: still too short for columns of running text
# (ingest.pdflines.column_gutter), so still a table
LONGER = (
    ("Handläggare", "Eva Strand, utredare."),
    ("Datum", "2024-03-20"),
    ("Diarienummer", "ON 2024/31"),
    ("Beslutsinstans", "Omsorgsnämnden."),
    ("Bilagor", "Avtal och tidsplan."),
)


@pytest.mark.parametrize("rows", [LETTERHEAD, LONGER])
def test_two_columns_without_a_header_are_labels_and_values(
    tmp_path: Path, rows: tuple[tuple[str, str], ...]
) -> None:
    """A letterhead printed as label and value cells, no row set apart: each row reads
    "label: value", not as columns named by the first row nor as two columns of text."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for label, value in rows:
        pdf.cell(40, 6, label)
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.multi_cell(0, 5, INTRO)
    pdf.output(str(tmp_path / "brev.pdf"))
    texts = [b.text for b in read_blocks(tmp_path / "brev.pdf", "brev.pdf")[0]]
    assert texts == [f"{label}: {value}" for label, value in rows] + [INTRO]
