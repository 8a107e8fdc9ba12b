"""Socket Mode scenarios: where questions come from and where answers go."""

from __future__ import annotations

import json
import time

from bot.slack import messages
from tests.slack import payloads as p
from tests.slack.answers import Recorder, declining
from tests.slack.fake_slack import BOT_ID, FakeSlack


def ask(fake: FakeSlack, event: dict) -> str:
    """Send `event` over Socket Mode; return its envelope id."""
    return fake.send("events_api", p.event_callback(event)).envelope_id


def test_mention_is_answered_in_the_thread_of_the_question(fake_slack, settings, run_bot):
    """@bot question in a channel: an answer with sources and buttons in the question's thread."""
    run_bot(settings, Recorder())
    event = p.mention("Vad ska FoU Nordost göra?")
    ask(fake_slack, event)
    post = fake_slack.wait_calls("chat.postMessage")[0].params
    assert post["channel"] == "C0GENERAL"
    assert post["thread_ts"] == event["ts"]
    assert post["text"].startswith("Svar: Vad ska FoU Nordost göra? [1]")
    blocks = json.dumps(post["blocks"], ensure_ascii=False)
    assert (
        "Samverkansavtal FoU Nordost" in blocks and "s. 3" in blocks and "§ 5 Åtaganden" in blocks
    )
    assert messages.HELPED in blocks and messages.DID_NOT_HELP in blocks


def test_eyes_reaction_is_added_while_working_and_removed_after(fake_slack, settings, run_bot):
    """The question gets :eyes: before the answer is posted, and loses it afterwards."""
    run_bot(settings, Recorder(delay=0.2))
    event = p.mention("Vad gäller?")
    ask(fake_slack, event)
    removed = fake_slack.wait_calls("reactions.remove")[0]
    added = fake_slack.calls("reactions.add", ok=True)[0]
    posted = fake_slack.calls("chat.postMessage", ok=True)[0]
    for call in (added, removed):
        assert call.params["timestamp"] == event["ts"] and call.params["name"] == "eyes"
    assert added.at < posted.at <= removed.at


def test_direct_message_is_answered_in_the_dm(fake_slack, settings, run_bot):
    """A DM is answered in the same DM, at top level (no thread)."""
    run_bot(settings, Recorder())
    ask(fake_slack, p.direct_message("Vem betalar?"))
    post = fake_slack.wait_calls("chat.postMessage")[0].params
    assert post["channel"] == "D0DIRECT"
    assert post.get("thread_ts") is None
    assert post["text"].startswith("Svar: Vem betalar?")


def test_follow_up_in_a_channel_thread_gets_earlier_questions(fake_slack, settings, run_bot):
    """A mention in a thread passes the thread's earlier questions, oldest first, as history."""
    recorder = Recorder()
    run_bot(settings, recorder)
    first = p.mention("Vad ska FoU Nordost göra?")
    ask(fake_slack, first)
    fake_slack.wait_calls("chat.postMessage")
    ask(fake_slack, p.mention("och när?", thread_ts=first["ts"]))
    second = fake_slack.wait_calls("chat.postMessage", 2)[1].params
    assert recorder.calls == [
        ("Vad ska FoU Nordost göra?", ()),
        ("och när?", ("Vad ska FoU Nordost göra?",)),
    ]
    assert second["thread_ts"] == first["ts"]


def test_follow_up_in_the_thread_of_a_dm_answer_gets_the_question(fake_slack, settings, run_bot):
    """Replying in the thread of the bot's DM answer continues that question."""
    recorder = Recorder()
    run_bot(settings, recorder)
    ask(fake_slack, p.direct_message("Vad ska FoU Nordost göra?"))
    answer = fake_slack.wait_calls("chat.postMessage")[0]
    fake_slack.wait_calls("reactions.remove")  # the answer is fully handled
    answer_ts = answer.result["ts"]
    ask(fake_slack, p.direct_message("och när?", thread_ts=answer_ts))
    reply = fake_slack.wait_calls("chat.postMessage", 2)[1].params
    assert recorder.calls[1] == ("och när?", ("Vad ska FoU Nordost göra?",))
    assert reply["channel"] == "D0DIRECT" and reply["thread_ts"] == answer_ts


def test_decline_shows_closest_passages_labelled_not_an_answer(fake_slack, settings, run_bot):
    """A decline posts the Swedish message and the closest passages under a not-an-answer label."""
    run_bot(settings, declining)
    ask(fake_slack, p.mention("Vad kostar kaffet?"))
    post = fake_slack.wait_calls("chat.postMessage")[0].params
    texts = [b["text"]["text"] for b in post["blocks"] if b["type"] == "section"]
    assert texts[0] == "Jag hittar inget i dokumenten om det."
    assert messages.CLOSEST_HEADING in texts
    assert "Protokoll styrgrupp" in texts[texts.index(messages.CLOSEST_HEADING) + 1]
    assert messages.CLOSEST_FALLBACK in post["text"]


def test_help_and_empty_mentions_get_instructions_without_answering(fake_slack, settings, run_bot):
    """`@bot hjälp` gets the usage text and a bare `@bot` a prompt; neither reaches answer_fn."""
    recorder = Recorder()
    run_bot(settings, recorder)
    ask(fake_slack, p.mention("hjälp"))
    ask(fake_slack, p.mention(""))
    posts = [c.params["text"] for c in fake_slack.wait_calls("chat.postMessage", 2)]
    assert any("Så ställer du en fråga" in t for t in posts)
    assert messages.EMPTY_QUESTION in posts
    assert recorder.calls == []


def test_bots_edits_and_own_messages_are_ignored_but_acked(fake_slack, settings, run_bot):
    """Messages from bots, edits and the bot's own posts are acknowledged and never answered."""
    recorder = Recorder()
    run_bot(settings, recorder)
    ignored = [
        p.direct_message("jag är en bot", bot_id="B0OTHER"),
        p.direct_message("bot", subtype="bot_message", bot_id="B0OTHER"),
        p.direct_message("ändrad", subtype="message_changed"),
        p.direct_message("mitt eget svar", user="UBOT", bot_id=BOT_ID),
        p.direct_message("kanal utan omnämnande", channel="C0GENERAL", channel_type="channel"),
    ]
    envelopes = [ask(fake_slack, event) for event in ignored]
    envelopes.append(ask(fake_slack, p.direct_message("En riktig fråga")))
    fake_slack.wait_calls("chat.postMessage")
    fake_slack.wait_for(lambda: all(fake_slack.ack(e) for e in envelopes), what="all acks")
    time.sleep(0.2)  # give a wrongly answered message the chance to show up
    assert [q for q, _ in recorder.calls] == ["En riktig fråga"]
    assert len(fake_slack.calls("chat.postMessage")) == 1


def test_channel_outside_allow_list_gets_an_ephemeral_notice(fake_slack, make_settings, run_bot):
    """A mention in a channel not in SLACK_ALLOWED_CHANNELS: only the asker is told, no answer."""
    recorder = Recorder()
    run_bot(make_settings(allowed_channels="C0ALLOWED, C0OTHER"), recorder)
    event = p.mention("Vad gäller?", channel="C0ELSEWHERE", user="U0ASKER")
    ask(fake_slack, event)
    notice = fake_slack.wait_calls("chat.postEphemeral")[0].params
    expected = {"channel": "C0ELSEWHERE", "user": "U0ASKER", "text": messages.NOT_ENABLED}
    assert notice.items() >= {**expected, "thread_ts": event["ts"]}.items()
    ask(fake_slack, p.mention("Och här?", channel="C0ALLOWED"))
    assert fake_slack.wait_calls("chat.postMessage")[0].params["channel"] == "C0ALLOWED"
    assert [q for q, _ in recorder.calls] == ["Och här?"]


def test_direct_messages_follow_the_allow_dms_setting(fake_slack, make_settings, run_bot):
    """With an allow list DMs are still answered; with SLACK_ALLOW_DMS=false they are not."""
    run_bot(make_settings(allowed_channels="C0ALLOWED"), Recorder())
    ask(fake_slack, p.direct_message("Fråga i DM"))
    assert fake_slack.wait_calls("chat.postMessage")[0].params["channel"] == "D0DIRECT"


def test_dms_disabled_get_the_not_enabled_notice(fake_slack, make_settings, run_bot):
    """SLACK_ALLOW_DMS=false: a DM gets the ephemeral not-enabled notice instead of an answer."""
    recorder = Recorder()
    run_bot(make_settings(allow_dms=False), recorder)
    ask(fake_slack, p.direct_message("Fråga i DM"))
    assert fake_slack.wait_calls("chat.postEphemeral")[0].params["text"] == messages.NOT_ENABLED
    assert recorder.calls == []
