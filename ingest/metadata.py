"""Title, date, diarienummer and issuing body of a document, read from its first blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ingest.structure import SECTION_MARK, Block
from retrieval.text import REFERENCE

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
SAMPLE_MARK = re.compile(r"^(exempel|sample|fiktiv)", re.IGNORECASE)
HEAD_BLOCKS = 12


@dataclass(frozen=True)
class DocInfo:
    """Metadata found in a document's text."""

    title: str
    date: str
    reference: str
    body: str


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
    if labelled and (m := REFERENCE.search(labelled.group(1))):
        return m.group(0).strip()
    m = REFERENCE.search(text)
    return m.group(0).strip() if m else ""


def _body(head: list[Block]) -> str:
    for block in head:
        if m := BODY.match(block.text.strip()):
            return m.group(1).strip()
    return ""
