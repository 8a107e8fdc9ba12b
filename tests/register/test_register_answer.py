"""Register questions are answered with a cited list; other questions are not routed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

import bot.register_answer
from bot.answer import Answerer
from bot.register_answer import register_answer
from bot.register_cli import due_between
from config.settings import Settings
from retrieval.index import open_current


def test_obligations_question_lists_the_partys_obligations_with_citations(
    hash_index: Path,
) -> None:
    """ "Vilka åtaganden har FoU Nordost?" lists FoU Nordost's obligations, each cited."""
    answerer = Answerer(Settings(_env_file=None, index_dir=hash_index, embedding={"model": "hash"}))  # type: ignore[call-arg]
    answer = answerer.answer("Vilka åtaganden har FoU Nordost?")
    assert answer.answered and "FoU Nordost" in answer.text
    assert answer.citations and all(c.quote and c.page for c in answer.citations)
    assert any("sammanställa" in c.quote for c in answer.citations)


def test_duties_questions_list_the_municipalitys_obligations(hash_index: Path) -> None:
    """ "Vad ska kommunen göra?" and "Vad är vi skyldiga att göra?" both list Kommunen's duties."""
    snapshot = open_current(hash_index)
    try:
        for question in ("Vad ska kommunen göra?", "Vad är vi skyldiga att göra enligt avtalet?"):
            answer = register_answer(question, snapshot)
            assert answer is not None and answer.text.startswith("Dokumenten ger Kommunen")
    finally:
        snapshot.close()


def test_deadlines_question_lists_the_months_deadlines(hash_index: Path) -> None:
    """ "Vilka deadlines har vi i mars?" lists March deadlines, not the template's yearly
    "senast den 15 mars" (a template binds nobody), which `templates=True` brings back."""
    snapshot = open_current(hash_index)
    try:
        answer = register_answer("Vilka deadlines har vi i mars?", snapshot)
        assert answer is not None
        assert "2017-03-01" in answer.text and "03-15 varje år" not in answer.text
        march = (dt.date(2027, 3, 1), dt.date(2027, 3, 31))
        of_templates = set(due_between(snapshot, *march, templates=True)) - set(
            due_between(snapshot, *march)
        )
        assert {d.deadline.doc_path for d in of_templates} == {"mall-lokalt-samverkansavtal.docx"}
        assert any(d.date == dt.date(2027, 3, 15) for d in of_templates)
        markers = set(re.findall(r"\[(\d+)\]", answer.text))
        assert {str(c.n) for c in answer.citations} == markers
        # a question about one fact goes to normal retrieval, not the register
        assert register_answer("Hur många VFU-platser ska kommunen erbjuda?", snapshot) is None
        assert register_answer("Vilka åtaganden har Okänd Förening?", snapshot) is None
    finally:
        snapshot.close()


def test_duties_according_to_a_named_document_come_from_that_document(hash_index: Path) -> None:
    """ "Vad ska KSL göra enligt avsiktsförklaringen?" lists only the declaration's duties, and
    "enligt avtalet med KI" only the KI agreement's (the abbreviation matched by its full name)."""
    snapshot = open_current(hash_index)
    try:
        ksl = register_answer("Vad ska KSL göra enligt avsiktsförklaringen?", snapshot)
        assert ksl is not None and ksl.citations
        assert {c.document for c in ksl.citations} == {"avsiktsforklaring-ksl-larosaten.pdf"}
        ki = register_answer("Vad ska lärosätet göra enligt avtalet med KI?", snapshot)
        assert ki is not None and ki.citations
        assert {c.document for c in ki.citations} == {"lokalt-samverkansavtal-taby-ki.pdf"}
        every = register_answer("Vad ska lärosätet göra enligt avtalet?", snapshot)
        assert every is not None  # any agreement in use: the template is left out
        assert {c.document for c in every.citations} == {"lokalt-samverkansavtal-taby-ki.pdf"}
        form = register_answer("Vad ska lärosätet göra enligt mallen?", snapshot)
        assert form is not None  # asked about the template, its duties are listed
        assert {c.document for c in form.citations} == {"mall-lokalt-samverkansavtal.docx"}
    finally:
        snapshot.close()


def test_deadlines_list_speaks_swedish_not_iso_or_rrule(
    hash_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "Vilka deadlines har vi?" shows the sample declaration's notice period, renewal and
    yearly duty in words ("6 månader", "2 år", "varje år"), never as P6M or RRULE text, which
    stay in `bot deadlines --json` for programs. (Every entry shown: this is about wording.)"""
    monkeypatch.setattr(bot.register_answer, "MAX_ITEMS", 1000)
    snapshot = open_current(hash_index)
    try:
        answer = register_answer("Vilka deadlines har vi?", snapshot)
        assert answer is not None
        assert "uppsägningstid 6 månader" in answer.text
        assert "med 2 år i taget" in answer.text
        assert "varje år – KSL" in answer.text
        assert "RRULE" not in answer.text and "P6M" not in answer.text
        # an entry whose clause is only its date (KI's "senast sex veckor före varje kursstart,")
        # ends with its source, not with a dash before nothing
        assert "sex veckor före varje kursstart [" in answer.text
        assert not re.search(r" – \s*\[", answer.text)
        # the notice period and the renewal come from one sentence: one source, cited twice
        lines = answer.text.splitlines()
        notice = next(line for line in lines if "uppsägningstid 6 månader" in line)
        renewal = next(line for line in lines if "med 2 år i taget" in line)
        assert notice.rsplit("[", 1)[1] == renewal.rsplit("[", 1)[1]
        quotes = [(c.doc_path, c.page, c.quote) for c in answer.citations]
        assert len(quotes) == len(set(quotes))
        assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    finally:
        snapshot.close()


def test_deadlines_come_in_the_order_they_fall_due(hash_index: Path) -> None:
    """ "Vilka deadlines har vi?" lists what lies ahead first, by date (a yearly duty on its next
    day), then entries without a date, then past ones, latest first and marked as past. The
    sample documents' dated deadlines (2016-2020) are all past on 2026-12-02, so the ten shown
    then are what still recurs; asked in 2016, they come by date and none is past."""
    snapshot = open_current(hash_index)
    try:
        later = register_answer("Vilka deadlines har vi?", snapshot, dt.date(2026, 12, 2))
        assert later is not None
        lines = [line for line in later.text.splitlines() if line.startswith("• ")]
        assert len(lines) == 10 and not any(re.match(r"• 20(?:1\d|20)", x) for x in lines)
        assert "(passerat)" not in later.text
        early = register_answer("Vilka deadlines har vi?", snapshot, dt.date(2016, 1, 1))
        assert early is not None and "(passerat)" not in early.text
        dated = [x.split()[1] for x in early.text.splitlines() if re.match(r"• 20\d\d-", x)]
        assert len(dated) >= 3 and dated == sorted(dated)
        # in a month, past deadlines are marked, latest first after any to come
        march = register_answer("Vilka deadlines har vi i mars?", snapshot, dt.date(2026, 12, 2))
        assert march is not None
        lines = [x for x in march.text.splitlines() if x.startswith("• ")]
        past = [x for x in lines if "(passerat)" in x]
        assert past and lines[-len(past) :] == past
        assert "• 2017-03-01 (passerat) – " in march.text
    finally:
        snapshot.close()


def test_periods_and_rules_in_words() -> None:
    from bot.texts import period_text, rule_text

    assert [period_text(p) for p in ("P6M", "P1Y", "P1M", "P2W", "P30D")] == [
        "6 månader",
        "1 år",
        "1 månad",
        "2 veckor",
        "30 dagar",
    ]
    assert period_text("PT5H") == "PT5H"  # not one of ours: shown as given
    assert rule_text("FREQ=MONTHLY;INTERVAL=3") == "var 3:e månad"
    assert rule_text("FREQ=YEARLY;INTERVAL=2") == "vartannat år"
    assert rule_text("FREQ=YEARLY;INTERVAL=3") == "vart 3:e år"
    assert rule_text("FREQ=YEARLY;BYMONTH=2,8") == "varje år i februari och augusti"
    assert rule_text("FREQ=WEEKLY;BYDAY=TH") == "varje vecka på torsdagar"
    assert rule_text("FREQ=YEARLY;BYMONTHDAY=3") == "FREQ=YEARLY;BYMONTHDAY=3"
