"""PDF pages read by their layout (issue 10): headings that wrap stay one heading, stacked
one-line headings stay apart, a running head is dropped even where it cannot repeat."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from ingest.readers import read_blocks

BODY = (
    "Kommunen och högskolan följer upp praktikplatserna varje termin. Uppföljningen redovisas "
    "för nämnden i december och ligger till grund för nästa års planering av platserna."
)


def _body(pdf: FPDF, text: str = BODY) -> None:
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def test_stacked_one_line_headings_stay_apart_and_a_wrapped_title_stays_whole(
    tmp_path: Path,
) -> None:
    """Bold lines at line distance that each start with a capital are headings of their own
    (they used to join into one 'heading' that was stored as a sentence); a title that wraps
    into a line going on in lower case stays one heading."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", size=16)
    for line in ("Uppföljning av praktikplatser för", "studenter i vård och omsorg"):
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _body(pdf)
    pdf.set_font("Helvetica", "B", size=11)
    stacked = ("Vid protokollet Anna Berg", "Justeringsintyg", "Medlemskommunerna", "Bilagor")
    for line in stacked:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    _body(pdf, "Protokollet justerades samma dag.")
    pdf.output(str(tmp_path / "protokoll.pdf"))
    blocks, _ = read_blocks(tmp_path / "protokoll.pdf", "protokoll.pdf")
    headings = [b.text for b in blocks if b.heading]
    assert headings == ["Uppföljning av praktikplatser för studenter i vård och omsorg", *stacked]


def test_a_title_wrapped_after_a_comma_and_its_running_head_on_one_page(tmp_path: Path) -> None:
    """A title whose first line ends with a comma is one heading (the comma ends no clause);
    its repetition in small type at the top of page 2 is a running head and is dropped, though
    a two-page paper prints it only once (it used to be stored as a sentence)."""
    title = ("Uppföljning av praktikplatserna i länet,", "hösten 2024")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", size=16)
    for line in title:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _body(pdf)
    pdf.add_page()
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 5, " ".join(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _body(pdf, "Nästa uppföljning sker i maj och redovisas för nämnden.")
    pdf.output(str(tmp_path / "uppfoljning.pdf"))
    blocks, _ = read_blocks(tmp_path / "uppfoljning.pdf", "uppfoljning.pdf")
    assert [(b.page, b.heading, b.text) for b in blocks] == [
        (1, True, " ".join(title)),
        (1, False, BODY),
        (2, False, "Nästa uppföljning sker i maj och redovisas för nämnden."),
    ]
