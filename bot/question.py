"""What a Swedish question asks for, and whether a sentence contains it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from retrieval.lexicon import fill, lexicon
from retrieval.text import REFERENCE, content_words, stem
from retrieval.thesaurus import alternatives

MONTH_NAMES = "|".join(lexicon().months)  # retrieval/lexicon.toml
NUMBER_WORDS = "|".join(lexicon().number_words)


class Kind(StrEnum):
    """What a question asks for; the answer's sentence should hold one."""

    DAY = "day"  # a calendar day ("vilket datum")
    DATE = "date"  # any time ("när", "senast")
    DURATION = "duration"  # a period ("hur länge", "hur lång uppsägningstid")
    AMOUNT = "amount"  # a number ("hur många", "hur mycket")
    COST = "cost"  # an amount of money, or nothing ("kostnadsfri")
    PARTY = "party"  # who ("vem", "vilken nämnd")
    REFERENCE = "reference"  # a diarienummer
    GENERAL = "general"  # anything else


KIND_PATTERNS: list[tuple[Kind, re.Pattern[str]]] = [
    (Kind(kind), pattern) for kind, pattern in lexicon().kinds
]


def _evidence(name: str) -> re.Pattern[str]:
    """A pattern of the lexicon's [evidence] with its MONTH, NUM and UNIT marks filled in."""
    marks = {"MONTH": MONTH_NAMES, "NUM": NUMBER_WORDS, "UNIT": "|".join(lexicon().time_units)}
    return re.compile(fill(lexicon().evidence[name], marks), re.IGNORECASE)


DATE_RE = _evidence("date")
DURATION_RE = _evidence("duration")
# a quantity: a number that is not a year or a date, or a number word above one
DAY_RE = re.compile(
    rf"\b(?:(?:19|20)\d\d-\d\d-\d\d|\d{{1,2}}/\d{{1,2}}|\d{{1,2}}\s+(?:{MONTH_NAMES}))\b",
    re.IGNORECASE,
)
AMOUNT_RE = re.compile(
    rf"(?<![\d-])(?!(?:19|20)\d\d\b)\d[\d\s]*(?:[.,]\d+)?(?![\d-])|"
    rf"\b(?:{NUMBER_WORDS.removeprefix('en|ett|')})\b",
    re.IGNORECASE,
)
FREE_RE = _evidence("free")
UNIVERSITY_SUFFIX = lexicon().evidence["university_suffix"]
PARTY_RE = re.compile(
    # party nouns in any case ("Lärosätet ansvarar …"), an organisation's abbreviation, names
    r"\b(?:(?i:" + "|".join(lexicon().party_nouns) + r")|[A-ZÅÄÖ]{2,6}|"
    r"[A-ZÅÄÖ][a-zåäö]+(?:\s[A-ZÅÄÖ][a-zåäö]+)*\s" + UNIVERSITY_SUFFIX + "|"
    r"(?<![.!?]\s)(?<!^)[A-ZÅÄÖ][a-zåäö]+\s[A-ZÅÄÖ][a-zåäö]+|"
    r"[A-ZÅÄÖ][a-zåäö]+(?:, [A-ZÅÄÖ][a-zåäö]+)+)\b"  # a list of names: "Danderyd, Täby"
)

QUESTION_FILLER = lexicon().question_filler  # retrieval/lexicon.toml


@dataclass(frozen=True)
class QuestionInfo:
    """What the question asks for and the words that carry its topic."""

    text: str
    kind: Kind
    terms: tuple[str, ...]  # content words, lower case, question fillers removed
    names: tuple[str, ...] = ()  # names and abbreviations the evidence must mention
    added: tuple[str, ...] = ()  # words the documents use for the asker's (searched for too)
    party_type: str = ""  # the kind of party asked for: "högskol" of "Vilka högskolor …?"


# everyday phrases and the documents' words for them (retrieval/lexicon.toml)
EVERYDAY = lexicon().everyday


# how a question is put and what names a university (retrieval/lexicon.toml)
PARTY_TYPE = re.compile(lexicon().asking["party_type"])
UNIVERSITY_NAME = re.compile(lexicon().evidence["university_name"])
WE = re.compile(lexicon().asking["we"])
WE_MEAN: str = lexicon().asking["we_mean"]
FOLLOW_UP_OPENERS = tuple(lexicon().asking["follow_up_openers"])


FOLD = str.maketrans("åäöéü", "aaoeu")


def fold(text: str) -> str:
    """Lower case with å/ä/ö as a/a/o, as staff type on keyboards without them."""
    return text.lower().translate(FOLD)


FILLER = frozenset(fold(w) for w in QUESTION_FILLER)
# each kind's pattern also as it reads typed without å/ä/ö ("nar", "hur lange")
FOLDED_PATTERNS = [(k, re.compile(p.pattern.translate(FOLD))) for k, p in KIND_PATTERNS]


def kind_of(lower: str) -> Kind:
    """The first kind whose pattern the question matches, with or without å/ä/ö."""
    for (kind, pattern), (_, folded) in zip(KIND_PATTERNS, FOLDED_PATTERNS, strict=True):
        if pattern.search(lower) or folded.search(fold(lower)):
            return kind
    return Kind.GENERAL


SHORTHAND = re.compile(
    r"(?<![\w-])(" + "|".join(map(re.escape, lexicon().shorthand)) + r")(?![\w-])", re.IGNORECASE
)


def expand_shorthand(question: str) -> str:
    """The question with chat shorthand written out ("hur mkt" -> "hur mycket")."""
    short = lexicon().shorthand
    return SHORTHAND.sub(lambda m: short.get(m.group(1).lower(), m.group(1)), question)


def analyse(question: str) -> QuestionInfo:
    """Kind and topic words of a question."""
    question = expand_shorthand(question)
    lower = question.lower()
    kind = kind_of(lower)
    said: set[str] = set()
    added: list[str] = []
    for pattern, words in EVERYDAY:
        for match in pattern.finditer(lower):
            said.update(match.group(0).split())
            added.extend(words)
    if WE.search(lower) and stem(WE_MEAN) not in lower:
        added.append(WE_MEAN)  # staff asking "vi" speak for their municipality
    terms = [w for w in content_words(question) if fold(w) not in FILLER and w not in said]
    terms += [w for w in added if w not in terms]
    # the search also looks for the documents' words for the asker's words
    added += [alt for w in terms for alt in alternatives(w)]
    typed = PARTY_TYPE.search(lower) if kind is Kind.PARTY else None
    return QuestionInfo(
        question,
        kind,
        tuple(dict.fromkeys(terms)),
        names_in(question),
        tuple(added),
        typed.group(1) if typed else "",
    )


NAME_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-ZÅÄÖ][\wåäöÅÄÖ]+(?:[-:][\wåäö]+)?)")
GENERIC_CAPS = lexicon().not_names


YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")


def names_in(question: str) -> tuple[str, ...]:
    """Capitalised words after the first word, abbreviations and years: Sophiahemmet, KI,
    Danderyds, 2019 (a passage about another year does not answer for this one)."""
    found = YEAR_RE.findall(question)
    for match in NAME_RE.finditer(question.strip()):
        word = match.group(1).split(":")[0].split("-")[0].lower()
        if word.split("-")[0] not in GENERIC_CAPS and len(word) >= 2:
            found.append(word)
    return tuple(dict.fromkeys(found))


def has_party_type(sentence: str, party_type: str) -> bool:
    """The sentence names a party of the type asked for: a university by "lärosäte",
    "högskola", "universitet" or a university's name; a municipality by "kommun" …"""
    lower = sentence.lower()
    same = (party_type, *alternatives(party_type))  # the thesaurus's group: lärosäte = högskola
    if any(word in lower for word in same):
        return True
    return "lärosäte" in same and bool(UNIVERSITY_NAME.search(sentence))


def has_kind(sentence: str, kind: Kind) -> bool:
    """True when the sentence contains what a question of this kind asks for."""
    if kind == Kind.DURATION:
        return bool(DURATION_RE.search(sentence))
    if kind == Kind.DATE:
        return bool(DATE_RE.search(sentence))
    if kind == Kind.DAY:
        return bool(DAY_RE.search(sentence))
    if kind in (Kind.AMOUNT, Kind.COST):
        return any(m.group(0).strip() for m in AMOUNT_RE.finditer(sentence)) or (
            kind == Kind.COST and FREE_RE.search(sentence) is not None
        )
    if kind == Kind.PARTY:
        return bool(PARTY_RE.search(sentence))
    if kind == Kind.REFERENCE:
        return bool(REFERENCE.search(sentence))
    return True


def is_follow_up(question: str) -> bool:
    """A short question that leans on the one before it ("och när?", "vem då?", "hur mycket?")."""
    words = content_words(question)
    topic = [w for w in words if w not in QUESTION_FILLER]
    return (len(topic) <= 1 and len(question.split()) <= 5) or question.lower().startswith(
        FOLLOW_UP_OPENERS
    )
