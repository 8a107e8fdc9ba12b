"""Readers turn real PDF, DOCX, Markdown and text files into clean blocks, or fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.readers import read_blocks
from retrieval.errors import IngestError
from tests.pdfs import make_docx, make_empty_pdf, make_encrypted_pdf, make_letter_pdf, make_pdf

HEADER = "Lokalt samverkansavtal mellan Täby kommun och lärosätet"


def _text(blocks) -> str:
    return "\n".join(b.text for b in blocks)


def test_pdf_headers_footers_and_page_numbers_are_removed(tmp_path: Path) -> None:
    """A running title line and 'Sida N av M' on every page do not reach the blocks."""
    topics = ["handledning av studenter", "platser för VFU", "gemensam uppföljning"]
    pages = [[f"Detta avsnitt handlar om {t}.", "Parterna ska samråda."] for t in topics]
    path = make_pdf(tmp_path / "a.pdf", pages, header=HEADER, footer=True)
    blocks, count = read_blocks(path, "a.pdf")
    text = _text(blocks)
    assert count == 3
    assert "Sida" not in text and HEADER not in text
    assert [b.page for b in blocks] == [1, 2, 3]
    assert "Detta avsnitt handlar om platser för VFU." in text


def test_pdf_hyphenation_joined_and_spaces_collapsed(tmp_path: Path) -> None:
    """Words split by a hyphen at a line end are joined; justified double spaces collapse."""
    long = (
        "Parterna ska gemensamt följa upp hur "
        + "samverkan fungerar i praktiken och " * 3
        + "hur det lokala samverkansavtalet används."
    )
    path = make_pdf(
        tmp_path / "b.pdf", [[long, "Kommunen  ansvarar   för   platserna."]], align="J"
    )
    blocks, _ = read_blocks(path, "b.pdf")
    text = _text(blocks)
    assert "  " not in text
    assert "Kommunen ansvarar för platserna." in text


def test_hyphen_at_line_end_in_extracted_text_is_joined() -> None:
    """The cleaner joins 'samverkans-' + 'avtal' but keeps 'hälso- och sjukvård'."""
    from ingest.pdfclean import clean_text

    assert clean_text("ett samverkans-\navtal gäller") == "ett samverkansavtal gäller"
    assert clean_text("hälso-\noch sjukvård") == "hälso-\noch sjukvård"


def test_pdf_numbered_headings_become_sections(tmp_path: Path) -> None:
    """'4.2 Kommunens åtaganden' and '§ 5 ...' lines are headings."""
    path = make_pdf(
        tmp_path / "c.pdf",
        [
            [
                "4.2 Kommunens åtaganden",
                "Kommunen ska erbjuda platser för VFU.",
                "§ 5 Samverkansavtal",
                "Nämnden beslutar enligt förslaget.",
            ]
        ],
    )
    blocks, _ = read_blocks(path, "c.pdf")
    headings = [b.text for b in blocks if b.heading]
    assert headings == ["4.2 Kommunens åtaganden", "§ 5 Samverkansavtal"]


@pytest.mark.parametrize(
    ("maker", "reason"),
    [
        (lambda p: make_empty_pdf(p), "no extractable text"),
        (lambda p: make_encrypted_pdf(p, "Hemligt avtal"), "encrypted"),
        (
            lambda p: p.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrasig") and p,
            "not a readable PDF",
        ),
        (lambda p: p.write_bytes(b"") and p, "empty"),
    ],
)
def test_bad_pdfs_fail_with_a_reason_naming_the_file(tmp_path: Path, maker, reason: str) -> None:
    """Scanned, encrypted, corrupt and empty PDFs raise IngestError with the file and reason."""
    path = tmp_path / "dålig.pdf"
    maker(path)
    with pytest.raises(IngestError) as err:
        read_blocks(path, str(path))
    assert str(path) in str(err.value)
    assert reason in str(err.value)


def test_binary_junk_named_txt_is_refused(tmp_path: Path) -> None:
    """Random bytes in a .txt file are reported as binary, not indexed as text."""
    path = tmp_path / "skräp.txt"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(IngestError, match="binary"):
        read_blocks(path, str(path))


def test_cp1252_text_keeps_swedish_letters(tmp_path: Path) -> None:
    """A Windows-1252 file decodes with å, ä and ö intact."""
    path = tmp_path / "gammal.txt"
    path.write_bytes("Kommunen åtar sig att införa rutiner för VFU-handledning.".encode("cp1252"))
    blocks, _ = read_blocks(path, str(path))
    assert blocks[0].text == "Kommunen åtar sig att införa rutiner för VFU-handledning."


def test_docx_headings_paragraphs_and_tables(tmp_path: Path) -> None:
    """Word heading styles become headings; table rows are kept as text that names each
    cell's column, so a row read alone still says what it means."""
    path = make_docx(
        tmp_path / "avtal.docx",
        [
            ("h1", "Mall för lokalt samverkansavtal"),
            ("h2", "4.1 Lärosätets åtaganden"),
            ("p", "Lärosätet ska erbjuda handledarutbildning."),
        ],
        table=[["Part", "Kontakt"], ["Täby kommun", "Samordnare för VFU"]],
    )
    blocks, pages = read_blocks(path, str(path))
    assert pages == 1
    assert [(b.text, b.level) for b in blocks if b.heading] == [
        ("Mall för lokalt samverkansavtal", 1),
        ("4.1 Lärosätets åtaganden", 2),
    ]
    assert "Part: Täby kommun; Kontakt: Samordnare för VFU" in _text(blocks)


def test_markdown_table_rows_name_their_columns(tmp_path: Path) -> None:
    """A pipe table's rows become 'Column: value; …' lines; the separator row disappears."""
    path = tmp_path / "plan.md"
    path.write_text(
        "# Plan\n\n| Åtgärd | Ansvarig | Klart senast |\n|---|:---:|---|\n"
        "| Skicka årsrapporten | FoU Nordost | 2018-05-15 |\n\nEfter tabellen.\n",
        "utf-8",
    )
    blocks, _ = read_blocks(path, str(path))
    assert [b.text for b in blocks if not b.heading] == [
        "Åtgärd: Skicka årsrapporten; Ansvarig: FoU Nordost; Klart senast: 2018-05-15",
        "Efter tabellen.",
    ]


def test_markdown_headings(tmp_path: Path) -> None:
    """'#' lines become headings with their level; emphasis marks are dropped."""
    path = tmp_path / "plan.md"
    path.write_text(
        "# Uppföljningsplan\n\n## 2 Indikatorer\n\nAntal **VFU-platser** per termin.\n", "utf-8"
    )
    blocks, _ = read_blocks(path, str(path))
    assert [(b.text, b.heading, b.level) for b in blocks] == [
        ("Uppföljningsplan", True, 1),
        ("2 Indikatorer", True, 2),
        ("Antal VFU-platser per termin.", False, 0),
    ]


def test_text_file_with_markdown_headings_is_read_as_markdown(tmp_path: Path) -> None:
    """A .txt export with '###' and bold-only heading lines gets real headings, no '#' or '**'."""
    path = tmp_path / "tjansteskrivelse.txt"
    path.write_text(
        "Socialnämnden 2016-12-14\n\n### Ärendet\n\nNämnden ska svara senast i december.\n\n"
        "### **Ekonomiska konsekvenser**\n\nInga kostnader.\n\n**Bilagor**\n\nRekommendation.\n",
        "utf-8",
    )
    blocks, _ = read_blocks(path, str(path))
    headings = [b.text for b in blocks if b.heading]
    assert headings == ["Ärendet", "Ekonomiska konsekvenser", "Bilagor"]
    assert "#" not in _text(blocks) and "**" not in _text(blocks)


def test_pdf_letterhead_title_and_headings_stay_apart_from_the_body(tmp_path: Path) -> None:
    """Letterhead lines, a two-line title and bold headings are blocks of their own; a wrapped
    paragraph is one block; a list intro and each item are blocks; running header and page
    footers are gone (issue 10: they used to run into the first sentence)."""
    blocks, pages = read_blocks(make_letter_pdf(tmp_path / "brev.pdf"), "brev.pdf")
    texts = [(b.page, b.heading, b.text) for b in blocks]
    assert pages == 2
    assert texts[:3] == [
        (1, False, "STADSLEDNINGSKONTORET"),
        (1, False, "Handläggare: Eva Strand"),
        (1, False, "Omsorgsnämnden 2024-03-20"),
    ]
    assert texts[3] == (
        1, True, "Avtal om praktikplatser mellan kommunen och högskolan i länet"
    )  # fmt: skip
    assert texts[4] == (1, True, "Sammanfattning")
    assert texts[5][1] is False and texts[5][2].startswith("Nämnden föreslås godkänna")
    assert texts[5][2].endswith("om ingen av parterna säger upp det.")
    assert [t for _, _, t in texts[6:]] == [
        "Ärendet",
        "Förslaget består av tre delar:",
        "1. En gemensam avsikt om samarbete som gäller alla verksamheter i kommunen.",
        "2. Ett lokalt avtal om hur många platser kommunen erbjuder varje termin.",
        "3. En årlig uppföljning som nämnden får redovisad i december.",
    ]
    assert blocks[3].level < blocks[4].level  # the title above its headings
    assert not any("Sida" in t or "tjänsteutlåtande" in t for _, _, t in texts)


CONTENTS = [
    "Innehåll",
    "Syfte ........ 2",
    "Avtalstid ........ 2",
    "Uppsägning av avtalet . . . . . 3",
]
BODY = "Avtalet syftar till att fler studenter får en plats för verksamhetsförlagd utbildning."


def test_table_of_contents_is_left_out_of_text_and_pdf(tmp_path: Path) -> None:
    """Titles with dot leaders and page numbers say nothing and are not indexed; a lone line
    ending in dots and a number, and everything else, is kept."""
    text = tmp_path / "avtal.txt"
    text.write_text("\n".join(CONTENTS) + "\n\nSyfte\n" + BODY + "\n\nSe bilaga... 4\n", "utf-8")
    kept = _text(read_blocks(text, "avtal.txt")[0])
    assert "...." not in kept and ". . ." not in kept and "Avtalstid" not in kept
    assert BODY in kept and "Se bilaga... 4" in kept
    pdf = make_pdf(tmp_path / "avtal.pdf", [CONTENTS, ["Syfte", BODY]])
    kept = _text(read_blocks(pdf, "avtal.pdf")[0])
    assert "...." not in kept and "Avtalstid" not in kept
    assert BODY in kept
