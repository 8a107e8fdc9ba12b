"""Chunking follows sections, keeps pages and headings, and never loses text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunking import chunk_blocks, split_long
from ingest.metadata import extract_info
from ingest.structure import Block, text_to_blocks
from retrieval.sentences import split_sentences

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäö", min_size=1, max_size=12)
SENTENCE = st.lists(WORD, min_size=1, max_size=30).map(lambda ws: " ".join(ws).capitalize() + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=12).map(" ".join)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@settings(max_examples=60, deadline=None)
@given(
    paragraphs=st.lists(
        st.tuples(PARAGRAPH, st.booleans(), st.integers(1, 3)), min_size=1, max_size=15
    ),
    size=st.integers(200, 900),
    overlap=st.integers(0, 199),
)
def test_chunking_never_loses_text(paragraphs, size: int, overlap: int) -> None:
    """Every sentence that fits appears whole in a chunk; longer ones keep all words in order."""
    blocks = []
    page = 1
    for text, heading, step in paragraphs:
        page += step - 1
        blocks.append(
            Block(page, text[:60] if heading else text, heading=heading, level=1 if heading else 0)
        )
    chunks = chunk_blocks("d.md", blocks, size, overlap)
    chunk_words = [" ".join(_words(c.text)) for c in chunks]
    for block in blocks:
        for sentence in split_sentences(block.text):
            needle = " ".join(_words(sentence))
            if len(sentence) <= size:
                assert any(needle in hay for hay in chunk_words), sentence
            else:
                rest = iter(" ".join(chunk_words).split())
                assert all(word in rest for word in needle.split()), sentence
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    pages = [c.page for c in chunks]
    assert pages == sorted(pages)


@settings(max_examples=60, deadline=None)
@given(text=PARAGRAPH, size=st.integers(200, 600), overlap=st.integers(0, 199))
def test_split_long_respects_size_and_keeps_all_words(text: str, size: int, overlap: int) -> None:
    """Pieces stay near the size limit and together hold all words."""
    pieces = split_long(text, size, overlap)
    assert all(len(p) <= size for p in pieces)
    assert set(_words(text)) == set(_words(" ".join(pieces)))


def test_overlap_must_be_smaller_than_size() -> None:
    """An overlap as large as the chunk size is a clear error."""
    with pytest.raises(ValueError, match="overlap"):
        chunk_blocks("d.md", [Block(1, "Text.")], 300, 300)


def test_sections_are_cited_by_their_numbered_heading() -> None:
    """A chunk under '4.2 Kommunens åtaganden' carries that heading and its page."""
    text = (
        "4 Åtaganden\n4.1 Lärosätets åtaganden\nLärosätet ska utse en kontaktperson.\n\n"
        "4.2 Kommunens åtaganden\nKommunen ska erbjuda platser."
    )
    chunks = chunk_blocks("a.txt", text_to_blocks(text, page=2), 900, 100)
    assert [(c.section, c.page) for c in chunks] == [
        ("4.1 Lärosätets åtaganden", 2),
        ("4.2 Kommunens åtaganden", 2),
    ]
    assert chunks[1].text.endswith("Kommunen ska erbjuda platser.")


def test_chunk_ids_are_content_hashes() -> None:
    """The same text at the same place gets the same id; other text another id."""
    a = chunk_blocks("a.md", [Block(1, "Kommunen ska.")], 300, 0)[0]
    b = chunk_blocks("a.md", [Block(1, "Kommunen ska.")], 300, 0)[0]
    c = chunk_blocks("a.md", [Block(1, "Lärosätet ska.")], 300, 0)[0]
    assert a.chunk_id == b.chunk_id != c.chunk_id


def test_document_metadata() -> None:
    """Title, date, diarienummer and body are read from the first blocks."""
    from pathlib import Path

    blocks = text_to_blocks(
        "Socialnämnden\nProtokoll den 14 december 2016\nDnr SN 2016/0123-7\n\n"
        "§ 5 Samverkansavtal med lärosäten\nNämnden beslutar att anta modellen."
    )
    info = extract_info(blocks, Path("beslut.txt"))
    assert (info.date, info.reference, info.body) == (
        "2016-12-14",
        "SN 2016/0123-7",
        "Socialnämnden",
    )


def test_a_reference_keeps_the_organisations_abbreviation() -> None:
    """'dnr FoU NO 2017/012' is the number 'FoU NO 2017/012', not 'NO 2017/012'."""
    from pathlib import Path

    blocks = text_to_blocks(
        "Plan för uppföljning\nFastställd 2017-04-05, dnr FoU NO 2017/012\n\nPlanen gäller 2017."
    )
    assert extract_info(blocks, Path("plan.md")).reference == "FoU NO 2017/012"


def test_decision_title_names_organisation_body_and_date() -> None:
    """A protocol headed 'TÄBY KOMMUN' / 'Socialnämnden' is titled 'Täby kommun, socialnämnden
    2016-12-14', the form a citation should read."""
    from pathlib import Path

    blocks = text_to_blocks(
        "TÄBY KOMMUN\nSocialnämnden\n\nPROTOKOLLSUTDRAG\n\nSammanträdesdatum: 2016-12-14\n\n"
        "§ 5 Samverkansavtal\nNämnden beslutar att anta modellen."
    )
    info = extract_info(blocks, Path("protokoll.txt"))
    assert info.title == "Täby kommun, socialnämnden 2016-12-14"


def test_decision_title_leaves_out_the_office_that_wrote_it() -> None:
    """'KOMMUNLEDNINGSKONTORET' above 'Socialnämnden 2016-12-14' is the writing office, not an
    organisation: the decision is titled by its body and date."""
    from pathlib import Path

    blocks = text_to_blocks(
        "KOMMUNLEDNINGSKONTORET\n\nMarie Björkman\n\nSocialnämnden 2016-12-14\n\n"
        "Nämnden beslutar att anta modellen."
    )
    assert extract_info(blocks, Path("skrivelse.txt")).title == "Socialnämnden 2016-12-14"
