"""Swedish date expressions in a sentence: ISO dates, "31 december 2016", "31/12 2016",
dates without a year ("den 15 mars", recurring yearly) and periods relative to an event
("inom tre månader från beslutet")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ingest.metadata import MONTHS
from retrieval.register import add_months, safe_date

NUMBERS = {
    "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7,
    "åtta": 8, "nio": 9, "tio": 10, "elva": 11, "tolv": 12, "fjorton": 14, "femton": 15,
    "tjugo": 20, "trettio": 30, "sextio": 60, "nittio": 90,
}  # fmt: skip
_MONTH = "|".join(MONTHS)
_DAY = r"(?:[1-9]|0[1-9]|[12]\d|3[01])"
_YEAR = r"(?:19|20)\d\d"
ABSOLUTE = re.compile(
    rf"\b(?P<iso>{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))\b"
    rf"|\b(?P<d1>{_DAY})(?::e|:a)?\s+(?P<month>{_MONTH})(?:\s+(?P<y1>{_YEAR}))?\b"
    rf"|\b(?P<d2>{_DAY})/(?P<m2>0?[1-9]|1[0-2])(?:(?:\s+|/|-)(?P<y2>{_YEAR}))?\b",
    re.IGNORECASE,
)
_NUM = r"\d{1,3}|" + "|".join(NUMBERS)
_UNIT = r"dagar|dag|veckor|vecka|månader|månad|år"
RELATIVE = re.compile(
    rf"\b(?P<n>{_NUM})\s+(?P<unit>{_UNIT})\s+(?P<dir>från|efter|före|innan)\s+"
    r"(?P<event>[\wåäöÅÄÖ-]+(?:\s+(?!(?:och|ska|skall|samt|men|eller)\b)[\wåäöÅÄÖ-]+){0,4})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMention:
    """A date expression and where it is in the sentence."""

    start: int
    end: int
    text: str
    date: str = ""  # ISO, when a year is given
    month_day: str = ""  # "MM-DD" when no year is given
    amount: int = 0  # relative: how many units
    unit: str = ""  # "dag" | "vecka" | "månad" | "år"
    direction: int = 0  # +1 after the event, -1 before it
    event: str = ""


def find_dates(sentence: str) -> list[DateMention]:
    """Absolute and relative date expressions in order; invalid dates (31/2) are left out."""
    found = [m for m in map(_absolute, ABSOLUTE.finditer(sentence)) if m is not None]
    found += [_relative(m) for m in RELATIVE.finditer(sentence)]
    return sorted(found, key=lambda d: d.start)


def _absolute(m: re.Match[str]) -> DateMention | None:
    if m.group("iso"):
        year, month, day = (int(p) for p in m.group("iso").split("-"))
        yearpart: str | None = str(year)
    elif m.group("month"):
        day, month, yearpart = int(m.group("d1")), MONTHS[m.group("month").lower()], m.group("y1")
    else:
        day, month, yearpart = int(m.group("d2")), int(m.group("m2")), m.group("y2")
    try:
        date = dt.date(int(yearpart) if yearpart else 2000, month, day)  # 2000: a leap year
    except ValueError:
        return None
    if yearpart:
        return DateMention(m.start(), m.end(), m.group(0), date=date.isoformat())
    return DateMention(m.start(), m.end(), m.group(0), month_day=f"{month:02d}-{day:02d}")


def _relative(m: re.Match[str]) -> DateMention:
    raw = m.group("n").lower()
    amount = int(raw) if raw.isdigit() else NUMBERS[raw]
    unit = m.group("unit").lower()
    base = "dag" if unit.startswith("dag") else "vecka" if unit.startswith("veck") else unit[:5]
    base = "månad" if base.startswith("månad") else base
    direction = -1 if m.group("dir").lower() in ("före", "innan") else 1
    event = _event_head(m.group("event"))
    return DateMention(
        m.start(),
        m.start("event") + len(event),
        m.group(0)[: m.start("event") - m.start()] + event,
        amount=amount,
        unit=base,
        direction=direction,
        event=event,
    )


EVENT_HEAD = re.compile(
    r"(?:et|en|na|ande|start|slut|datum|början|dag|period|terminen)$", re.IGNORECASE
)
EVENT_GOES_ON = frozenset({"gälla", "började", "börjar", "trätt", "träder", "har", "i"})


def _event_head(text: str) -> str:
    """The event's noun phrase: up to its first head noun ("avtalets undertecknande"), else
    the clause as far as the pattern reached, without the short function words it may end on
    ("att tjänsten har utförts av" -> "att tjänsten har utförts")."""
    words = text.split()
    for i, word in enumerate(words):
        following = words[i + 1].lower() if i + 1 < len(words) else ""
        if len(word) > 3 and EVENT_HEAD.search(word) and following not in EVENT_GOES_ON:
            return " ".join(words[: i + 1])
    while len(words) > 1 and len(words[-1]) <= 3 and words[-1].islower():
        words.pop()
    return " ".join(words)


def shift(start: dt.date, amount: int, unit: str, direction: int) -> dt.date:
    """`start` moved by `amount` units in `direction` (months and years by the calendar)."""
    n = amount * direction
    if unit == "dag":
        return start + dt.timedelta(days=n)
    if unit == "vecka":
        return start + dt.timedelta(weeks=n)
    if unit == "månad":
        return add_months(start, n)
    return safe_date(start.year + n, start.month, start.day)
