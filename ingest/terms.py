"""The dates a contract manager tracks beyond "senast den …", read from a document's sentences.

- the end of a validity period ("gäller till och med 2026-12-31", "avtalsperioden 2018–2021"),
- a notice period and, when the end is known, the last day to give notice derived from it
  ("uppsägningstid tre månader" with that end -> säg upp senast 2026-09-30),
- a term that renews itself ("förlängs automatiskt med ett år i sänder"),
- a duty repeated by period ("varje kvartal", "en gång per termin", "i februari och augusti",
  "vart tredje år") as a recurring entry with its RRULE,
- a month or a season without a day ("i juni 2027", "under hösten"), with its precision kept.

Every phrase is data in `retrieval/lexicon.toml` (`[terms]`, and `[validity]` shared with
ingest.doctype); each entry keeps its sentence as the citation and its working in `resolution`.
A month or season said in the past tense ("Hösten 2024 bytte utredningen namn") is history, not
something to act on; one where something starts ("från och med hösten") is not tracked, as
validity starts are not.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from ingest.dates import NUMBERS, find_dates
from ingest.doctype import DATE, validity_phrases
from ingest.metadata import MONTHS, iso_date
from retrieval.lexicon import fill, lexicon
from retrieval.register import (
    MONTH,
    NOTICE,
    PRECISION_WORDS,
    RECURRING,
    RENEWAL,
    SEASON,
    VALIDITY_END,
    WEEKDAY_CODES,
    YEARLY,
    Deadline,
    add_months,
)
from retrieval.types import Chunk

_NUM = r"\d{1,3}|" + "|".join(sorted(NUMBERS, key=len, reverse=True))
_YEAR = r"(?:19|20)\d\d"
_MONTH = "|".join(MONTHS)
ISO_UNIT = {"dag": "D", "vec": "W", "mån": "M", "år": "Y"}
WHAT_LENGTH = 160  # characters of the sentence kept as what the entry is about


@dataclass(frozen=True)
class Phrases:
    """The `[terms]` lexicon compiled: each pattern's first group is what it reads."""

    until: tuple[re.Pattern[str], ...]
    until_year: re.Pattern[str]
    year_range: re.Pattern[str]
    notice: tuple[re.Pattern[str], ...]
    renewal: re.Pattern[str]
    renewal_period: re.Pattern[str]
    season: re.Pattern[str]
    month: re.Pattern[str]
    vague_lead: re.Pattern[str]
    start_lead: re.Pattern[str]
    past: re.Pattern[str]
    future: re.Pattern[str]
    recurrence: tuple[tuple[re.Pattern[str], str], ...]
    raw: dict[str, Any]


def _compile(pattern: str, raw: dict[str, Any]) -> re.Pattern[str]:
    ordinals = "|".join(raw["ordinals"])
    weekdays = "|".join(raw["weekdays"])
    # the lexicon's time units that an ISO period can hold ("månader", "veckor", not "termin")
    units = [u for u in lexicon().time_units if u[:3] in ISO_UNIT]
    unit = "(?:" + "|".join(units) + ")s?"
    marks = {"DATE": DATE, "NUM": _NUM, "UNIT": unit, "YEAR": _YEAR, "MONTH": _MONTH,
             "ORDINAL": ordinals, "WEEKDAY": weekdays}  # fmt: skip
    return re.compile(fill(pattern, marks), re.IGNORECASE)


@lru_cache(maxsize=1)
def phrases() -> Phrases:
    """The compiled phrases, once per process."""
    raw = lexicon().terms
    seasons = "|".join(sorted(map(re.escape, raw["season_words"]), key=len, reverse=True))
    return Phrases(
        until=tuple(_compile(p, raw) for p in raw["until"]),
        until_year=_compile(raw["until_year"], raw),
        year_range=_compile(raw["year_range"], raw),
        notice=tuple(_compile(p, raw) for p in raw["notice"]),
        renewal=validity_phrases()["renewal"],
        renewal_period=_compile(raw["renewal_period"], raw),
        season=_compile(rf"\b({seasons})\b(?:\s+({_YEAR})\b)?", raw),
        month=_compile(rf"(?<!\d)(?<!\d\s)(?<!\d\.\s)\b({_MONTH})\b(?:\s+({_YEAR})\b)?", raw),
        vague_lead=_compile(raw["vague_lead"], raw),
        start_lead=_compile(raw["start_lead"], raw),
        past=_compile(raw["past"], raw),
        future=_compile(raw["future"], raw),
        recurrence=tuple((_compile(r["pattern"], raw), r["rule"]) for r in raw["recurrence"]),
        raw=raw,
    )


@dataclass(frozen=True)
class Said:
    """One sentence and where it comes from."""

    sentence: str
    chunk: Chunk


def document_terms(
    sentences: Iterable[tuple[str, Chunk]], party_of: Callable[[str], str]
) -> list[Deadline]:
    """Validity ends, notice, renewal, recurring duties, months and seasons of one document,
    in sentence order; `party_of` names the party a sentence makes act ("" for none)."""
    said = [Said(s, c) for s, c in sentences if not s.rstrip().endswith("?")]
    ends = [(s, end, how) for s in said for end, how in validity_ends(s.sentence)]
    # notice is counted from a stated last day before a range of years ("2018–2021")
    end = next((d for _, d, how in ends if not how), ends[0][1] if ends else "")
    renews = any(phrases().renewal.search(s.sentence) for s in said)
    out: list[Deadline] = []
    for s in said:
        base = Deadline(
            s.chunk.doc_path, s.chunk.page, s.chunk.section, s.sentence,
            _what(s.sentence), party_of(s.sentence),
        )  # fmt: skip
        out += [replace(base, kind=VALIDITY_END, date=d, resolution=how)
                for x, d, how in ends if x is s]  # fmt: skip
        out += notices(s.sentence, base, end, renews)
        out += renewals(s.sentence, base, end)
        repeated = recurring(s.sentence, base)
        out += repeated
        # a month already in a recurring rule ("varje år i mars") is not a month of its own
        out += [d for d in vague_dates(s.sentence, base)
                if not (repeated and d.kind == MONTH and not d.date)]  # fmt: skip
    return out


def validity_ends(sentence: str) -> list[tuple[str, str]]:
    """(ISO last day, working) of each period end the sentence states."""
    text = " ".join(sentence.split())
    p = phrases()
    for pattern in (validity_phrases()["from_to"], validity_phrases()["period"], *p.until):
        if m := pattern.search(text):
            end = iso_date(m.group(m.lastindex or 1))
            if end:
                return [(end, "")]
    if m := p.until_year.search(text):
        return [(f"{m.group(1)}-12-31", f"{m.group(0)} -> {m.group(1)}-12-31")]
    if m := p.year_range.search(text):
        first, last = int(m.group(1)), int(m.group(2))
        if first <= last <= first + 20:  # a span of years, not two unrelated years
            return [(f"{last}-12-31", f"{m.group(1)}–{m.group(2)} -> {last}-12-31")]
    return []


def duration(number: str, unit: str) -> str:
    """ "tre", "månader" -> "P3M"."""
    amount = int(number) if number.isdigit() else NUMBERS[number.lower()]
    return f"P{amount}{ISO_UNIT[unit.lower().rstrip('s')[:3]]}"  # "års", "månaders"


def notices(sentence: str, base: Deadline, end: str, renews: bool) -> list[Deadline]:
    """A notice period; with the agreement's end known, its last day to give notice."""
    text = " ".join(sentence.split())
    for pattern in phrases().notice:
        if m := pattern.search(text):
            period = duration(m.group(1), m.group(2))
            if not end:
                return [replace(base, kind=NOTICE, duration=period)]
            last = _minus(dt.date.fromisoformat(end), period)
            how = f"avtalet gäller till och med {end}; »{m.group(0)}«: {end} − {period}"
            how += f" -> säg upp senast {last.isoformat()}"
            how += " (annars förlängs avtalet)" if renews else ""
            return [replace(base, kind=NOTICE, duration=period, date=last.isoformat(),
                            resolution=how)]  # fmt: skip
    return []


def _minus(day: dt.date, period: str) -> dt.date:
    """`day` moved back by an ISO period of one unit ("P3M")."""
    amount, unit = int(period[1:-1]), period[-1]
    if unit == "M":
        return add_months(day, -amount)
    if unit == "Y":
        return add_months(day, -12 * amount)
    return day - dt.timedelta(days=amount * (7 if unit == "W" else 1))


def renewals(sentence: str, base: Deadline, end: str) -> list[Deadline]:
    """A term that renews itself, with the period it runs on by when stated."""
    text = " ".join(sentence.split())
    if not phrases().renewal.search(text):
        return []
    m = phrases().renewal_period.search(text)
    period = duration(m.group(1), m.group(2)) if m else ""
    how = f"förlängs efter {end} om ingen säger upp avtalet" if end else ""
    return [replace(base, kind=RENEWAL, duration=period, date=end, resolution=how)]


def recurring(sentence: str, base: Deadline) -> list[Deadline]:
    """A duty repeated by period: the first phrase that says how often, or two or more months
    without a year ("i februari och augusti"), as an RRULE."""
    text = " ".join(sentence.split())
    months = _yearless_months(text)
    yearly_day = any(d.month_day for d in find_dates(text))
    for pattern, rule in phrases().recurrence:
        if m := pattern.search(text):
            said = m.group(0)
            rule = _fill_rule(rule, next((g for g in m.groups() if g), ""))
            if rule == "FREQ=YEARLY" and yearly_day:
                return []  # "senast den 1 december varje år": the yearly deadline says it all
            if rule == "FREQ=YEARLY" and months:
                rule += ";BYMONTH=" + ",".join(str(n) for n in months)
            return [_recurring(base, rule, said)]
    if len(months) >= 2:
        said = ", ".join(name for name, n in MONTHS.items() if n in months)
        return [_recurring(base, "FREQ=YEARLY;BYMONTH=" + ",".join(map(str, months)), said)]
    return []


def _recurring(base: Deadline, rule: str, said: str) -> Deadline:
    yearly = YEARLY if "BYMONTH" in rule and "INTERVAL" not in rule else ""
    return replace(base, kind=RECURRING, rule=rule, recurrence=yearly,
                   resolution=f"{said} -> RRULE:{rule}")  # fmt: skip


def _fill_rule(rule: str, word: str) -> str:
    """N of "vart tredje år" and D of "på torsdagar" filled in from the phrase's word."""
    raw = phrases().raw
    if "INTERVAL=N" in rule:
        return rule.replace("INTERVAL=N", f"INTERVAL={raw['ordinals'].get(word.lower(), 2)}")
    if "BYDAY=D" in rule:
        day = WEEKDAY_CODES[raw["weekdays"].index(word.lower())]
        return rule.replace("BYDAY=D", f"BYDAY={day}")
    return rule


def _yearless_months(text: str) -> list[int]:
    """Months named without a year or day where they say when ("i februari och augusti")."""
    out: list[int] = []
    for m in phrases().month.finditer(text):
        if m.group(2) or not _named_as_time(text, m.start(), out):
            continue
        number = MONTHS[m.group(1).lower()]
        if number not in out:
            out.append(number)
    return out


def _named_as_time(text: str, start: int, earlier: list[int]) -> bool:
    """A month with a lead such as "i", or one listed after such a month ("och augusti")."""
    before = text[:start]
    if phrases().vague_lead.search(before):
        return True
    return bool(earlier) and bool(re.search(r"(?:,|\boch|\bsamt|\brespektive)\s+$", before))


def vague_dates(sentence: str, base: Deadline) -> list[Deadline]:
    """Months said as a time ("i juni 2027", a single "under mars" without a year) and
    seasons ("under hösten 2025", "första halvåret 2023"), unless the sentence tells of the
    past; one without a year is left out beside a day ("senast den 1 maj för byte inför
    höstterminen"): the day says when, the season only what it is for."""
    text = " ".join(sentence.split())
    p = phrases()
    if p.past.search(text) and not p.future.search(text):
        return []
    has_day = any(d.date or d.month_day for d in find_dates(text))
    out: list[Deadline] = []
    yearless = _yearless_months(text)
    for m in p.month.finditer(text):
        before = text[: m.start()]
        if p.start_lead.search(before) or (not m.group(2) and (len(yearless) != 1 or has_day)):
            continue
        if not p.vague_lead.search(before):
            continue
        month = MONTHS[m.group(1).lower()]
        year = m.group(2) or ""
        value = f"{year}-{month:02d}" if year else f"--{month:02d}"
        first = f"{year}-{month:02d}-01" if year else ""
        out.append(_vague(base, MONTH, "month", value, first, m.group(0)))
    for m in p.season.finditer(text):
        before = text[: m.start()]
        if p.start_lead.search(before) or (
            not m.group(2) and (has_day or not p.vague_lead.search(before))
        ):
            continue
        code = p.raw["season_words"][m.group(1).lower()]
        year = m.group(2) or ""
        first = f"{year}-{p.raw['season_start'][code]:02d}-01" if year else ""
        precision = "half" if code.startswith("H") else "season"
        value = f"{year}-{code}" if year else f"--{code}"
        out.append(_vague(base, SEASON, precision, value, first, m.group(0)))
    return out


def _vague(
    base: Deadline, kind: str, precision: str, value: str, first: str, said: str
) -> Deadline:
    """A month or season entry, the phrase and its precision shown as the working."""
    how = f"{said} -> {value} ({PRECISION_WORDS[precision]}, dagen anges inte)"
    return replace(base, kind=kind, precision=precision, approximate=value, date=first,
                   resolution=how)  # fmt: skip


def _what(sentence: str) -> str:
    """The sentence on one line, shortened at a word."""
    text = " ".join(sentence.split()).strip(" ,.;:•-")
    if len(text) <= WHAT_LENGTH:
        return text
    return text[: WHAT_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
