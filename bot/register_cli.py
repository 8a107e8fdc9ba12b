"""`python -m bot deadlines` and `python -m bot obligations`: the register of the live index."""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from bot import texts
from bot.ics import dated_deadlines, deadline_calendar
from retrieval.parties import Parties
from retrieval.register import Deadline, Obligation, in_use
from retrieval.snapshot import Snapshot


@dataclass(frozen=True)
class Due:
    """A deadline resolved to the date it next falls on."""

    date: dt.date
    deadline: Deadline
    title: str

    def to_json(self) -> dict[str, object]:
        """The `--json` line: resolved date, recurrence, party, what, citation."""
        d = self.deadline
        return {
            "date": self.date.isoformat(),
            "recurrence": d.recurrence,
            "party": d.party,
            "what": d.what,
            "document": d.doc_path,
            "title": self.title,
            "page": d.page,
            "quote": d.quote,
            "relative": d.relative,
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


def relative_deadlines(snapshot: Snapshot, templates: bool = False) -> list[Deadline]:
    """Deadlines relative to an event whose date the documents do not give."""
    items = in_use(snapshot.deadlines(), snapshot.documents, templates)
    return [d for d in items if d.relative and not d.date]


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
    """One deadline as two lines of text: date, party, what; then the citation."""
    d = due.deadline
    when = due.date.isoformat() + (texts.YEARLY if d.recurrence else "")
    party = f"{d.party}: " if d.party else ""
    how = f" [{d.resolution}]" if d.resolution else ""
    return f"{when}  {party}{d.what}{how}\n{_source(due.title, d)}"


def render_obligation(snapshot: Snapshot, o: Obligation) -> str:
    """One obligation as two lines of text."""
    return f"{o.party} ({o.cue}): {o.text}\n{_source(_title(snapshot, o.doc_path), o)}"


def _source(title: str, item: Deadline | Obligation) -> str:
    """The citation line under an item: title, page, file and quote."""
    return f"    {title}, {texts.PAGE} {item.page} ({item.doc_path}) »{item.quote}«"


def print_deadlines(
    snapshot: Snapshot, today: dt.date, days: int, as_json: bool, templates: bool = False
) -> None:
    """The `deadlines` command's output."""
    for due in due_between(snapshot, today, today + dt.timedelta(days=days), templates):
        print(json.dumps(due.to_json(), ensure_ascii=False) if as_json else render_due(due))
    if as_json:
        return  # relative deadlines have no date to list
    for d in relative_deadlines(snapshot, templates):
        print(f"{texts.RELATIVE} {d.relative}: {d.party or '–'}: {d.what}")
        print(_source(_title(snapshot, d.doc_path), d))


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
    undated = len(relative_deadlines(snapshot, templates))
    print(f"wrote {events} events to {path} ({undated} relative deadlines without a date left out)")
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
