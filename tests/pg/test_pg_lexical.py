"""PgLexicalIndex: PostgreSQL's Swedish full text on real Swedish passages."""

from __future__ import annotations

import pytest

from scripts.pglexical import PgLexicalIndex

PASSAGES = [
    "Kommunen ansvarar för handledarutbildningen av sina handledare.",
    "Lärosätet erbjuder verksamhetsförlagd utbildning (VFU) varje termin.",
    "Avtalet följs upp gemensamt en gång per år i forum för dialog.",
    "Samverkansavtalet gäller från 1 januari 2017.",
]


@pytest.fixture
def index(pg_pool, store_name: str) -> PgLexicalIndex:
    """A PostgreSQL lexical index over the four passages, positions 0..3."""
    lexical = PgLexicalIndex(pg_pool, store_name)
    lexical.add(PASSAGES)
    return lexical


def test_stemming_finds_inflected_form(index: PgLexicalIndex) -> None:
    """'handledarutbildning' finds the passage with 'handledarutbildningen' first."""
    hits = index.search("handledarutbildning", 5)
    assert hits and hits[0][0] == 0 and hits[0][1] > 0


def test_any_query_word_is_enough(index: PgLexicalIndex) -> None:
    """A question matches passages holding any of its stems, best first."""
    hits = index.search("Hur ofta följs avtalet upp?", 5)
    assert hits[0][0] == 2
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_stop_words_only_give_no_hits(index: PgLexicalIndex) -> None:
    """A query of Swedish stop words only returns [] rather than everything or an error."""
    assert index.search("och att det som en på", 5) == []


def test_no_match_and_k(index: PgLexicalIndex) -> None:
    """A word in no passage gives []; k limits the hits; k=0 gives []."""
    assert index.search("sjukhusparkering", 5) == []
    assert len(index.search("kommunen lärosätet avtalet", 2)) == 2
    assert index.search("avtalet", 0) == []


def test_positions_continue_across_adds(index: PgLexicalIndex) -> None:
    """A second add appends at size..; punctuation and tabs in text are stored as given."""
    index.add(["Tab\there: praktikplatser\\n och 'citat'."])
    assert index.size == 5
    assert [p for p, _ in index.search("praktikplatserna", 5)] == [4]
    with index.pool.connection() as conn:
        row = conn.execute(
            "SELECT text FROM passages WHERE store = %s AND position = 4", (index.name,)
        )
        assert row.fetchone() == ("Tab\there: praktikplatser\\n och 'citat'.",)
