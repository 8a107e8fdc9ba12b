"""Swedish lexical search: stemming, stop words, compounds, and RRF fusion."""

from __future__ import annotations

from pathlib import Path

from retrieval.lexical import LexicalIndex
from retrieval.search import FusionWeights, fuse
from retrieval.sentences import split_sentences
from retrieval.text import Analyzer

TEXTS = [
    "Samverkansavtalet mellan kommunen och lärosätet gäller i tre år.",
    "Kommunen ska erbjuda platser för verksamhetsförlagd utbildning.",
    "Lärosätet ansvarar för handledarutbildningen av kommunens handledare.",
    "Avtal om vård och utbildning tecknas av parterna.",
]


def test_inflected_forms_match_by_stem() -> None:
    """'handledarutbildningen' is found from 'handledarutbildning' (Snowball Swedish)."""
    index = LexicalIndex.build(TEXTS)
    assert index.search("handledarutbildning", 1)[0][0] == 2


def test_compound_parts_are_searchable() -> None:
    """With decompounding, 'samverkan' style parts of 'samverkansavtalet' match 'avtal'."""
    with_parts = LexicalIndex.build(TEXTS, decompound=True)
    without = LexicalIndex.build(TEXTS, decompound=False)
    assert Analyzer({"samverkan", "avtal"}).split("samverkansavtal") == ("samverkan", "avtal")
    assert 0 in {p for p, _ in with_parts.search("avtal", 4)}
    assert 0 not in {p for p, _ in without.search("avtal", 4)}


def test_stop_words_alone_find_nothing() -> None:
    """A query of function words only gives no hits instead of arbitrary ones."""
    assert LexicalIndex.build(TEXTS).search("och i att det som", 3) == []


def test_save_load_round_trip(tmp_path: Path) -> None:
    """A saved lexical index gives the same results after loading."""
    index = LexicalIndex.build(TEXTS)
    index.save(tmp_path)
    assert LexicalIndex.load(tmp_path).search("platser kommunen", 2) == index.search(
        "platser kommunen", 2
    )


def test_weighted_rrf() -> None:
    """A hit in both lists beats hits in one; weight 0 switches a list off."""
    dense, lexical = [(1, 0.9), (2, 0.8)], [(2, 5.0), (3, 4.0)]
    assert fuse(dense, lexical, FusionWeights())[0][0] == 2
    assert [p for p, _ in fuse(dense, lexical, FusionWeights(lexical=0))] == [1, 2]


def test_sentence_split_keeps_swedish_abbreviations() -> None:
    """'t.ex.' and 'bl.a.' do not end a sentence; a date at the end does."""
    text = (
        "Parterna ska bl.a. följa upp VFU, t.ex. antal platser. Rapporten lämnas 2017-04-30. Klart."
    )
    assert split_sentences(text) == [
        "Parterna ska bl.a. följa upp VFU, t.ex. antal platser.",
        "Rapporten lämnas 2017-04-30.",
        "Klart.",
    ]


def test_abbreviations_learned_from_the_corpus() -> None:
    """'Kommunförbundet Stockholms län (KSL)' teaches that KSL and the full name are one."""
    from retrieval.text import find_abbreviations

    texts = [
        "Styrelsen för Kommunförbundet Stockholms län (KSL) rekommenderar modellen.",
        "Centrum för klinisk utbildning (CKU) deltar. Inget (XY) här.",
    ]
    found = find_abbreviations(texts)
    assert found["ksl"] == "kommunförbundet stockholms län"
    assert found["cku"] == "centrum för klinisk utbildning"
    assert "xy" not in found


def test_question_with_abbreviation_finds_passage_with_full_name() -> None:
    """A question saying 'KSL' finds a passage that only says 'Kommunförbundet Stockholms län'."""
    texts = [
        "Kommunförbundet Stockholms län (KSL) samordnar länets kommuner.",
        "Kommunförbundet Stockholms län sammanställer uppföljningen varje år.",
        "Lärosätet ansvarar för examinationen.",
    ]
    index = LexicalIndex.build(texts)
    assert 1 in {p for p, _ in index.search("Vad sammanställer KSL?", 2)}


def test_initialism_of_a_proper_name_is_understood() -> None:
    """'KI' in a question finds a passage naming 'Karolinska Institutet' only in full."""
    texts = [
        "Avtalet har ingåtts med Karolinska Institutet om handledning.",
        "Kommunen ska erbjuda platser för studenter.",
    ]
    index = LexicalIndex.build(texts)
    assert index.search("Vad gäller för KI?", 1)[0][0] == 0


def test_sentence_split_keeps_list_numbers_with_their_item() -> None:
    """'1. Avsiktsförklaring …' stays one sentence: the item number is not a sentence."""
    text = "Förslaget består av fyra delar:\n1. Avsiktsförklaring, som är generell. Den är kort.\n"
    assert split_sentences(text) == [
        "Förslaget består av fyra delar:",
        "1. Avsiktsförklaring, som är generell.",
        "Den är kort.",
    ]
