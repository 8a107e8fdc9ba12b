"""Deadlines and obligations found in the documents, as stored with each index version."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TypeVar

from retrieval.types import DocumentMeta

YEARLY = "yearly"


@dataclass(frozen=True)
class Deadline:
    """A date by which a party must do something, with the sentence it comes from.

    Exactly one of `date` (ISO), `month_day` ("MM-DD", recurring yearly) or `relative`
    ("tre månader från beslutet") says when; a relative deadline whose event date is known
    from the document also has `date` and `resolution` showing how it was computed.
    """

    doc_path: str
    page: int
    section: str
    quote: str  # the sentence, as written
    what: str  # what is due (the clause without the date)
    party: str  # normalised party that must act ("Kommunen", "KSL"), "" when none is named
    date: str = ""
    month_day: str = ""
    recurrence: str = ""  # "yearly" for month_day deadlines, else ""
    relative: str = ""
    event: str = ""
    resolution: str = ""  # "tre månader från beslutet 2016-12-14 -> 2017-03-14"

    def next_date(self, today: dt.date) -> dt.date | None:
        """The deadline's date on or after `today` for yearly ones, the fixed date otherwise."""
        if self.date:
            return dt.date.fromisoformat(self.date)
        if self.month_day:
            month, day = (int(p) for p in self.month_day.split("-"))
            this_year = safe_date(today.year, month, day)
            return this_year if this_year >= today else safe_date(today.year + 1, month, day)
        return None

    def to_json(self) -> dict[str, object]:
        """Plain fields for JSON output."""
        return asdict(self)


@dataclass(frozen=True)
class Obligation:
    """A sentence that commits a party (`ska`, `åtar sig`, `ansvarar för` ...)."""

    doc_path: str
    page: int
    section: str
    quote: str
    party: str  # normalised
    cue: str  # the words that make it binding ("åtar sig")
    text: str  # what the party commits to

    def to_json(self) -> dict[str, object]:
        """Plain fields for JSON output."""
        return asdict(self)


@dataclass(frozen=True)
class Register:
    """Everything extracted from one index version, written and published with it."""

    deadlines: tuple[Deadline, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()  # (full name, abbreviation) learned from the text


def safe_date(year: int, month: int, day: int) -> dt.date:
    """The date, with the day clamped to the month's length (29 February in other years)."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def add_months(start: dt.date, months: int) -> dt.date:
    """`start` moved by whole months (negative goes back), clamped to the month's last day."""
    index = start.year * 12 + start.month - 1 + months
    return safe_date(index // 12, index % 12 + 1, start.day)


RegisterItem = TypeVar("RegisterItem", "Deadline", "Obligation")


def in_use(
    items: Sequence[RegisterItem], documents: Mapping[str, DocumentMeta], templates: bool = False
) -> list[RegisterItem]:
    """The items, without those of templates (a template's "[antal] platser" binds nobody)
    unless `templates` asks for them too."""
    return [
        i
        for i in items
        if templates or not (i.doc_path in documents and documents[i.doc_path].is_template)
    ]
