"""The register's deadlines as an RFC 5545 calendar file (.ics) for the staff's own calendars.

Named `ics` rather than `calendar` so that it can never shadow the standard library module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping

from icalendar import Alarm, Calendar, Event, vRecur

from retrieval.register import DEADLINE, PRECISION_WORDS, YEARLY, Deadline, in_use
from retrieval.snapshot import Snapshot

PRODID = "-//samverkansbot//Tidsgränser i samverkansavtalen//SV"
CALENDAR_NAME = "Tidsgränser i samverkansavtalen"
UID_DOMAIN = "samverkansbot"
REMINDER = dt.timedelta(days=-7)
SUMMARY_LENGTH = 80  # about what a calendar shows of a title on one line


def deadline_calendar(
    snapshot: Snapshot, today: dt.date, templates: bool = False, stamp: dt.datetime | None = None
) -> bytes:
    """The bytes of an .ics file of the snapshot's register (see `deadlines_calendar`);
    templates' deadlines only when `templates` asks for them."""
    titles = {path: doc.title for path, doc in snapshot.documents.items()}
    deadlines = in_use(snapshot.deadlines(), snapshot.documents, templates)
    return deadlines_calendar(deadlines, titles, today, stamp).to_ical()


def deadlines_calendar(
    deadlines: Iterable[Deadline],
    titles: Mapping[str, str],
    today: dt.date,
    stamp: dt.datetime | None = None,
) -> Calendar:
    """A calendar of every deadline with a known date; `titles` are the documents' by path.

    One all-day event per deadline: a fixed date on that day (past ones included), a yearly
    one from its next date on or after `today` with `RRULE:FREQ=YEARLY`, a recurring duty with
    its own RRULE, a month or season on its first day with the precision in the summary and
    the description; each with a display reminder a week before. Entries whose date is unknown
    are left out (see `dated_deadlines`). `stamp` (DTSTAMP, UTC) defaults to now.
    """
    stamp = stamp or dt.datetime.now(dt.UTC)
    calendar = Calendar.new(prodid=PRODID, name=CALENDAR_NAME, uid=f"tidsgranser@{UID_DOMAIN}")
    for start, deadline in dated_deadlines(deadlines, today):
        title = titles.get(deadline.doc_path, deadline.doc_path)
        calendar.add_component(deadline_event(deadline, start, title, stamp))
    return calendar


def in_calendar(deadline: Deadline) -> bool:
    """Whether an entry has a date or a rule to put in a calendar."""
    return bool(deadline.date or deadline.month_day or deadline.rule)


def dated_deadlines(
    deadlines: Iterable[Deadline], today: dt.date
) -> list[tuple[dt.date, Deadline]]:
    """(first date in the calendar, deadline) for those with a known date, in register order.

    Identical deadlines (same content in the same document) would share a UID, so each is kept
    once; a relative deadline without a resolved date, a notice or renewal of an agreement whose
    end is not stated and a month or season without a year have no date and are left out.
    A recurring duty whose rule names no month starts on the first day of its period that holds
    `today` (see `rule_start`).
    """
    unique = {event_uid(d): d for d in deadlines if in_calendar(d)}
    dated = [(d.next_date(today) or rule_start(d.rule, today), d) for d in unique.values()]
    return [(start, d) for start, d in dated if start is not None]


def rule_start(rule: str, today: dt.date) -> dt.date | None:
    """Where a recurring rule without a stated day starts: the first day of the year, half
    year, quarter or month that holds `today` by its frequency and interval, a weekly one on
    its weekday on or after `today` (or the week's Monday); None without a rule."""
    parts = dict(p.partition("=")[::2] for p in rule.split(";") if p)
    freq, interval = parts.get("FREQ", ""), int(parts.get("INTERVAL", "1") or 1)
    if freq == "YEARLY":
        return dt.date(today.year, 1, 1)
    if freq == "MONTHLY":
        month = (today.month - 1) // interval * interval + 1 if interval in (2, 3, 4, 6) else 0
        return dt.date(today.year, month or today.month, 1)
    if freq == "WEEKLY":
        days = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
        day = parts.get("BYDAY", "")
        if day in days:
            return today + dt.timedelta(days=(days.index(day) - today.weekday()) % 7)
        return today - dt.timedelta(days=today.weekday())
    return None


def deadline_event(deadline: Deadline, start: dt.date, title: str, stamp: dt.datetime) -> Event:
    """One all-day VEVENT on `start`, yearly when the deadline recurs, with its reminder."""
    summary = event_summary(deadline)
    event = Event.new(
        uid=event_uid(deadline),
        stamp=stamp,
        start=start,
        end=start + dt.timedelta(days=1),
        summary=summary,
        description=event_description(deadline, title),
    )
    if deadline.rule:
        event.add("RRULE", vRecur.from_ical(deadline.rule))
    elif deadline.recurrence == YEARLY:
        event.add("RRULE", yearly_rule(deadline))
    event.add_component(Alarm.new_display(description=f"{summary} (om en vecka)", trigger=REMINDER))
    return event


def event_uid(deadline: Deadline) -> str:
    """A UID that stays the same while the deadline's document, sentence, party, task and date do.

    Page and section are left out: a page break moved by an edit elsewhere in the document does
    not make it another deadline (which calendars would show twice).
    """
    content = [deadline.doc_path, deadline.quote, deadline.what, deadline.party]
    content += [deadline.date, deadline.month_day, deadline.relative]
    if deadline.kind != DEADLINE:  # a deadline's UID stays what it was before kinds existed
        content += [deadline.kind, deadline.rule, deadline.approximate]
    digest = hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8"))
    return f"{digest.hexdigest()[:32]}@{UID_DOMAIN}"


def yearly_rule(deadline: Deadline) -> vRecur:
    """FREQ=YEARLY; the last day of February for 29 February, which other years do not have."""
    if deadline.month_day == "02-29":  # a plain yearly rule would skip three years in four
        return vRecur(FREQ="YEARLY", BYMONTH=2, BYMONTHDAY=-1)
    return vRecur(FREQ="YEARLY")


def event_summary(deadline: Deadline) -> str:
    """The party that must act and what is due, shortened at a word to fit a calendar line."""
    what = " ".join(deadline.what.split()) or "Tidsgräns enligt avtalet"
    text = f"{deadline.party}: {what}" if deadline.party else what
    if deadline.precision:  # "2027-06 (månad): …": the day is not stated
        text = f"{deadline.approximate} ({PRECISION_WORDS[deadline.precision]}): {text}"
    if len(text) <= SUMMARY_LENGTH:
        return text
    return text[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def event_description(deadline: Deadline, title: str) -> str:
    """The citation: document title, section, page and file, then the quoted sentence."""
    section = deadline.section if deadline.section != title else ""
    where = ", ".join(p for p in (title, section, f"s. {deadline.page}") if p)
    lines = [f"Källa: {where} ({deadline.doc_path})", f"»{deadline.quote}«"]
    if deadline.rule:
        lines.append(f"Återkommer enligt avtalet ({deadline.rule}); dagen anges inte i texten.")
    elif deadline.recurrence == YEARLY:
        lines.append("Återkommer varje år.")
    if deadline.precision:
        lines.append(f"Precision: {PRECISION_WORDS[deadline.precision]} – dagen anges inte; "
                     "händelsen ligger på periodens första dag.")  # fmt: skip
    if deadline.resolution:
        lines.append(f"Beräknat: {deadline.resolution}")
    return "\n".join(lines)
