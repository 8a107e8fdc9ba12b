"""Deadlines and obligations found in the documents, as stored with each index version."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TypeVar

from retrieval.types import DocumentMeta

YEARLY = "yearly"
# what an entry is: the kinds of dates a contract manager tracks
DEADLINE = "deadline"  # a calendar day by which something is due ("senast den 15 mars")
VALIDITY_END = "validity_end"  # the last day an agreement or plan is in force
NOTICE = "notice"  # a notice period; `date` the last day to give notice when the end is known
RENEWAL = "renewal"  # the term renews itself unless notice is given
RECURRING = "recurring"  # a duty repeated by period ("varje kvartal"), `rule` an RRULE
MONTH = "month"  # a month without a day ("i juni 2027"), `date` its first day
SEASON = "season"  # a season or half year ("under hösten 2025"), `date` its first day
KINDS = (DEADLINE, VALIDITY_END, NOTICE, RENEWAL, RECURRING, MONTH, SEASON)
# the precision of a month or season entry, as the working and the calendar name it
# RFC 5545 weekday codes, Monday first as Python counts days (BYDAY of a recurring rule)
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PRECISION_WORDS = {"month": "månad", "season": "årstid", "half": "halvår"}


@dataclass(frozen=True)
class Deadline:
    """A date by which a party must do something, with the sentence it comes from.

    Exactly one of `date` (ISO), `month_day` ("MM-DD", recurring yearly) or `relative`
    ("tre månader från beslutet") says when; a relative deadline whose event date is known
    from the document also has `date` and `resolution` showing how it was computed.

    `kind` says what the entry is (see KINDS). A notice or renewal entry has its `duration`
    (ISO 8601, "P3M"), a notice's `date` is the last day to give notice when the agreement's
    end is known; a recurring one has its `rule` (RRULE, "FREQ=YEARLY;BYMONTH=2,8") and no
    date unless the rule names its months; a month or season entry has its first day as `date`
    and keeps what was said in `approximate` ("2027-06", "--06", "2025-host", "2023-H1") with
    its `precision` ("month", "season", "half"). `resolution` shows the working for each kind
    that is computed. The fields after `resolution` came later: versions written before them
    read as deadlines with no rule.
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
    kind: str = DEADLINE
    rule: str = ""  # RRULE of a recurring entry, without "RRULE:"
    duration: str = ""  # ISO 8601 period of a notice or renewal ("P3M", "P1Y")
    precision: str = ""  # "" (a day), "month", "season" or "half"
    approximate: str = ""  # a month or season as stated: "2027-06", "--06", "2025-host"

    def next_date(self, today: dt.date) -> dt.date | None:
        """The deadline's date on or after `today` for yearly ones, the fixed date otherwise;
        a recurring entry whose rule names months falls on the first of the next such month,
        one without months has no date (its day is not stated)."""
        if self.date:
            return dt.date.fromisoformat(self.date)
        if self.month_day:
            month, day = (int(p) for p in self.month_day.split("-"))
            this_year = safe_date(today.year, month, day)
            return this_year if this_year >= today else safe_date(today.year + 1, month, day)
        months = rule_months(self.rule)
        if months and "INTERVAL" not in self.rule:
            first = dt.date(today.year, today.month, 1)
            starts = (add_months(first, n) for n in range(13))
            return next(d for d in starts if d >= today and d.month in months)
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


def rule_months(rule: str) -> tuple[int, ...]:
    """The months an RRULE names ("FREQ=YEARLY;BYMONTH=2,8" -> (2, 8)), () when none."""
    for part in rule.split(";"):
        name, _, value = part.partition("=")
        if name == "BYMONTH" and value:
            return tuple(int(v) for v in value.split(","))
    return ()


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
