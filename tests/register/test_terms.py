"""Validity ends, notice, renewal, recurring duties, months and seasons (ingest.terms)."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from ingest.register import extract_register
from ingest.terms import document_terms
from retrieval.index import current_version, open_current
from retrieval.register import (
    DEADLINE,
    MONTH,
    NOTICE,
    RECURRING,
    RENEWAL,
    SEASON,
    VALIDITY_END,
    Deadline,
    in_use,
)
from retrieval.types import Chunk, DocumentMeta

NEW_COLUMNS = ("kind", "rule", "duration", "precision", "approximate")


def terms(*sentences: str) -> list[Deadline]:
    """The entries of a document made of these sentences."""
    said = [(s, Chunk("avtal.txt", s, 1)) for s in sentences]
    return document_terms(said, lambda s: "")


def one(sentence: str) -> Deadline:
    """The single entry of one sentence."""
    (entry,) = terms(sentence)
    return entry


def test_notice_day_is_derived_from_the_validity_end_with_its_working() -> None:
    """The issue's example: valid to 2026-12-31, three months' notice -> 2026-09-30."""
    end, notice = terms(
        "Avtalet gäller från och med 1 januari 2025 till och med 2026-12-31.",
        "Uppsägningstiden är tre månader.",
    )
    assert (end.kind, end.date) == (VALIDITY_END, "2026-12-31")
    assert (notice.kind, notice.duration, notice.date) == (NOTICE, "P3M", "2026-09-30")
    assert "2026-12-31" in notice.resolution and "säg upp senast 2026-09-30" in notice.resolution
    assert notice.quote == "Uppsägningstiden är tre månader."


def test_notice_without_a_stated_end_keeps_its_period_only() -> None:
    """Without an end date the notice period is kept and no day is invented."""
    notice = one("Avtalet kan sägas upp med sex månaders uppsägningstid.")
    assert (notice.kind, notice.duration, notice.date) == (NOTICE, "P6M", "")


def test_notice_in_a_genitive_of_years_is_a_period_of_years() -> None:
    """ "med ett års uppsägningstid" is P1Y, counted back a year from the stated end."""
    _, notice = terms(
        "Avtalsperioden är 2024-01-01 – 2026-12-31.",
        "Vardera parten kan säga upp avtalet med ett års uppsägningstid.",
    )
    assert (notice.duration, notice.date) == ("P1Y", "2025-12-31")


def test_automatic_renewal_keeps_its_period() -> None:
    """ "förlängs automatiskt med ett år i sänder" is a renewal of one year."""
    renewal = one("Därefter förlängs avtalet automatiskt med ett år i sänder.")
    assert (renewal.kind, renewal.duration) == (RENEWAL, "P1Y")


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("Kommunen rapporterar utfallet varje kvartal.", "FREQ=MONTHLY;INTERVAL=3"),
        ("Parterna följer upp avtalet en gång om året.", "FREQ=YEARLY"),
        ("Lärosätet lämnar underlag i februari och augusti.", "FREQ=YEARLY;BYMONTH=2,8"),
        ("Avtalet utvärderas vart tredje år.", "FREQ=YEARLY;INTERVAL=3"),
        ("Samordnarna träffas en gång per termin.", "FREQ=MONTHLY;INTERVAL=6"),
        ("Vi har avstämning på torsdagar.", "FREQ=WEEKLY;BYDAY=TH"),
        ("Varje år i mars lämnas en rapport.", "FREQ=YEARLY;BYMONTH=3"),
    ],
)
def test_recurring_duties_get_their_rule(sentence: str, rule: str) -> None:
    """Each way of saying how often gives one recurring entry with its RRULE and working."""
    entry = one(sentence)
    assert (entry.kind, entry.rule, entry.date) == (RECURRING, rule, "")
    assert entry.resolution.endswith(f"RRULE:{rule}")


def test_a_yearly_day_is_not_also_a_recurring_duty() -> None:
    """ "senast den 1 december varje år" is the yearly deadline's business, not a second entry."""
    assert terms("Kommunen skickar planen senast den 1 december varje år.") == []


def test_rule_with_months_falls_on_the_first_of_the_next_such_month() -> None:
    """BYMONTH=2,8 from 10 March is 1 August; from 1 August it is that day."""
    entry = one("Lärosätet lämnar underlag i februari och augusti.")
    assert entry.next_date(dt.date(2026, 3, 10)) == dt.date(2026, 8, 1)
    assert entry.next_date(dt.date(2026, 8, 1)) == dt.date(2026, 8, 1)
    assert entry.next_date(dt.date(2026, 8, 2)) == dt.date(2027, 2, 1)


@pytest.mark.parametrize(
    ("sentence", "kind", "value", "precision", "date"),
    [
        ("En utvärdering görs i juni 2027.", MONTH, "2027-06", "month", "2027-06-01"),
        ("Under hösten ses rutinerna över.", SEASON, "--host", "season", ""),
        ("Planen revideras första halvåret 2023.", SEASON, "2023-H1", "half", "2023-01-01"),
        ("Bestämmelserna ska tillämpas inför hösten 2027.", SEASON, "2027-host", "season",
         "2027-08-01"),
    ],
)  # fmt: skip
def test_months_and_seasons_keep_their_precision(
    sentence: str, kind: str, value: str, precision: str, date: str
) -> None:
    """A month or season is kept as stated, on its first day when the year is given."""
    entry = one(sentence)
    assert (entry.kind, entry.approximate, entry.precision, entry.date) == (
        kind, value, precision, date,
    )  # fmt: skip


@pytest.mark.parametrize(
    "sentence",
    [
        "Hösten 2024 bytte utredningen namn.",
        "Avtalet gäller från och med hösten 2025.",
        "Senast den 1 maj för byte inför höstterminen.",
        "Det ekonomiska utfallet till och med april är positivt.",
    ],
)
def test_history_starts_and_qualifiers_are_not_tracked(sentence: str) -> None:
    """The past, a start, and a season beside a day or a month as a reporting period are not."""
    assert [d for d in terms(sentence) if d.kind in (MONTH, SEASON)] == []


def test_a_range_of_years_ends_on_the_last_years_31_december() -> None:
    """ "Avtalsperioden sträcker sig 2018- 2021" ends 2021-12-31, with the working shown."""
    entry = one("Den nya avtalsperioden sträcker sig 2018- 2021 och målen är:")
    assert (entry.kind, entry.date, entry.resolution) == (
        VALIDITY_END, "2021-12-31", "2018–2021 -> 2021-12-31",
    )  # fmt: skip


def test_an_end_stated_as_a_year_is_its_31_december() -> None:
    """ "Avtalet löper till och med 2024" ends 2024-12-31; a day, when given, wins."""
    entry = one("Avtalet löper till och med 2024.")
    assert (entry.kind, entry.date) == (VALIDITY_END, "2024-12-31")
    assert one("Avtalet löper till och med 2024-06-30.").date == "2024-06-30"


def test_notice_sentence_replaces_its_relative_deadline() -> None:
    """ "senast sex månader före avtalstidens slut" is one notice entry, not also a deadline."""
    text = (
        "Avtalet gäller från och med den 1 mars 2017 till och med den 31 december 2019. "
        "Sägs avtalet inte upp senast sex månader före avtalstidens slut förlängs det med ett "
        "år i taget."
    )
    meta = DocumentMeta("avtal.txt", "Avtal", "", "txt")
    register = extract_register({"avtal.txt": meta}, {"avtal.txt": [Chunk("avtal.txt", text, 1)]})
    kinds = sorted((d.kind, d.date, d.duration) for d in register.deadlines)
    assert kinds == [
        (NOTICE, "2019-06-30", "P6M"),
        (RENEWAL, "2019-12-31", "P1Y"),
        (VALIDITY_END, "2019-12-31", ""),
    ]


def test_templates_entries_stay_out_of_the_register_lists(hash_index: Path) -> None:
    """The template's notice and renewal are stored but not listed (as its deadlines)."""
    snapshot = open_current(hash_index)
    everything, documents = snapshot.deadlines(), snapshot.documents
    snapshot.close()
    of_template = [d for d in everything if documents[d.doc_path].is_template]
    assert {d.kind for d in of_template} >= {NOTICE, RENEWAL}
    assert not set(of_template) & set(in_use(everything, documents))


def test_a_version_written_before_kinds_reads_as_plain_deadlines(
    hash_index: Path, tmp_path: Path
) -> None:
    """A local version whose deadlines table lacks the new columns reads them as defaults."""
    copy = tmp_path / "index"
    shutil.copytree(hash_index, copy)
    folder = current_version(copy)
    assert folder is not None
    db = sqlite3.connect(folder / "meta.sqlite")
    count = db.execute("SELECT count(*) FROM deadlines").fetchone()[0]
    for column in NEW_COLUMNS:
        db.execute(f"ALTER TABLE deadlines DROP COLUMN {column}")
    db.commit()
    db.close()
    snapshot = open_current(copy)
    old = snapshot.deadlines()
    snapshot.close()
    assert len(old) == count and {d.kind for d in old} == {DEADLINE}
    assert all(not (d.rule or d.duration or d.precision or d.approximate) for d in old)
