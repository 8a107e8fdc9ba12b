"""`python -m bot deadlines --ics FILE`: the register as an iCalendar file, parsed back."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from icalendar import Calendar, Event

from bot.cli import main
from bot.ics import deadlines_calendar, event_uid, in_calendar
from retrieval.index import open_current
from retrieval.register import (
    MONTH,
    RECURRING,
    VALIDITY_END,
    YEARLY,
    Deadline,
    in_use,
    rule_months,
)

TITLE = "Lokalt samverkansavtal mellan Täby kommun och Karolinska Institutet"
DATED = Deadline(
    doc_path="avtal/taby.pdf",
    page=2,
    section="4 Kombinationstjänst",
    quote="Kombinationstjänsten ska vara tillsatt senast den 1 september 2017.",
    what="Kombinationstjänsten ska vara tillsatt",
    party="Kommunen",
    date="2017-09-01",
)
YEARLY_DEADLINE = replace(
    DATED,
    page=4,
    quote="Kommunen lämnar sitt underlag till FoU Nordost senast den 31 januari.",
    what="Kommunen lämnar sitt underlag till FoU Nordost",
    date="",
    month_day="01-31",
    recurrence=YEARLY,
)
RELATIVE = replace(
    DATED,
    quote="Lärosätet ska betala fakturan inom 30 dagar från fakturadatum.",
    what="Lärosätet ska betala fakturan",
    party="Lärosätet",
    date="",
    relative="30 dagar från fakturadatum",
    event="fakturadatum",
)


def export(index: Path, path: Path, monkeypatch: pytest.MonkeyPatch) -> Calendar:
    """Run the real command on the index and parse the file it wrote."""
    monkeypatch.setenv("INDEX_DIR", str(index))
    monkeypatch.setenv("EMBEDDING_MODEL", "hash")
    assert main(["deadlines", "--ics", str(path)]) == 0
    return Calendar.from_ical(path.read_bytes())


def test_export_of_the_sample_corpus_parses_back(
    hash_index: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every entry with a date or rule is one all-day event with its reminder, citation and
    stable UID, a recurring duty with its own RRULE; a template's entries are left out."""
    snapshot = open_current(hash_index)
    everything, titles = snapshot.deadlines(), snapshot.documents
    deadlines = in_use(everything, titles)
    snapshot.close()
    of_templates = [d for d in everything if titles[d.doc_path].is_template]
    assert of_templates and not any(d in deadlines for d in of_templates)
    dated = [d for d in deadlines if in_calendar(d)]
    undated = [d for d in deadlines if not in_calendar(d)]
    assert dated and undated and any(d.recurrence == YEARLY for d in dated)
    assert any(d.kind == RECURRING and not rule_months(d.rule) for d in dated)

    calendar = export(hash_index, tmp_path / "a.ics", monkeypatch)
    out = capsys.readouterr().out
    assert out == (
        f"wrote {len(dated)} events to {tmp_path / 'a.ics'} "
        f"({len(undated)} entries without a date left out)\n"
    )
    assert calendar["VERSION"] == "2.0" and "samverkansbot" in calendar["PRODID"]
    events = calendar.events
    assert len(events) == len(dated)
    by_uid = {str(e.uid): e for e in events}
    assert not any(event_uid(d) in by_uid for d in of_templates if in_calendar(d))
    assert len(by_uid) == len(events)
    for deadline in dated:
        event = by_uid[event_uid(deadline)]
        assert type(event.start) is dt.date and event.end == event.start + dt.timedelta(days=1)
        assert isinstance(event.stamp, dt.datetime)
        rules = [rule.to_ical().decode() for rule in event.rrules]
        if deadline.rule:
            assert rules == [deadline.rule]
        else:
            assert rules == (["FREQ=YEARLY"] if deadline.recurrence == YEARLY else [])
        alarms = event.walk("VALARM")
        assert [(a["ACTION"], a.TRIGGER) for a in alarms] == [("DISPLAY", dt.timedelta(days=-7))]
        assert str(alarms[0]["DESCRIPTION"]).startswith(str(event["SUMMARY"]))
        description = str(event["DESCRIPTION"])
        assert titles[deadline.doc_path].title in description
        assert f"»{deadline.quote}«" in description and f"s. {deadline.page}" in description

    again = export(hash_index, tmp_path / "b.ics", monkeypatch)
    assert sorted(str(e.uid) for e in again.events) == sorted(by_uid)


def test_unwritable_file_is_a_one_line_error(
    hash_index: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A file that cannot be written exits 2 with one line naming it."""
    monkeypatch.setenv("INDEX_DIR", str(hash_index))
    monkeypatch.setenv("EMBEDDING_MODEL", "hash")
    target = tmp_path / "no-such-folder" / "frister.ics"
    assert main(["deadlines", "--ics", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(target) in err and err.startswith("error: ")
    assert not target.exists()


def test_text_listing_is_unchanged_without_ics(
    hash_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --ics the command lists deadlines as text and writes no file."""
    argv = ["deadlines", "--index", str(hash_index), "--today", "2017-01-20", "--days", "30"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "2017-01-31 (varje år)" in out and "(relativ)" in out and "wrote" not in out


def parse(calendar: Calendar) -> list[Event]:
    """The calendar's events after a round trip through its bytes."""
    return Calendar.from_ical(calendar.to_ical()).events


def test_hand_made_deadlines_become_events() -> None:
    """A dated and a yearly deadline become events; a relative one without a date does not."""
    stamp = dt.datetime(2026, 2, 1, 8, tzinfo=dt.UTC)
    calendar = deadlines_calendar(
        [DATED, YEARLY_DEADLINE, RELATIVE], {"avtal/taby.pdf": TITLE}, dt.date(2026, 2, 1), stamp
    )
    dated, yearly = parse(calendar)
    assert (dated.start, dated.end, dated.rrules) == (dt.date(2017, 9, 1), dt.date(2017, 9, 2), [])
    assert yearly.start == dt.date(2027, 1, 31)  # the next 31 January after 1 February 2026
    assert [r["FREQ"] for r in yearly.rrules] == [["YEARLY"]]
    assert dated.summary == "Kommunen: Kombinationstjänsten ska vara tillsatt"
    assert str(dated["DESCRIPTION"]) == (
        f"Källa: {TITLE}, 4 Kombinationstjänst, s. 2 (avtal/taby.pdf)\n»{DATED.quote}«"
    )
    assert "Återkommer varje år." in str(yearly["DESCRIPTION"])
    assert dated.stamp == stamp
    for event in (dated, yearly):
        (alarm,) = event.walk("VALARM")
        assert (alarm["ACTION"], alarm.TRIGGER) == ("DISPLAY", dt.timedelta(days=-7))
        assert str(alarm["DESCRIPTION"]) == f"{event.summary} (om en vecka)"


def test_uid_follows_the_deadline_not_its_page() -> None:
    """Same deadline, same UID; a changed date or sentence gives a new one; a moved page not."""
    uid = event_uid(DATED)
    assert uid.endswith("@samverkansbot") and uid == event_uid(replace(DATED))
    assert event_uid(replace(DATED, page=3, section="5 Kombinationstjänst")) == uid
    assert event_uid(replace(DATED, date="2017-10-01")) != uid
    assert event_uid(replace(DATED, quote=DATED.quote.replace("1 sep", "2 sep"))) != uid
    assert event_uid(replace(DATED, doc_path="avtal/annat.pdf")) != uid


def test_identical_deadlines_are_one_event() -> None:
    """The same deadline twice in the register is one event (a UID may occur only once)."""
    calendar = deadlines_calendar([DATED, DATED], {}, dt.date(2026, 2, 1))
    assert len(parse(calendar)) == 1


def test_29_february_falls_on_the_last_day_of_february() -> None:
    """A yearly 29 February recurs on the last day of February, not only in leap years."""
    leap = replace(YEARLY_DEADLINE, month_day="02-29")
    (event,) = parse(deadlines_calendar([leap], {}, dt.date(2027, 3, 1)))
    assert event.start == dt.date(2028, 2, 29)
    rule = event.rrules[0]
    assert (rule["FREQ"], rule["BYMONTH"], rule["BYMONTHDAY"]) == (["YEARLY"], [2], [-1])


def test_long_summary_is_cut_at_a_word() -> None:
    """A long task is shortened to 80 characters at a word, ending in an ellipsis."""
    what = "Lärosätet åtar sig att " + "ansvara för utbildningens innehåll, " * 5
    long = replace(DATED, what=what)
    (event,) = parse(deadlines_calendar([long], {}, dt.date(2026, 2, 1)))
    summary, full = str(event.summary), "Kommunen: " + " ".join(long.what.split())
    assert len(summary) <= 80 and summary.endswith("…")
    assert full.startswith(summary[:-1]) and full[len(summary) - 1] in " ,"


QUARTERLY = replace(
    DATED,
    quote="Kommunen rapporterar utfallet varje kvartal.",
    what="Kommunen rapporterar utfallet varje kvartal",
    date="",
    kind=RECURRING,
    rule="FREQ=MONTHLY;INTERVAL=3",
    resolution="varje kvartal -> RRULE:FREQ=MONTHLY;INTERVAL=3",
)
IN_JUNE = replace(
    DATED,
    quote="En utvärdering görs i juni 2027.",
    what="En utvärdering görs i juni 2027",
    date="2027-06-01",
    kind=MONTH,
    precision="month",
    approximate="2027-06",
)


def test_recurring_duty_is_an_event_with_its_rule() -> None:
    """ "varje kvartal" starts on the first day of the quarter holding today, every 3 months."""
    (event,) = parse(deadlines_calendar([QUARTERLY], {}, dt.date(2026, 5, 20)))
    assert event.start == dt.date(2026, 4, 1)
    assert [r.to_ical().decode() for r in event.rrules] == ["FREQ=MONTHLY;INTERVAL=3"]
    assert "FREQ=MONTHLY;INTERVAL=3" in str(event["DESCRIPTION"])


def test_month_is_an_all_day_event_on_its_first_day_with_its_precision() -> None:
    """ "i juni 2027" is an all-day event on 1 June 2027 saying the day is not stated."""
    (event,) = parse(deadlines_calendar([IN_JUNE], {}, dt.date(2026, 5, 20)))
    assert (event.start, event.end, event.rrules) == (dt.date(2027, 6, 1), dt.date(2027, 6, 2), [])
    assert str(event.summary).startswith("2027-06 (månad): Kommunen:")
    assert "Precision: månad" in str(event["DESCRIPTION"])


def test_a_deadlines_uid_does_not_change_with_kinds() -> None:
    """A plain deadline keeps the UID it had before entries had kinds; other kinds differ."""
    assert event_uid(DATED) == event_uid(replace(DATED, kind="deadline"))
    assert event_uid(replace(DATED, kind=VALIDITY_END)) != event_uid(DATED)
