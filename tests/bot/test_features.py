"""Question analysis and candidate features that must survive how staff type."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import features
from bot.question import Kind, analyse, has_kind
from retrieval.errors import ConfigError
from retrieval.lexicon import lexicon


def test_kinds_are_found_without_diacritics_and_in_shorthand() -> None:
    """'nar', 'hur lange' and 'hur mkt' ask what 'när', 'hur länge' and 'hur mycket' ask."""
    assert analyse("nar ska vi lamna besked").kind is Kind.DATE
    assert analyse("hur lange galler avtalet").kind is Kind.DURATION
    assert analyse("hur mkt får handledaren betalt?").kind is Kind.AMOUNT
    assert "handledaren" in analyse("hur mkt får handledaren betalt?").terms


def test_a_duration_is_a_period_not_any_date() -> None:
    """'Hur länge' is answered by 'tre månader' or 'tills vidare', not by a bare date."""
    assert has_kind("Uppsägningstiden är tre månader.", Kind.DURATION)
    assert has_kind("Avtalet gäller tills vidare.", Kind.DURATION)
    assert not has_kind("Beslutet fattades den 14 december.", Kind.DURATION)


def test_character_grams_tolerate_missing_diacritics_and_typos() -> None:
    """A question typed without å/ä/ö and with a typo is still closest to the sentence that
    uses its words."""
    grams = features.gram_counts("lamna besked kommunen")
    near = features.gram_counts("Kommunen ska lämna sitt besked till KSL.")
    far = features.gram_counts("Studenterna gör sin praktik på särskilda boenden.")

    def cos(a, b) -> float:
        dot = sum(n * b[g] for g, n in a.items())
        return dot / (sum(v * v for v in a.values()) * sum(v * v for v in b.values())) ** 0.5

    assert cos(grams, near) > 2 * cos(grams, far)


def test_feature_names_are_unique_and_documented() -> None:
    """Every feature has a name of its own and a docstring saying what it measures."""
    assert len(set(features.NAMES)) == len(features.NAMES)
    assert all(f.__doc__ and f.__doc__.strip() for f in features.FEATURES)


def test_a_malformed_lexicon_is_refused_naming_the_file(tmp_path: Path) -> None:
    """A lexicon that is not valid TOML stops start-up with an error naming the file."""
    bad = tmp_path / "lexicon.toml"
    bad.write_text("thesaurus = [", "utf-8")
    with pytest.raises(ConfigError, match=r"lexicon\.toml"):
        lexicon.__wrapped__(bad)
