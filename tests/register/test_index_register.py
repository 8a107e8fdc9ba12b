"""The register is written with each index version and follows re-ingestion; its commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from retrieval.index import open_current
from retrieval.register import DEADLINE
from tests.register.conftest import build_index

TABY = "protokollsutdrag-socialnamnden-taby-2016-12-14.txt"


def test_sample_corpus_reply_deadline_is_in_the_index(hash_index: Path) -> None:
    """The Täby decision's reply deadline (31 December 2016) is stored with its citation."""
    snapshot = open_current(hash_index)
    try:
        found = [d for d in snapshot.deadlines() if d.doc_path == TABY and d.kind == DEADLINE]
    finally:
        snapshot.close()
    assert [(d.date, d.party, d.page) for d in found] == [("2016-12-31", "Kommunen", 1)]
    assert "senast den 31 december 2016" in found[0].quote


def test_register_follows_changed_and_removed_documents(corpus_copy: Path, tmp_path: Path) -> None:
    """A changed document replaces its deadlines and a removed one takes them away."""
    index = tmp_path / "index"
    build_index(corpus_copy, index)
    path = corpus_copy / TABY
    text = path.read_text("cp1252").replace("31 december 2016", "15 januari 2017")
    path.write_text(text, "cp1252")
    build_index(corpus_copy, index)
    snapshot = open_current(index)
    dates = [d.date for d in snapshot.deadlines() if d.doc_path == TABY and d.kind == DEADLINE]
    snapshot.close()
    assert dates == ["2017-01-15"]
    path.unlink()
    build_index(corpus_copy, index)
    snapshot = open_current(index)
    assert not [d for d in snapshot.deadlines() if d.doc_path == TABY]
    assert not [o for o in snapshot.obligations() if o.doc_path == TABY]
    snapshot.close()


def test_deadlines_command_lists_resolved_dates_as_json(
    hash_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`deadlines --json` prints one object per deadline, yearly ones on their next date, then
    those without a date with "date": null."""
    argv = ["deadlines", "--index", str(hash_index), "--today", "2017-01-20", "--days", "30"]
    assert main([*argv, "--json"]) == 0
    everything = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    rows = [r for r in everything if r["date"] is not None]
    assert rows and all(r["date"] >= "2017-01-20" and r["date"] <= "2017-02-19" for r in rows)
    assert everything[len(rows) :] and all(r["date"] is None for r in everything[len(rows) :])
    yearly = [r for r in rows if r["recurrence"] == "yearly" and r["date"] == "2017-01-31"]
    assert {r["party"] for r in yearly} >= {"Kommunen"}
    assert {"date", "recurrence", "party", "document", "page", "quote", "what"} <= set(rows[0])


def test_obligations_command_filters_by_any_spelling_of_a_party(
    hash_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`obligations --party "Kommunförbundet Stockholms län"` lists KSL's obligations."""
    argv = ["obligations", "--index", str(hash_index), "--json"]
    assert main([*argv, "--party", "Kommunförbundet Stockholms län"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and {r["party"] for r in rows} == {"KSL"}
    assert main([*argv, "--party", "kommunerna"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and {r["party"] for r in rows} == {"Kommunen"}


def test_deadlines_json_has_notice_and_recurring_with_their_working(
    hash_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Täby agreement's last day to give notice and its recurring duties are listed in
    `--json`, each with its kind, rule or period and the working."""
    argv = ["deadlines", "--index", str(hash_index), "--today", "2018-11-01", "--days", "300"]
    assert main([*argv, "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    notice = [r for r in rows if r["kind"] == "notice" and r["date"] == "2019-06-30"]
    assert notice and notice[0]["duration"] == "P6M"
    assert "2019-12-31" in notice[0]["working"] and "2019-06-30" in notice[0]["working"]
    recurring = [r for r in rows if r["kind"] == "recurring"]
    assert {"FREQ=MONTHLY;INTERVAL=6", "FREQ=YEARLY;BYMONTH=1"} <= {r["rule"] for r in recurring}
    assert all(r["working"].endswith("RRULE:" + r["rule"]) for r in recurring)
    assert all(r["quote"] and r["document"] and r["page"] for r in rows)


def test_deadlines_text_shows_a_month_as_stated(
    hash_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "senast vid sammanträdet i juni 2017" is listed as 2017-06 with its precision."""
    argv = ["deadlines", "--index", str(hash_index), "--today", "2017-05-20", "--days", "30"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "2017-06  Socialchefen:" in out and "någon gång under månaden" in out


def test_channel_option_lists_what_that_channel_may_see(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`deadlines --channel` and `obligations --channel` leave out the collections the channel
    may not see (SLACK_CHANNEL_COLLECTIONS); without it every document is listed."""
    corpus = tmp_path / "corpus"
    (corpus / "ledning").mkdir(parents=True)
    (corpus / "avtal.md").write_text(
        "# Avtal\n\nKommunen ska lämna rapporten senast den 15 mars 2027.\n", "utf-8"
    )
    (corpus / "ledning" / "utkast.md").write_text(
        "# Utkast\n\nEkonomichefen ska lämna besked senast den 1 april 2027.\n", "utf-8"
    )
    build_index(corpus, tmp_path / "index")
    monkeypatch.setenv("SLACK_CHANNEL_COLLECTIONS", '{"C0LEDNING": ["ledning", "allmänt"]}')
    base = ["--index", str(tmp_path / "index"), "--json"]
    dates = ["deadlines", *base, "--today", "2027-03-01", "--days", "60"]

    def documents(argv: list[str]) -> set[str]:
        assert main(argv) == 0
        return {json.loads(line)["document"] for line in capsys.readouterr().out.splitlines()}

    assert documents(dates) == {"avtal.md", "ledning/utkast.md"}
    assert documents([*dates, "--channel", "C0GENERAL"]) == {"avtal.md"}
    assert documents([*dates, "--channel", "C0LEDNING"]) == {"avtal.md", "ledning/utkast.md"}
    assert documents(["obligations", *base, "--channel", "D0DIRECT"]) == {"avtal.md"}
