"""What kind of document a file is, and when it is in force, read from its own text.

The type is scored from the genre marks listed in `retrieval/lexicon.toml` (`[doctypes]`): a
template's placeholders ("[antal]", "____") and "Mall" in its title, a statute's "1 kap." and
"3 §", a decision's "§ 5" and "beslutar", an agreement's parties, term and signatures, a
guideline's "bör". Cues in the title count 2, cues in the text 1 each; the highest score wins,
and below 2 the document is "information". A template has every mark of the agreement it is a
form for, so a document with a template's marks (2 points or more) is a template.

The validity period is the first stated one ("gäller från och med 1 mars 2017 till och med 31
december 2019", "Avtalstid: 2024-01-01 – 2026-12-31", "träder i kraft den 1 juli 2025"); "tills
vidare" leaves the end open, and so does a term that renews itself unless notice is given
("förlängs det med ett år i taget"): the agreement may well still be in force.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.metadata import iso_date
from retrieval.lexicon import lexicon
from retrieval.types import DocType

# a date as documents write it: "1 mars 2017", "den 31 december 2019", "2024-01-01"
DATE = r"(?:\d{4}-\d\d-\d\d|\d{1,2}\s+[a-zåäö]+\s+\d{4})"
MIN_SCORE = 2  # one title cue, or two text cues
HEAD_CHARS = 4000  # validity is stated near the start of an agreement


@dataclass(frozen=True)
class Validity:
    """When a document says it applies; "" where it does not say."""

    valid_from: str = ""
    valid_to: str = ""


def doc_type(title: str, text: str) -> DocType:
    """The document's type by the genre marks in its title and text."""
    scores: dict[str, int] = {}
    for name, (title_cues, text_cues) in lexicon().doctypes.items():
        score = 2 * sum(bool(p.search(title)) for p in title_cues)
        for cue in text_cues:
            found = len(cue.findall(text))
            score += int(found >= (2 if name == "template" else 1))
        scores[name] = score
    if scores.get("template", 0) >= MIN_SCORE:
        return DocType.TEMPLATE
    best = max(scores, key=lambda n: scores[n])
    if scores[best] < MIN_SCORE:
        return DocType.INFORMATION
    return DocType[best.upper()]


@lru_cache(maxsize=1)
def validity_phrases() -> dict[str, re.Pattern[str]]:
    """The `[validity]` phrases of the lexicon compiled, DATE filled in (shared with
    ingest.terms, which reads validity ends and renewal sentence by sentence)."""
    return {k: re.compile(v.replace("DATE", DATE), re.IGNORECASE)
            for k, v in lexicon().validity.items()}  # fmt: skip


def validity(text: str) -> Validity:
    """The validity period stated in the first part of the text."""
    head = " ".join(text[:HEAD_CHARS].split())
    phrases = validity_phrases()
    renews = bool(phrases["renewal"].search(head))
    for key in ("from_to", "period"):
        if m := phrases[key].search(head):
            start, end = iso_date(m.group(1)), iso_date(m.group(2))
            if start and end and start <= end:
                # a term that renews itself ("förlängs med ett år i taget") has no known end
                return Validity(start, "" if renews else end)
    if m := phrases["from_only"].search(head):
        return Validity(iso_date(m.group(1)), "")
    return Validity()
