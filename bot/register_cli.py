"""`python -m bot deadlines` and `python -m bot obligations`: the register of the live index."""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from bot import texts
from bot.ics import dated_deadlines, deadline_calendar, in_calendar
from retrieval.parties import Parties
from retrieval.register import DEADLINE, NOTICE, RENEWAL, Deadline, Obligation, in_use
from retrieval.snapshot import Snapshot


@dataclass(frozen=True)
class Due:
    """A deadline resolved to the date it next falls on."""

    date: dt.date
    deadline: Deadline
    title: str

    def to_json(self) -> dict[str, object]:
        """The `--json` line: resolved date, kind, rule, party, what, working, citation."""
        return entry_json(self.deadline, self.title, self.date)


def entry_json(d: Deadline, title: str, date: dt.date | None) -> dict[str, object]:
    """One register entry as a `--json` line; `date` None for one without a known date.
    "working" shows how a date or rule was computed ("resolution" is its older name)."""
    return {
        "date": date.isoformat() if date else None,
        "kind": d.kind,
        "recurrence": d.recurrence,
        "rule": d.rule,
        "duration": d.duration,
        "precision": d.precision,
        "approximate": d.approximate,
        "party": d.party,
        "what": d.what,
        "document": d.doc_path,
        "title": title,
        "page": d.page,
        "quote": d.quote,
        "relative": d.relative,
        "working": d.resolution,
        "resolution": d.resolution,
    }


def due_between(
    snapshot: Snapshot, start: dt.date, end: dt.date, templates: bool = False
) -> list[Due]:
    """Deadlines falling in [start, end], yearly ones on each of their dates, by date."""
    out: list[Due] = []
    for deadline in in_use(snapshot.deadlines(), snapshot.documents, templates):
        title = _title(snapshot, deadline.doc_path)
        day = deadline.next_date(start)
        while day is not None and day <= end:
            if day >= start:
                out.append(Due(day, deadline, title))
            if not deadline.recurrence:
                break
            day = deadline.next_date(day + dt.timedelta(days=1))
    return sorted(out, key=lambda d: (d.date, d.deadline.doc_path, d.deadline.quote))


def undated(snapshot: Snapshot, today: dt.date, templates: bool = False) -> list[Deadline]:
    """Entries without a date to list: relative deadlines whose event is not dated, recurring
    duties whose rule names no month ("varje kvartal"), a notice period or renewal of an
    agreement whose end is not stated, a month or season without a year."""
    items = in_use(snapshot.deadlines(), snapshot.documents, templates)
    return [d for d in items if d.next_date(today) is None]


def obligations_of(
    snapshot: Snapshot, party: str = "", templates: bool = False
) -> list[Obligation]:
    """Obligations, only those of `party` (any spelling: "kommunerna", "KSL", full name)."""
    items = in_use(snapshot.obligations(), snapshot.documents, templates)
    if not party:
        return items
    wanted = Parties(snapshot.aliases()).normalise(party)
    return [o for o in items if o.party.lower() == wanted.lower()]


def _title(snapshot: Snapshot, doc_path: str) -> str:
    doc = snapshot.documents.get(doc_path)
    return doc.title if doc else doc_path


def render_due(due: Due) -> str:
    """One entry as two lines of text: date (a month or season as stated), party, what, what
    kind of date it is and the working; then the citation."""
    d = due.deadline
    when = d.approximate or due.date.isoformat()
    when += texts.YEARLY if d.recurrence and d.kind == DEADLINE else ""
    return f"{when}  {_line(d)}\n{_source(due.title, d)}"


def render_undated(title: str, d: Deadline) -> str:
    """An entry without a date: a relative deadline as "(relativ) tre månader från …", others
    by their kind and working."""
    if d.kind == DEADLINE:
        return f"{texts.RELATIVE} {d.relative}: {d.party or '–'}: {d.what}\n{_source(title, d)}"
    return f"{d.approximate or '–'}  {_line(d)}\n{_source(title, d)}"


def _line(d: Deadline) -> str:
    """Party, what, the kind's note and the working."""
    party = f"{d.party}: " if d.party else ""
    how = f" [{d.resolution}]" if d.resolution else ""
    return f"{party}{d.what}{kind_note(d)}{how}"


def kind_note(d: Deadline) -> str:
    """What kind of date an entry is, in parentheses ("" for a plain deadline):
    " (sista dag att säga upp, uppsägningstid 3 månader)", " (återkommande)"."""
    if d.kind == DEADLINE:
        return ""
    # a notice without a stated end has a period but no last day
    parts = [texts.KIND_NOTES.get(d.kind, d.kind)] if d.kind != NOTICE or d.date else []
    if d.kind == NOTICE and d.duration:
        parts.append(texts.NOTICE_PERIOD.format(period=texts.period_text(d.duration)))
    if d.kind == RENEWAL and d.duration:
        parts.append(texts.RENEWAL_PERIOD.format(period=texts.period_text(d.duration)))
    return f" ({', '.join(parts)})"


def render_obligation(snapshot: Snapshot, o: Obligation) -> str:
    """One obligation as two lines of text."""
    return f"{o.party} ({o.cue}): {o.text}\n{_source(_title(snapshot, o.doc_path), o)}"


def _source(title: str, item: Deadline | Obligation) -> str:
    """The citation line under an item: title, page, file and quote."""
    return f"    {title}, {texts.PAGE} {item.page} ({item.doc_path}) »{item.quote}«"


def print_deadlines(
    snapshot: Snapshot, today: dt.date, days: int, as_json: bool, templates: bool = False
) -> None:
    """The `deadlines` command's output: entries falling in the window by date, then those
    without a date (in JSON with "date": null)."""
    for due in due_between(snapshot, today, today + dt.timedelta(days=days), templates):
        print(json.dumps(due.to_json(), ensure_ascii=False) if as_json else render_due(due))
    for d in undated(snapshot, today, templates):
        title = _title(snapshot, d.doc_path)
        line = entry_json(d, title, None)
        print(json.dumps(line, ensure_ascii=False) if as_json else render_undated(title, d))


def write_calendar(snapshot: Snapshot, path: Path, templates: bool = False) -> int:
    """`deadlines --ics FILE`: the calendar file and one line saying what went where; 2 when
    the file cannot be written."""
    today = dt.date.today()
    try:
        path.write_bytes(deadline_calendar(snapshot, today, templates))
    except OSError as exc:
        print(f"error: cannot write the calendar to {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    deadlines = in_use(snapshot.deadlines(), snapshot.documents, templates)
    events = len(dated_deadlines(deadlines, today))
    left = sum(not in_calendar(d) for d in deadlines)
    print(f"wrote {events} events to {path} ({left} entries without a date left out)")
    return 0


def print_obligations(
    snapshot: Snapshot, party: str, as_json: bool, templates: bool = False
) -> None:
    """The `obligations` command's output."""
    for o in obligations_of(snapshot, party, templates):
        if as_json:
            title = _title(snapshot, o.doc_path)
            line = {**o.to_json(), "document": o.doc_path, "title": title, "date": None,
                    "recurrence": ""}  # fmt: skip
            print(json.dumps(line, ensure_ascii=False))
        else:
            print(render_obligation(snapshot, o))
