"""The answerer's word lists, read once from `lexicon.toml` beside this module."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from retrieval.errors import ConfigError

LEXICON_FILE = Path(__file__).with_name("lexicon.toml")


@dataclass(frozen=True)
class Lexicon:
    """Everything `lexicon.toml` holds, with the regular expressions compiled."""

    thesaurus: tuple[tuple[str, ...], ...]
    question_filler: frozenset[str]
    not_names: frozenset[str]
    everyday: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]
    kinds: tuple[tuple[str, re.Pattern[str]], ...]
    shorthand: dict[str, str]
    months: tuple[str, ...]
    number_words: tuple[str, ...]
    time_units: tuple[str, ...]
    party_nouns: tuple[str, ...]
    not_organisations: frozenset[str]
    party_patterns: tuple[tuple[str, str], ...]
    aliases: dict[str, str]
    # document type -> (patterns in the title, patterns in the text)
    doctypes: dict[str, tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]]
    validity: dict[str, str]  # validity phrases; DATE marks where a date stands
    template_question: re.Pattern[str]  # a question that names a template
    terms: dict[str, Any]  # validity ends, notice, renewal, recurrence, seasons (ingest.terms)
    # letterhead fact -> the labels printed before it ("officer" -> "Handläggare", ...)
    letterhead: dict[str, tuple[str, ...]]
    letterhead_questions: dict[str, re.Pattern[str]]  # fact -> a question that asks for it
    evidence: dict[str, str]  # what a sentence holds to answer a kind (marks not yet replaced)
    asking: dict[str, Any]  # how a question is put: party type, "vi", follow-up openers
    register_questions: dict[str, Any]  # questions for the register (patterns not compiled)


def fill(pattern: str, marks: dict[str, str]) -> str:
    """A lexicon pattern with its marks (DATE, NUM, UNIT, MONTH, …) replaced by what they stand
    for; each pattern's section says which marks it uses."""
    for mark, value in marks.items():
        pattern = pattern.replace(mark, value)
    return pattern


@lru_cache(maxsize=1)
def lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    """The lexicon; a missing or malformed file is a ConfigError naming it."""
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
        return Lexicon(
            thesaurus=tuple(tuple(group) for group in raw["thesaurus"]),
            question_filler=frozenset(raw["question_filler"].split()),
            not_names=frozenset(raw["not_names"]),
            everyday=tuple((re.compile(e["pattern"]), tuple(e["words"])) for e in raw["everyday"]),
            kinds=tuple((k["kind"], re.compile(k["pattern"])) for k in raw["kinds"]),
            shorthand=dict(raw["shorthand"]),
            months=tuple(raw["months"]),
            number_words=tuple(raw["number_words"]),
            time_units=tuple(raw["time_units"]),
            party_nouns=tuple(raw["party_nouns"]),
            not_organisations=frozenset(raw["not_organisations"]),
            party_patterns=tuple((p, name) for p, name in raw["party_patterns"]),
            aliases=dict(raw["aliases"]),
            doctypes={
                name: (
                    tuple(re.compile(p, re.IGNORECASE) for p in cues["title"]),
                    tuple(re.compile(p) for p in cues["text"]),
                )
                for name, cues in raw["doctypes"].items()
            },
            validity=dict(raw["validity"]),
            template_question=re.compile(raw["template_question"], re.IGNORECASE),
            terms=dict(raw["terms"]),
            letterhead={fact: tuple(labels) for fact, labels in raw["letterhead"].items()},
            letterhead_questions={
                fact: re.compile(p, re.IGNORECASE)
                for fact, p in raw["letterhead_questions"].items()
            },
            evidence=dict(raw["evidence"]),
            asking=dict(raw["asking"]),
            register_questions=dict(raw["register_questions"]),
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, re.error) as exc:
        raise ConfigError(f"{path}: not a valid lexicon ({exc})") from exc
