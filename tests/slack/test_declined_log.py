"""Socket Mode scenarios: declined questions are recorded for `python -m bot gaps`."""

from __future__ import annotations

import sqlite3

from bot.slack.feedback import DB_NAME
from tests.slack import payloads as p
from tests.slack.answers import Recorder, declining


def _declined(settings) -> list[tuple]:
    with sqlite3.connect(settings.data_dir / DB_NAME) as conn:
        return conn.execute(
            "SELECT question, reason, channel_type, user_hash FROM declined ORDER BY id"
        ).fetchall()


def test_declines_in_a_channel_a_dm_and_a_slash_command_are_recorded(fake_slack, settings, run_bot):
    """Each declined question is stored with its reason, the kind of conversation and the
    asker as a salted hash, never the Slack id."""
    run_bot(settings, declining)
    fake_slack.send("events_api", p.event_callback(p.mention("Vad kostar parkeringen?")))
    fake_slack.wait_calls("chat.postMessage", 1)
    fake_slack.send("events_api", p.event_callback(p.direct_message("Får man ta med hund?")))
    fake_slack.wait_calls("chat.postMessage", 2)
    fake_slack.send("slash_commands", p.slash_command("Vem städar?", fake_slack.response_url("c")))
    fake_slack.wait_for(lambda: fake_slack.responses("c"), what="the slash answer")
    rows = fake_slack.wait_for(lambda: len(_declined(settings)) == 3 and _declined(settings))
    assert [r[:3] for r in rows] == [
        ("Vad kostar parkeringen?", "no_relevant", "channel"),
        ("Får man ta med hund?", "no_relevant", "im"),
        ("Vem städar?", "no_relevant", "command"),
    ]
    assert len({r[3] for r in rows}) == 1 and len(rows[0][3]) == 64
    assert all("U0ASKER" not in str(r) for r in rows)


def test_answered_questions_are_not_recorded_as_declined(fake_slack, settings, run_bot):
    """An answer is not a gap: the declined table stays empty."""
    run_bot(settings, Recorder())
    fake_slack.send("events_api", p.event_callback(p.mention("Vad gäller?")))
    fake_slack.wait_calls("chat.postMessage")
    assert _declined(settings) == []
