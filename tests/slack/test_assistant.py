"""The assistant panel (issue 9, point 1) through the real Bolt app over Socket Mode and HTTP: a new
thread gets a greeting and prompts from the index in use; a question there gets the status, a
title and the answer in the thread; a follow-up gets the thread's earlier questions."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answer import Answerer
from bot.register_cli import obligations_of
from bot.slack import messages
from bot.slack.assistant import MAX_PROMPTS, suggested_prompts
from retrieval.embedder import HashEmbedder
from tests.slack import payloads as p
from tests.slack.answers import Recorder
from tests.slack.fake_slack import BOT_TOKEN, FakeSlack
from tests.slack.test_app_home import in_weeks, index, write_agreement
from tests.slack.test_http_mode import post

HELP_PROMPT = {"title": messages.ASSISTANT_PROMPT_HELP_TITLE, "message": "hjälp"}


def send(fake: FakeSlack, event: dict) -> str:
    """Send `event` over Socket Mode; return its envelope id."""
    return fake.send("events_api", p.event_callback(event)).envelope_id


def start_thread(fake: FakeSlack, count: int = 1) -> dict:
    """Open the panel; wait for its prompts (the `count`-th call); return the started event."""
    started = p.assistant_thread_started()
    send(fake, started)
    fake.wait_calls("assistant.threads.setSuggestedPrompts", count)
    return started


def test_new_thread_gets_a_greeting_and_prompts_from_the_index(
    fake_slack, make_settings, run_bot, tmp_path: Path
):
    """assistant_thread_started: the Swedish greeting in the thread and prompts built from the
    index: the coming deadlines and the party with obligations, then the usage prompt."""
    corpus = tmp_path / "corpus"
    write_agreement(corpus, "avtal-nordost.md", "Samverkansavtal FoU Nordost", in_weeks(3))
    index(corpus, tmp_path / "index")
    settings = make_settings().model_copy(update={"index_dir": tmp_path / "index"})
    answerer = Answerer(settings, embedder=HashEmbedder(), load_model=False)
    [party] = {o.party for o in obligations_of(answerer.snapshot)}
    run_bot(settings, Recorder(), snapshot_fn=answerer.snapshot_for)
    started = start_thread(fake_slack)
    thread = started["assistant_thread"]
    greeting = fake_slack.wait_calls("chat.postMessage")[0].params
    assert greeting["channel"] == thread["channel_id"]
    assert greeting["thread_ts"] == thread["thread_ts"]
    assert greeting["text"] == messages.ASSISTANT_GREETING
    call = fake_slack.calls("assistant.threads.setSuggestedPrompts", ok=True)[0].params
    assert (call["channel_id"], call["thread_ts"]) == (thread["channel_id"], thread["thread_ts"])
    assert call["title"] == messages.ASSISTANT_PROMPTS_TITLE
    assert [x["message"] for x in call["prompts"]] == [
        messages.ASSISTANT_PROMPT_DEADLINES,
        messages.ASSISTANT_PROMPT_PARTY.format(party=party),
        "hjälp",
    ]


def test_without_an_index_the_panel_suggests_how_to_ask(fake_slack, settings, run_bot):
    """No index to build prompts from: the one prompt is the usage text, and Slack accepts it."""
    run_bot(settings, Recorder())
    start_thread(fake_slack)
    call = fake_slack.calls("assistant.threads.setSuggestedPrompts", ok=True)[0].params
    assert call["prompts"] == [HELP_PROMPT]


def test_an_unreadable_index_gives_the_usage_prompt(fake_slack, settings, run_bot):
    """The index failing when the thread opens: greeting and the usage prompt, no error."""

    def broken(collections):
        raise OSError("index folder is gone")

    run_bot(settings, Recorder(), snapshot_fn=broken)
    start_thread(fake_slack)
    call = fake_slack.calls("assistant.threads.setSuggestedPrompts", ok=True)[0].params
    assert call["prompts"] == [HELP_PROMPT]
    assert fake_slack.calls("chat.postMessage")[0].params["text"] == messages.ASSISTANT_GREETING


def test_question_sets_title_and_status_and_is_answered_in_the_thread(
    fake_slack, settings, run_bot
):
    """A question in the panel: the thread is titled with it, shows 'Letar i avtalen …' before
    the answer, and the answer (sources, feedback buttons) is posted in the thread, no :eyes:."""
    recorder = Recorder(delay=0.2)
    run_bot(settings, recorder)
    started = start_thread(fake_slack)
    thread = started["assistant_thread"]
    send(fake_slack, p.assistant_message("Vad ska FoU Nordost göra?", started))
    answer = fake_slack.wait_calls("chat.postMessage", 2)[1]
    title = fake_slack.calls("assistant.threads.setTitle", ok=True)[0]
    status = fake_slack.calls("assistant.threads.setStatus", ok=True)[0]
    where = {"channel_id": thread["channel_id"], "thread_ts": thread["thread_ts"]}
    assert title.params.items() >= {**where, "title": "Vad ska FoU Nordost göra?"}.items()
    assert status.params.items() >= {**where, "status": messages.ASSISTANT_STATUS}.items()
    assert status.at < answer.at
    assert answer.params["channel"] == thread["channel_id"]
    assert answer.params["thread_ts"] == thread["thread_ts"]
    assert answer.params["text"].startswith("Svar: Vad ska FoU Nordost göra? [1]")
    blocks = json.dumps(answer.params["blocks"], ensure_ascii=False)
    assert "Samverkansavtal FoU Nordost" in blocks and messages.HELPED in blocks
    assert recorder.calls == [("Vad ska FoU Nordost göra?", ())]
    assert not fake_slack.calls("reactions.add") and not fake_slack.calls("reactions.remove")


def test_follow_up_in_the_panel_gets_the_threads_questions(fake_slack, settings, run_bot):
    """A second question in the thread is answered with the first as history; the title stays."""
    recorder = Recorder()
    run_bot(settings, recorder)
    started = start_thread(fake_slack)
    send(fake_slack, p.assistant_message("Vad ska FoU Nordost göra?", started))
    fake_slack.wait_calls("chat.postMessage", 2)
    send(fake_slack, p.assistant_message("och när?", started))
    reply = fake_slack.wait_calls("chat.postMessage", 3)[2].params
    assert recorder.calls == [
        ("Vad ska FoU Nordost göra?", ()),
        ("och när?", ("Vad ska FoU Nordost göra?",)),
    ]
    assert reply["thread_ts"] == started["assistant_thread"]["thread_ts"]
    assert len(fake_slack.calls("assistant.threads.setStatus", ok=True)) == 2
    assert len(fake_slack.calls("assistant.threads.setTitle")) == 1


def test_threads_are_kept_apart_and_help_is_not_answered(fake_slack, settings, run_bot):
    """Two panel threads have separate histories and titles; the 'hjälp' prompt gets the usage
    text and does not name the thread."""
    recorder = Recorder()
    run_bot(settings, recorder)
    first = start_thread(fake_slack)
    second = start_thread(fake_slack, count=2)
    send(fake_slack, p.assistant_message("Vad ska FoU Nordost göra?", first))
    fake_slack.wait_calls("chat.postMessage", 3)
    send(fake_slack, p.assistant_message("hjälp", second))
    send(fake_slack, p.assistant_message("Vem betalar?", second))
    posts = fake_slack.wait_calls("chat.postMessage", 5)
    titles = {c.params["title"] for c in fake_slack.calls("assistant.threads.setTitle")}
    assert titles == {"Vad ska FoU Nordost göra?", "Vem betalar?"}
    assert recorder.calls == [("Vad ska FoU Nordost göra?", ()), ("Vem betalar?", ())]
    usage = [c.params for c in posts if "Så ställer du en fråga" in c.params["text"]]
    assert usage and usage[0]["thread_ts"] == second["assistant_thread"]["thread_ts"]


def test_context_change_is_acknowledged_and_posts_nothing(fake_slack, settings, run_bot):
    """assistant_thread_context_changed (the user looks at another channel) is acked, and the
    greeting is not rewritten nor anything posted."""
    run_bot(settings, Recorder())
    start_thread(fake_slack)
    changed = p.assistant_thread_started(event="assistant_thread_context_changed")
    envelope = send(fake_slack, changed)
    fake_slack.wait_for(lambda: fake_slack.ack(envelope), what="the ack")
    time.sleep(0.2)
    assert len(fake_slack.calls("chat.postMessage")) == 1  # the greeting only
    assert not fake_slack.calls("chat.update") and not fake_slack.calls("conversations.replies")


def test_dm_answer_thread_is_not_taken_for_a_panel_thread(fake_slack, settings, run_bot):
    """A reply in the thread of a DM answer keeps the :eyes: reaction and gets no status."""
    recorder = Recorder()
    run_bot(settings, recorder)
    send(fake_slack, p.direct_message("Vad ska FoU Nordost göra?"))
    answer_ts = fake_slack.wait_calls("chat.postMessage")[0].result["ts"]
    fake_slack.wait_calls("reactions.remove")
    send(fake_slack, p.direct_message("och när?", thread_ts=answer_ts))
    fake_slack.wait_calls("reactions.remove", 2)
    assert recorder.calls[1] == ("och när?", ("Vad ska FoU Nordost göra?",))
    assert not fake_slack.calls("assistant.threads.setStatus")


def test_suggested_prompts_fit_slacks_limit():
    """At most four prompts, each a title and a message; None (no index) gives the usage one."""
    today = dt.date(2027, 1, 1)
    assert suggested_prompts(None, today) == [HELP_PROMPT]
    assert MAX_PROMPTS == 4


@pytest.mark.parametrize(
    ("method", "args", "missing"),
    [
        ("assistant_threads_setStatus", {"channel_id": "D1", "thread_ts": "", "status": "x"},
         "thread_ts"),
        ("assistant_threads_setTitle", {"channel_id": "", "thread_ts": "1.2", "title": "x"},
         "channel_id"),
        ("assistant_threads_setSuggestedPrompts", {"channel_id": "D1", "prompts": []}, "prompts"),
    ],
)  # fmt: skip
def test_fake_refuses_assistant_calls_as_slack_does(fake_slack, method, args, missing):
    """The fake answers invalid_arguments for a missing field or no prompts, as Slack does."""
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    with pytest.raises(SlackApiError) as raised:
        getattr(client, method)(**args)
    assert raised.value.response["error"] == "invalid_arguments"
    assert missing in json.dumps(raised.value.response["response_metadata"])


def test_panel_over_http_mode(fake_slack, make_settings, run_bot):
    """Signed Events API requests: a thread start is greeted with prompts and a question in it
    gets the status and its answer in the thread."""
    bot = run_bot(make_settings(mode="http"), Recorder())
    started = p.assistant_thread_started()
    assert post(bot.port, json.dumps(p.event_callback(started)))[0] == 200
    fake_slack.wait_calls("assistant.threads.setSuggestedPrompts")
    question = p.assistant_message("Vem betalar?", started)
    assert post(bot.port, json.dumps(p.event_callback(question)))[0] == 200
    answer = fake_slack.wait_calls("chat.postMessage", 2)[1].params
    assert answer["thread_ts"] == started["assistant_thread"]["thread_ts"]
    assert answer["text"].startswith("Svar: Vem betalar?")
    assert fake_slack.calls("assistant.threads.setStatus", ok=True)
