"""What a Swedish question asks for, and whether a sentence contains it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.text import REFERENCE, content_words
from retrieval.thesaurus import alternatives

MONTH_NAMES = (
    "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
)
NUMBER_WORDS = (
    "en|ett|två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|femton|tjugo|trettio|fyrtio|"
    "femtio|hundra|tusen|halv|dubbel"
)

KIND_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("reference", re.compile(r"\b(dnr|diarienr|diarienumm?ret|diarienummer|ärendenummer)\b")),
    ("day", re.compile(r"\b(vilket datum|vilken dag|vilka datum|vilka dagar|datumet)\b")),
    (
        "date",
        re.compile(
            # "när" asks only at the start of the question or of a clause: in "Vem var
            # ordförande när nämnden beslutade?" it is a conjunction
            r"(?:^|[,;:]\s*|\b(?:och|men|så|då)\s+)när\b|"
            r"\b(vilket datum|vilken dag|senast|deadline|sista dag|hur länge|hur lång\w*|"
            r"tidsgräns|datum|inom vilken|vilket år|vilken månad|hur ofta|giltig|gäller .*till)\b"
        ),
    ),
    ("cost", re.compile(r"\b(kostar|kostnad\w*|avgift\w*|pris\w*|vad betalar)\b")),
    (
        "amount",
        re.compile(
            r"\b(hur mycket|hur många|hur stor|belopp|ersättning|antal|summa|"
            r"vilket belopp|procent|kronor)\b"
        ),
    ),
    (
        "party",
        re.compile(
            r"\b(vem|vems|vilka ingår|vilka har|"
            r"vilk(?:a|en|et) (?:part|aktör|lärosäte|högskol|universitet|kommun|organisation|"
            r"funktion|nämnd|myndighet|person|förvaltning|enhet)\w*)\b"
        ),
    ),
]

DATE_RE = re.compile(
    rf"\b(?:(?:19|20)\d\d-\d\d-\d\d|\d{{1,2}}/\d{{1,2}}|\d{{1,2}}\s+(?:{MONTH_NAMES})|"
    rf"(?:{MONTH_NAMES})|(?:19|20)\d\d|vår(?:en|termin\w*)?|höst(?:en|termin\w*)?|termin\w*|årsskifte\w*|"
    rf"inom\s+(?:{NUMBER_WORDS}|\d+)\s+\w+|(?:{NUMBER_WORDS}|\d+)\s+år|varje\s+år|årlig\w*|"
    rf"två gånger|kvartal\w*|vecka|veckor|"
    rf"månad\w*|dag(?:ar)?)\b",
    re.IGNORECASE,
)
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
# what something costs may be nothing: "inte innebära några ekonomiska konsekvenser", "kostnadsfri"
FREE_RE = re.compile(
    r"\b(?:inga|ingen|inget|inte\s+(?:\w+\s+){0,4}?(?:några|någon|något))\s+(?:\w+\s+)?"
    r"(?:\w*kostnad\w*|\w*konsekvens\w*|\w*avgift\w*|\w*ersättning\w*)|"
    r"\b(?:kostnadsfri\w*|avgiftsfri\w*|gratis)\b",
    re.IGNORECASE,
)
PARTY_RE = re.compile(
    # common nouns in any case ("Lärosätet ansvarar …"), then names
    r"\b(?:(?i:\w*kommun\w*|\w*lärosäte\w*|högskol\w*|universitet\w*|\w*nämnd\w*|styrelse\w*|"
    r"part\w*|\w*chef\w*|förvaltning\w*|samordnar\w*|region\w*|institut\w*|verksamhet\w*|"
    r"handledar\w*|utförar\w*|huvudman\w*|kontaktperson\w*)|KSL|Kommunförbundet|FoU\s*\w+|CKU|"
    r"[A-ZÅÄÖ][a-zåäö]+(?:\s[A-ZÅÄÖ][a-zåäö]+)*\s(?:Institutet|[Hh]ögskola|universitet)|"
    r"(?<![.!?]\s)(?<!^)[A-ZÅÄÖ][a-zåäö]+\s[A-ZÅÄÖ][a-zåäö]+|"
    r"[A-ZÅÄÖ][a-zåäö]+(?:, [A-ZÅÄÖ][a-zåäö]+)+)\b"  # a list of names: "Danderyd, Täby"
)

# words that only say how the question is put; they are not what must be found
QUESTION_FILLER = frozenset(
    """
    vad vilka vilken vilket vem när hur varför finns står sägs säger enligt
    dokument dokumenten fråga undrar veta berätta gäller behöver ska skall gäller göra
    mycket många stor ingår länge ofta sent tidigt snart lång långt långa
    """.split()
)


@dataclass(frozen=True)
class QuestionInfo:
    """What the question asks for and the words that carry its topic."""

    text: str
    kind: str  # "day" (a calendar date) | "date" (any time) | "amount" | "cost" (an amount or
    # nothing: "kostnadsfri") | "party" | "reference" (a diarienummer) | "general"
    terms: tuple[str, ...]  # content words, lower case, question fillers removed
    names: tuple[str, ...] = ()  # names and abbreviations the evidence must mention
    added: tuple[str, ...] = ()  # words the documents use for the asker's (searched for too)
    party_type: str = ""  # the kind of party asked for: "högskol" of "Vilka högskolor …?"


# everyday phrases and the words agreements and decisions use for the same thing: the phrase's
# own words are left out of the topic, the documents' words are added to it and to the search
EVERYDAY: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (
        re.compile(
            r"\b(?:hör(?:a|er)?(?: jag| vi| man)? av (?:mig|oss|sig)|"
            r"vänd(?:a|er)?(?: jag| vi| man)? (?:mig|oss|sig)|kontakta)\b"
        ),
        ("kontaktperson",),
    ),
    (re.compile(r"\b(?:mejla|maila|mejlar|mailar|mejlat|mailat)\b"), ("e-post",)),
    (
        re.compile(r"\b(?:skriva|skrev|skrivit|skriver) (?:under|på)\b"),
        ("underskrifter", "undertecknat"),
    ),
    (re.compile(r"\b(?:drar|dra|kör|köra|sätter|sätta) igång\b"), ("börjar", "start")),
    (re.compile(r"\b(?:få|får|fick)(?: \w+)? betalt\b"), ("ersättning",)),
    (
        re.compile(r"\b(?:är|blir|vara) (?:ledig|tjänstledig|föräldraledig|borta|frånvarande)\b"),
        ("ersättare",),
    ),
    (re.compile(r"\b(?:hur sent|senast när|sista dag(?:en)?|deadline)\b"), ("senast",)),
    (re.compile(r"\b(?:säga upp|avsluta|bryta) avtalet\b"), ("uppsägning",)),
    (
        re.compile(
            r"\b(?:(?:kliva|kliver|klev|hoppa|hoppar|hoppade) (?:ur|av)|(?:gå|går|gick) ur|"
            r"lämna (?:avtalet|avsiktsförklaringen|samverkan|samarbetet))\b"
        ),
        ("utträde", "uppsägning"),
    ),
    (re.compile(r"\b(?:tycka till|lämna synpunkter|säga sitt)\b"), ("remiss", "synpunkter")),
]


# "Vilka högskolor …?" asks for universities, "Vilken nämnd …?" for a committee
PARTY_TYPE = re.compile(r"\bvilk(?:a|en|et) (lärosäte|högskol|universitet|kommun|nämnd)")
UNIVERSITY_NAME = re.compile(r"\b[A-ZÅÄÖ]\w+ (?:Institutet|[Hh]ögskola|universitet)\b|\bKI\b")
WE = re.compile(r"\b(?:vi|oss|vår|vårt|våra)\b")


def analyse(question: str) -> QuestionInfo:
    """Kind and topic words of a question."""
    lower = question.lower()
    kind = next((k for k, pattern in KIND_PATTERNS if pattern.search(lower)), "general")
    said: set[str] = set()
    added: list[str] = []
    for pattern, words in EVERYDAY:
        for match in pattern.finditer(lower):
            said.update(match.group(0).split())
            added.extend(words)
    if WE.search(lower) and "kommun" not in lower:
        added.append("kommunen")  # staff asking "vi" speak for their municipality
    terms = [w for w in content_words(question) if w not in QUESTION_FILLER and w not in said]
    terms += [w for w in added if w not in terms]
    # the search also looks for the documents' words for the asker's words
    added += [alt for w in terms for alt in alternatives(w)]
    typed = PARTY_TYPE.search(lower) if kind == "party" else None
    return QuestionInfo(
        question,
        kind,
        tuple(dict.fromkeys(terms)),
        names_in(question),
        tuple(added),
        typed.group(1) if typed else "",
    )


NAME_RE = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-ZÅÄÖ][\wåäöÅÄÖ]+(?:[-:][\wåäö]+)?)")
GENERIC_CAPS = frozenset({"vfu", "jag", "vi", "ni", "hur", "vad", "när", "vem", "vilka"})


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
    return "lärosäte" in same and bool("institutet" in lower or UNIVERSITY_NAME.search(sentence))


def has_kind(sentence: str, kind: str) -> bool:
    """True when the sentence contains what a question of this kind asks for."""
    if kind == "date":
        return bool(DATE_RE.search(sentence))
    if kind == "day":
        return bool(DAY_RE.search(sentence))
    if kind in ("amount", "cost"):
        return any(m.group(0).strip() for m in AMOUNT_RE.finditer(sentence)) or (
            kind == "cost" and FREE_RE.search(sentence) is not None
        )
    if kind == "party":
        return bool(PARTY_RE.search(sentence))
    if kind == "reference":
        return bool(REFERENCE.search(sentence))
    return True


def is_follow_up(question: str) -> bool:
    """A short question that leans on the one before it ("och när?", "vem då?", "hur mycket?")."""
    words = content_words(question)
    topic = [w for w in words if w not in QUESTION_FILLER]
    return (len(topic) <= 1 and len(question.split()) <= 5) or question.lower().startswith(
        ("och ", "men ", "då ", "samma ")
    )
