"""Title, date, diarienummer, issuing body, § number and case officer of a document, read from
its first blocks; and which lines are its letterhead (metadata, never a sentence to quote)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.structure import SECTION_MARK, Block
from retrieval.lexicon import lexicon
from retrieval.text import REFERENCE
from retrieval.types import DocumentMeta

MONTHS = {
    m: i
    for i, m in enumerate(
        "januari februari mars april maj juni juli augusti september oktober "
        "november december".split(),
        start=1,
    )
}
ISO_DATE = re.compile(r"\b((?:19|20)\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b")
TEXT_DATE = re.compile(
    r"\b([1-9]|[12]\d|3[01])\s+(" + "|".join(MONTHS) + r")\s+((?:19|20)\d\d)\b", re.IGNORECASE
)
# KSL/16/0049-24, SN 2016/0123-7, Dnr KS 2016/245
BODY = re.compile(
    r"^((?:[A-ZÅÄÖ][a-zåäö]+)?(?:nämnden|styrelsen|fullmäktige)|Kommunstyrelsen|"
    r"Kommunfullmäktige|Styrelsen för [A-ZÅÄÖ][\wåäö ]+?|Styrelsen|Nämnden)\b",
)
LABEL = re.compile(r"^(?:[A-ZÅÄÖ][\wåäöÅÄÖ]*(?:\s+[\wåäöÅÄÖ-]+){0,5}:\s|Dnr\b)")
# after a "Dnr" label, hyphenated forms too: "KSN-2016-1422", "KS 2012-105"
LABELLED_REFERENCE = re.compile(r"[A-ZÅÄÖ]{1,6}[ -]?(?:19|20)?\d{2}[-/:]\d{1,5}(?:[-:.]\d{1,4})?\b")
SAMPLE_MARK = re.compile(r"^(exempel|sample|fiktiv)", re.IGNORECASE)
HEAD_BLOCKS = 12


@dataclass(frozen=True)
class DocInfo:
    """Metadata found in a document's text."""

    title: str
    date: str
    reference: str
    body: str
    paragraph: str = ""  # "§ 5" of a decision that is one paragraph of its minutes, else ""
    officer: str = ""  # the case officer named in the letterhead ("Eva Strand"), else ""


def iso_date(text: str) -> str:
    """The first date in the text as YYYY-MM-DD ("14 december 2016" too), else ""."""
    found: list[tuple[int, str]] = []
    if m := ISO_DATE.search(text):
        found.append((m.start(), m.group(0)))
    if m := TEXT_DATE.search(text):
        day, month, year = int(m.group(1)), MONTHS[m.group(2).lower()], m.group(3)
        found.append((m.start(), f"{year}-{month:02d}-{day:02d}"))
    return min(found)[1] if found else ""


def extract_info(blocks: list[Block], path: Path, embedded_title: str = "") -> DocInfo:
    """Title (the file's own metadata title, else the first real heading, else the first
    line, else the file name), date, reference and issuing body."""
    head = blocks[:HEAD_BLOCKS]
    head_text = "\n".join(b.text for b in head)
    date, body = iso_date(head_text), _body(head)
    title = embedded_title or _title(head)
    if body and date and not embedded_title:
        # a decision or minutes: cited as "Täby kommun, socialnämnden 2016-12-14"
        org = sentence_case(title) if title and title.isupper() and ORG.search(title) else ""
        title = f"{org}, {body.lower()} {date}" if org else f"{body} {date}"
    return DocInfo(
        title=title or path.stem.replace("-", " ").replace("_", " "),
        date=date,
        reference=_reference(head_text),
        body=body,
        paragraph=_paragraph(blocks),
        officer=_officer(head, body),
    )


# a capitalised first line that names the organisation ("TÄBY KOMMUN"), not an office of it
ORG = re.compile(r"KOMMUN\b|KOMMUNEN\b|STAD\b|REGION|LÄN\b|FÖRBUND", re.IGNORECASE)
COMMON_WORDS = frozenset("kommun län stad region landsting och för i av med".split())


def sentence_case(text: str) -> str:
    """An organisation name in capitals as it is written: 'TÄBY KOMMUN' -> 'Täby kommun',
    'KOMMUNFÖRBUNDET STOCKHOLMS LÄN (KSL)' -> 'Kommunförbundet Stockholms län (KSL)'."""
    out = []
    for i, word in enumerate(text.split()):
        if word.startswith("("):
            out.append(word)
        elif i and word.lower() in COMMON_WORDS:
            out.append(word.lower())
        else:
            out.append(word.capitalize())
    return " ".join(out)


def _title(head: list[Block]) -> str:
    for block in head:
        text = block.text.strip()
        if (
            block.heading
            and not SAMPLE_MARK.match(text)
            and not SECTION_MARK.match(text)
            and not LABEL.match(text)
        ):
            return text[:120]
    for block in head:
        text = block.text.strip()
        if not SAMPLE_MARK.match(text) and not LABEL.match(text) and len(text) <= 120:
            return text
    return ""


def _reference(text: str) -> str:
    labelled = re.search(r"(?:Dnr|Diarienummer|Dnr\.)\s*:?\s*([^\n,;]{4,30})", text, re.IGNORECASE)
    if labelled and (
        m := REFERENCE.search(labelled.group(1)) or LABELLED_REFERENCE.match(labelled.group(1))
    ):
        return m.group(0).strip()
    m = REFERENCE.search(text)
    return m.group(0).strip() if m else ""


def _body(head: list[Block]) -> str:
    for block in head:
        if m := BODY.match(block.text.strip()):
            return m.group(1).strip()
    return ""


# ---- letterhead facts (issue 10, part 2) --------------------------------------------------------
# A letterhead ("Handläggare: Eva Strand", "Omsorgsnämnden 2024-03-20", "Dnr ON 2024/31") says
# who handles the matter and where it is decided; those facts are the document's metadata, shown
# in citations, and the lines that carry them are never sentences to quote.

PARAGRAPH = re.compile(r"(?<![\w§])§\s*(\d+[a-z]?)\b")
# a sentence's end only: a bare label ("Sammanträdesdatum:", its value on the next line) is
# still a meta line (compare structure.SENTENCE_END and pdflayout.CLAUSE_END)
SENTENCE_END = re.compile(r"[.!?]\s*$")
LETTERHEAD_MAX = 100  # characters: letterhead lines are short
OFFICER_MAX = 60  # characters of a name with a title ("Ulf Renström, utredare vid KSL")
CELL_BREAK = re.compile(r"\s*[|;]\s*|\s{2,}")
# a name on a line of its own: "Marie Björkman", "Eva-Lena Strand"
PERSON = re.compile(r"^[A-ZÅÄÖÉ][a-zåäöéü]+(?:[ -][A-ZÅÄÖÉ][a-zåäöéü]+){1,3}$")


@lru_cache(maxsize=8)
def _label(fact: str = "") -> re.Pattern[str]:
    """One of the fact's labels in the lexicon ("Handläggare:") at a line's start; without a
    fact, any letterhead label anywhere."""
    chosen = lexicon().letterhead[fact] if fact else sum(lexicon().letterhead.values(), ())
    alternatives = "|".join(re.escape(x) for x in sorted(chosen, key=len, reverse=True))
    start = "^" if fact else r"(?<![\wåäö])"
    return re.compile(rf"{start}(?:{alternatives})(?![\wåäö])\s*:?\s*", re.IGNORECASE)


def _short_line(text: str) -> bool:
    """Short and not ending like a sentence: how letterhead and meta lines look."""
    return 0 < len(text) <= LETTERHEAD_MAX and not SENTENCE_END.search(text)


def _paragraph(blocks: list[Block]) -> str:
    """The § of a decision that is one paragraph of its minutes ("§ 5"): the § that opens its
    heading line or stands in its letterhead. Minutes with several §§ give "" (each chunk is
    cited by its own § heading)."""
    found: list[str] = []
    for block in blocks:
        text = block.text.strip()
        mark = SECTION_MARK.match(text)
        if mark and mark.group(1).startswith("§"):
            found.append(PARAGRAPH.sub(r"§ \1", mark.group(1)))
        elif not block.heading and _short_line(text) and (m := PARAGRAPH.search(text)):
            found.append(f"§ {m.group(1)}")
    distinct = list(dict.fromkeys(found))
    return distinct[0] if len(distinct) == 1 else ""


def _officer(head: list[Block], body: str) -> str:
    """The case officer: a labelled line ("Handläggare: Eva Strand") in the document's head, or
    a person's name standing alone above the title (how Word letterheads print it)."""
    label = _label("officer")
    for block in head:
        text = block.text.strip()
        if not block.heading and _short_line(text) and (m := label.match(text)):
            # the value ends where a row of letterhead cells goes on ("… | Datum …")
            value = CELL_BREAK.split(text[m.end() :])[0].strip(" :,")
            return value if len(value) <= OFFICER_MAX and not re.search(r"\d", value) else ""
    for block in head:
        text = block.text.strip()
        if block.heading and not _capitals(text):
            break  # the title: the letterhead is above it
        if not block.heading and PERSON.match(text) and text.lower() != body.lower():
            return text
    return ""


def _capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def is_letterhead(line: str, doc: DocumentMeta) -> bool:
    """A line that holds nothing but the document's letterhead facts (committee, meeting date,
    § number, diarienummer, case officer) and their labels: "Handläggare: Eva Strand",
    "Omsorgsnämnden 2024-03-20", "Dnr ON 2024/31", "Sammanträdesdatum: 2016-12-14". Such a
    line is metadata shown in the citation, not a sentence to quote as an answer."""
    text = " ".join(line.split())
    if not _short_line(text):
        return False
    facts = [f for f in (doc.officer, doc.reference, doc.body) if f]
    if not facts and not doc.date:
        return False
    rest = _label().sub(" ", text)
    for value in sorted(facts, key=len, reverse=True):
        rest = re.sub(re.escape(value), " ", rest, flags=re.IGNORECASE)
    own = doc.paragraph.removeprefix("§").strip()
    rest = PARAGRAPH.sub(lambda m: " " if m.group(1) == own else m.group(0), rest)
    for pattern in (ISO_DATE, TEXT_DATE):
        rest = pattern.sub(lambda m: " " if iso_date(m.group(0)) == doc.date else m.group(0), rest)
    return rest != text and not re.search(r"\w", rest)
