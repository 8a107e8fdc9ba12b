"""PDF pages read by their layout (issue 10): headings that wrap stay one heading, stacked
one-line headings stay apart, a running head is dropped even where it cannot repeat, two columns
are read column by column however they are printed, lines of a narrow column and a lead
paragraph set larger than the body stay paragraphs."""

from __future__ import annotations

from pathlib import Path

import pytest
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
    after "och" before a name, and into a line going on in lower case, stays one heading."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", size=16)
    title = (
        "Avtal om praktikplatser mellan kommunen och",
        "Sjöstads högskola för studenter",
        "i vård och omsorg",
    )
    for line in title:
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
    assert headings == [" ".join(title), *stacked]


TITLE = ("Uppföljning av praktikplatserna i länet,", "hösten 2024")


@pytest.mark.parametrize("head", [" ".join(TITLE), "Uppföljning av praktikplatserna i l..."])
def test_a_title_wrapped_after_a_comma_and_its_running_head_on_one_page(
    tmp_path: Path, head: str
) -> None:
    """A title whose first line ends with a comma is one heading (the comma ends no clause);
    its repetition in small type at the top of page 2, whole or cut short, is a running head
    and is dropped, though a two-page paper prints it only once (it used to be stored as a
    sentence)."""
    title = TITLE
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", size=16)
    for line in title:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _body(pdf)
    pdf.add_page()
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 5, head, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _body(pdf, "Nästa uppföljning sker i maj och redovisas för nämnden.")
    pdf.output(str(tmp_path / "uppfoljning.pdf"))
    blocks, _ = read_blocks(tmp_path / "uppfoljning.pdf", "uppfoljning.pdf")
    assert [(b.page, b.heading, b.text) for b in blocks] == [
        (1, True, " ".join(title)),
        (1, False, BODY),
        (2, False, "Nästa uppföljning sker i maj och redovisas för nämnden."),
    ]


INTRO = (
    "Nämnden har följt upp avtalet om verksamhetsförlagd utbildning med högskolan. Här är en "
    "sammanfattning av uppföljningen som förvaltningen redovisade på sammanträdet i mars."
)
PLACES = (
    "Kommunen tog emot 42 studenter under hösten. Alla fick en handledare som har gått "
    "högskolans utbildning för handledare."
)
TURN = (
    "Handledarna planerar praktiken tillsammans med studenten och lärosätets lärare. De får en "
    "halv dag per vecka för uppdraget, och förvaltningen ersätter arbetsplatsen för den tid som "
    "handledningen tar. Ersättningen betalas ut i slutet av varje termin."
)
MONEY = (
    "Högskolan betalar 1 500 kronor per student och vecka till kommunen. Beloppet räknas upp "
    "varje år med index."
)
AFTER = "Frågor om uppföljningen besvaras av förvaltningens utbildningssamordnare."


def page_with_heading(
    heading: str, heading_size: tuple[float, float], text: str, text_size: tuple[float, float]
) -> FPDF:
    """A new page with a bold heading and a paragraph under it, each (font size, line height)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", size=heading_size[0])
    pdf.cell(0, heading_size[1], heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=text_size[0])
    pdf.multi_cell(0, text_size[1], text, new_x="LMARGIN", new_y="NEXT")
    return pdf


def columns_printed_across(path: Path) -> Path:
    """A heading and a paragraph across the page, then two columns of running text printed
    line by line across the columns (left line 1, right line 1, left line 2, …) as some
    producers do, a paragraph going on from the foot of the left column to the head of the
    right one, and a paragraph across the page below."""
    pdf = page_with_heading("Uppföljning av praktiken", (14, 8), INTRO, (10, 5))
    width = (pdf.epw - 8) / 2

    def wrap(text: str) -> list[str]:
        return pdf.multi_cell(width, 5, text, dry_run=True, output="LINES")

    turn = wrap(TURN)
    left = [*wrap(PLACES), "", *turn[:2]]
    right = [*turn[2:], "", *wrap(MONEY)]
    y = pdf.get_y() + 8
    for row in range(max(len(left), len(right))):
        for x, column in ((pdf.l_margin, left), (pdf.l_margin + width + 8, right)):
            if row < len(column) and column[row]:
                pdf.text(x, y, column[row])
        y += 5
    pdf.set_xy(pdf.l_margin, y + 10)
    pdf.multi_cell(0, 5, AFTER)
    pdf.output(str(path))
    return path


def test_two_columns_printed_across_are_read_column_by_column(tmp_path: Path) -> None:
    """Each column is read top to bottom, left before right, its lines joined by the column's
    own width; the paragraph that turns from the left column to the right is one block; no
    line mixes the two columns and nothing is read as a table (it used to be: one
    "left: right" row per line)."""
    blocks, _ = read_blocks(columns_printed_across(tmp_path / "spalter.pdf"), "spalter.pdf")
    assert [b.text for b in blocks] == [
        "Uppföljning av praktiken",
        INTRO,
        PLACES,
        TURN,
        MONEY,
        AFTER,
    ]


def test_words_that_line_up_in_a_page_printed_word_by_word_are_no_gutter(tmp_path: Path) -> None:
    """A paragraph printed word by word (each word placed on its own, as justifying producers
    do) whose sixth words start at one place in three lines is one paragraph read line by
    line, not two columns."""
    text = " ".join([INTRO, PLACES, MONEY])
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    lines = pdf.multi_cell(150, 5, text, dry_run=True, output="LINES")
    y = 30.0
    for number, line in enumerate(lines):
        words = line.split()
        x, space = pdf.l_margin, pdf.get_string_width(" ")
        for k, word in enumerate(words):
            if k == 5 and 1 <= number <= 3:
                x = max(x, pdf.l_margin + 100)  # the sixth word of lines 2-4 at 100 mm
            pdf.text(x, y, word)
            x += pdf.get_string_width(word) + space
        y += 5
    pdf.output(str(tmp_path / "ord.pdf"))
    blocks, _ = read_blocks(tmp_path / "ord.pdf", "ord.pdf")
    assert [b.text for b in blocks] == [text]


def test_a_paragraph_in_a_narrower_column_is_one_block(tmp_path: Path) -> None:
    """Lines wrapped in a column narrower than the page's text (a column printed on its own,
    in a smaller size) go on where the next line starts with a word in lower case; they used
    to be a block each, too short to count as lines that wrap."""
    narrow = (
        "Förvaltningen föreslår att nämnden godkänner avtalet och att uppföljningen sker varje "
        "termin tillsammans med högskolan och de verksamheter som tar emot studenter under året."
    )
    pdf = FPDF()
    pdf.add_page()
    _body(pdf, " ".join([BODY, BODY]))
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(70, 4, narrow, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "smal.pdf"))
    blocks, _ = read_blocks(tmp_path / "smal.pdf", "smal.pdf")
    assert [b.text for b in blocks] == [" ".join([BODY, BODY]), narrow]


def test_a_lead_paragraph_set_larger_than_the_body_is_no_heading(tmp_path: Path) -> None:
    """A paragraph in a larger size than most of the text, whose first line breaks off
    mid-sentence, is one paragraph: its first line used to be taken for a heading and the rest
    for a paragraph of its own. A heading in the same size above it stays a heading."""
    lead = (
        "Sommarpraktiken och uppföljningen av praktikplatserna är två av de ärenden som nämnden "
        "fattade beslut om på sitt sammanträde i mars."
    )
    pdf = page_with_heading("Beslut i korthet", (11, 6), lead, (11, 6))
    pdf.ln(4)
    pdf.set_font("Helvetica", size=10)
    for text in (INTRO, PLACES, TURN, MONEY):
        pdf.multi_cell(0, 4.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.output(str(tmp_path / "korthet.pdf"))
    blocks, _ = read_blocks(tmp_path / "korthet.pdf", "korthet.pdf")
    assert [(b.heading, b.text) for b in blocks[:3]] == [
        (True, "Beslut i korthet"),
        (False, lead),
        (False, INTRO),
    ]
