"""Swedish date expressions: absolute, yearly, relative, and calendar arithmetic."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from ingest.dates import find_dates, shift
from ingest.metadata import MONTHS
from retrieval.register import Deadline, add_months

MONTH_NAMES = {number: name for name, number in MONTHS.items()}


def test_iso_text_and_slash_dates() -> None:
    """ISO, "31 december 2016" and "den 31/12 2016" all give 2016-12-31."""
    for text in ("senast 2016-12-31", "senast den 31 december 2016", "senast den 31/12 2016"):
        assert [d.date for d in find_dates(text)] == ["2016-12-31"], text


def test_dates_without_year_are_month_days() -> None:
    """Two dates without a year in one sentence give two month-days."""
    found = find_dates("senast den 15 mars respektive den 15 september")
    assert [d.month_day for d in found] == ["03-15", "09-15"]


def test_relative_period_keeps_amount_unit_and_event() -> None:
    """ "inom tre månader från beslutet" is 3 months after the event "beslutet"."""
    (found,) = find_dates("Inom tre månader från beslutet ska kommunen svara.")
    assert (found.amount, found.unit, found.direction, found.event) == (3, "månad", 1, "beslutet")


def test_impossible_dates_are_ignored() -> None:
    """31 februari is not a date."""
    assert find_dates("senast den 31 februari 2017") == []


def test_month_arithmetic_clamps_to_month_end() -> None:
    """One month after 31 January is the last day of February; weeks count days."""
    assert add_months(dt.date(2017, 1, 31), 1) == dt.date(2017, 2, 28)
    assert shift(dt.date(2016, 12, 14), 3, "månad", 1) == dt.date(2017, 3, 14)
    assert shift(dt.date(2017, 3, 1), 4, "vecka", -1) == dt.date(2017, 2, 1)


def test_yearly_deadline_resolves_to_next_occurrence() -> None:
    """A yearly 15 March falls this year before it, next year after it."""
    d = Deadline("a", 1, "", "q", "w", "Kommunen", month_day="03-15", recurrence="yearly")
    assert d.next_date(dt.date(2017, 3, 15)) == dt.date(2017, 3, 15)
    assert d.next_date(dt.date(2017, 3, 16)) == dt.date(2018, 3, 15)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_date_parses_back_in_each_form(day: dt.date) -> None:
    """Any date written as ISO, with the month name or as d/m yyyy is read back exactly."""
    forms = (
        day.isoformat(),
        f"{day.day} {MONTH_NAMES[day.month]} {day.year}",
        f"{day.day}/{day.month} {day.year}",
    )
    for form in forms:
        assert [d.date for d in find_dates(f"senast den {form}.")] == [day.isoformat()], form
