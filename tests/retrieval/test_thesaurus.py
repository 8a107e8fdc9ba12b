"""The everyday-to-document word groups: what a question word may be written as in the documents."""

from __future__ import annotations

from bot.evidence import coverage
from bot.question import analyse
from retrieval.thesaurus import alternatives


def test_a_word_gets_the_documents_words_for_it() -> None:
    """'högskolan' is 'lärosätet' in an agreement; 'säbo' is 'särskilda boenden'."""
    assert "lärosäte" in alternatives("högskolan")
    assert "särskilda boende" in alternatives("säbon")
    assert "beslut" in alternatives("avgör")
    assert "ställningstagande" in alternatives("svarat")  # "svara KSL" = lämna sitt besked
    assert alternatives("ansvarig") == ()  # "svar" two letters in is no compound head


def test_a_compound_keeps_its_other_part() -> None:
    """'praktikplatser' is 'VFU-platser', 'handledarkurser' is 'handledarutbildning'."""
    assert "vfu-platser" in alternatives("praktikplatser")
    assert "handledarutbildning" in alternatives("handledarkurser")


def test_a_word_that_only_contains_a_member_by_chance_gets_nothing() -> None:
    """'rese' two letters into 'presentation' is no compound head; 'kommunen' is in no group."""
    assert alternatives("presentation") == ()
    assert alternatives("kommunen") == ()


def test_coverage_counts_the_documents_word_and_the_search_gets_it() -> None:
    """A sentence about 'lärosätet' covers a question about 'högskolan'; the question's
    search words include the alternatives."""
    info = analyse("Är det högskolan som sätter betyg?")
    assert "lärosäte" in info.added
    idf = {"högskol": 2.0, "sätt": 1.0, "betyg": 1.0}
    with_synonym = coverage(info, "Det är lärosätet som sätter betyg.", idf)
    without = coverage(info, "Det är kommunen som sätter betyg.", idf)
    assert with_synonym == 1.0 and without < 1.0


def test_a_users_file_adds_groups_and_a_bad_line_is_named(tmp_path) -> None:
    """'entreprenör, utförare' from the user's file makes 'entreprenören' find 'utförare';
    a line with one word is a ConfigError naming the file and line."""
    import pytest

    from retrieval import thesaurus
    from retrieval.errors import ConfigError

    good = tmp_path / "ord.txt"
    good.write_text("# egna ord\n\nentreprenör, utförare\n", "utf-8")
    try:
        thesaurus.use_file(good)
        assert "utförare" in alternatives("entreprenören")
        assert "lärosäte" in alternatives("högskolan")  # the built-in groups still count
    finally:
        thesaurus.use_file(None)
    assert alternatives("entreprenören") == ()
    bad = tmp_path / "fel.txt"
    bad.write_text("entreprenör, utförare\nhemtjänst\n", "utf-8")
    with pytest.raises(ConfigError, match=r"fel.txt:2"):
        thesaurus.read_groups(bad)
