"""`python -m bot gaps`: declined and "Hjälpte inte" questions grouped with the real model."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.gaps import find_gaps
from bot.slack.feedback import DB_NAME, Declined, FeedbackStore, Unhelped, Vote
from config.settings import GapsSettings

PARKING = (
    "Hur mycket kostar parkering vid kommunhuset?",
    "Vad kostar det att parkera vid kommunhuset?",
    "Vilken avgift gäller för parkering utanför kommunhuset?",
)
UNRELATED = "Vem ansvarar för hemsjukvården på helger?"


def _item(question: str, kind: str = "declined", detail: str = "no_relevant") -> Unhelped:
    return Unhelped("2026-11-30T10:00:00+00:00", question, kind, detail)


def test_paraphrases_form_one_group_and_an_unrelated_question_another(real_embedder) -> None:
    """With the default threshold, three wordings of one question are one group (first, with
    count 3); a question on another subject is a group of its own."""
    items = [_item(q) for q in PARKING[:2]] + [_item(UNRELATED), _item(PARKING[2], "not_helped")]
    # `bot gaps` groups with the base model, as here (the query adapter is for answering)
    gaps = find_gaps(items, real_embedder.with_adapter(None), GapsSettings().threshold)
    assert [g.count for g in gaps] == [3, 1]
    assert set(gaps[0].questions) == set(PARKING) and gaps[0].representative in PARKING
    assert (gaps[0].declined, gaps[1].questions) == (2, (UNRELATED,))


def test_a_threshold_of_zero_keeps_every_question_apart(real_embedder) -> None:
    """--threshold 0: only identical questions would share a group."""
    gaps = find_gaps([_item(q) for q in PARKING], real_embedder.with_adapter(None), 0.0)
    assert [g.count for g in gaps] == [1, 1, 1]


def _store(data_dir: Path) -> FeedbackStore:
    store = FeedbackStore(data_dir, salt="s")
    for question in PARKING[:2]:
        store.add_declined(Declined(question, "no_relevant", "top_score", "channel", "h"))
    store.add_declined(Declined(UNRELATED, "not_stated", "", "im", "h"))
    vote = Vote(False, PARKING[2], "svar", True, ("c1",), "C1", "1.0", "h2")
    store.add(vote)
    assert store.add_comment("C1", "1.0", "h2", "Saknar taxan för 2026")
    store.add(Vote(True, "Vad gäller?", "svar", True, (), "C1", "2.0", "h2"))  # helped: not a gap
    return store


def _gaps(monkeypatch, capsys, data_dir: Path, model_dir: Path, *args: str) -> str:
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.setenv("EMBEDDING_MODEL", str(model_dir))
    assert main(["gaps", *args]) == 0
    return capsys.readouterr().out


def test_gaps_command_prints_the_groups_as_json(
    tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """`gaps --json`: one object per group, largest first, with reasons and the voter's text."""
    _store(tmp_path)
    out = _gaps(monkeypatch, capsys, tmp_path, model_dir, "--json")
    groups = [json.loads(line) for line in out.splitlines()]
    assert [(g["count"], g["declined"], g["not_helped"]) for g in groups] == [(3, 2, 1), (1, 1, 0)]
    assert set(groups[0]["details"]) == {"no_relevant (top_score)", "Saknar taxan för 2026"}
    assert groups[1]["questions"] == [UNRELATED] and groups[1]["details"] == ["not_stated"]


def test_gaps_command_keeps_to_the_period(
    tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """Questions stored before --since or after --until are left out; text says so when none."""
    _store(tmp_path)
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat(timespec="seconds")
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        conn.execute("UPDATE declined SET created_at = ? WHERE question = ?", (old, UNRELATED))
    out = _gaps(monkeypatch, capsys, tmp_path, model_dir)  # default: the last GAPS_DAYS (30)
    assert "3 obesvarade frågor i 1 grupper" in out and UNRELATED not in out
    assert "» Saknar taxan för 2026" in out
    day = (datetime.now(UTC) - timedelta(days=40)).date().isoformat()
    out = _gaps(monkeypatch, capsys, tmp_path, model_dir, "--since", day, "--until", day)
    assert "1 obesvarade frågor i 1 grupper" in out and UNRELATED in out
    out = _gaps(monkeypatch, capsys, tmp_path, model_dir, "--until", "2020-01-01")
    assert out.startswith("Inga obesvarade frågor")


def test_a_feedback_file_of_an_older_version_gets_the_comment_column(tmp_path: Path) -> None:
    """feedback.sqlite3 made before comments existed: its votes are kept, with comment ''."""
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        conn.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL,"
            " helpful INTEGER NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,"
            " answered INTEGER NOT NULL, chunk_ids TEXT NOT NULL, channel TEXT NOT NULL,"
            " message_ts TEXT NOT NULL, user_hash TEXT NOT NULL,"
            " UNIQUE (channel, message_ts, user_hash))"
        )
        conn.execute(
            "INSERT INTO feedback VALUES (1, '2026-11-30T10:00:00+00:00', 0, 'Vad gäller?',"
            " 'svar', 1, '[]', 'C1', '1.0', 'h')"
        )
    store = FeedbackStore(tmp_path, salt="s")
    since = datetime(2026, 11, 1, tzinfo=UTC)
    assert store.unhelped(since, since + timedelta(days=60)) == [
        Unhelped("2026-11-30T10:00:00+00:00", "Vad gäller?", "not_helped", "")
    ]
    FeedbackStore(tmp_path, salt="s")  # a second start does not add the column again


def test_a_bad_threshold_is_refused(tmp_path: Path, monkeypatch, capsys) -> None:
    """--threshold outside 0-2 is an error naming the value, exit code 2."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["gaps", "--threshold", "-1"]) == 2
    assert "--threshold -1.0" in capsys.readouterr().err


def test_gaps_without_any_feedback_file_says_so_and_writes_nothing(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    """A DATA_DIR where the bot never ran: "Inga obesvarade frågor", no file created."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("EMBEDDING_MODEL", "/nowhere")  # not loaded: nothing to group
    assert main(["gaps", "--since", "2026-11-01", "--until", "2026-11-30"]) == 0
    assert capsys.readouterr().out == "Inga obesvarade frågor 2026-11-01 – 2026-11-30.\n"
    assert not (tmp_path / "var").exists()
    assert main(["gaps", "--since", "2026-12-01", "--until", "2026-11-30"]) == 2
    assert "--since 2026-12-01 is after --until 2026-11-30" in capsys.readouterr().err
