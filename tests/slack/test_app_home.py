"""The App Home (issue 9, part 2): app_home_opened -> views.publish through the real Bolt app,
over Socket Mode and HTTP, from a real index (hash embedder: fast) that is re-published."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answer import Answerer
from bot.slack import messages
from bot.slack.home import MAX_BLOCKS, document_blocks
from config.settings import DigestSettings, Settings
from ingest.pipeline import IngestOptions, ingest
from retrieval.embedder import HashEmbedder
from retrieval.index import open_current
from tests.slack import payloads as p
from tests.slack.fake_slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.slack.test_http_mode import post

ROOT = Path(__file__).resolve().parents[2]
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december")  # fmt: skip


def swedish(day: dt.date) -> str:
    """'5 januari 2027'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def in_weeks(weeks: float) -> dt.date:
    """A date `weeks` from today in Stockholm (the App Home's clock)."""
    return dt.datetime.now(ZoneInfo("Europe/Stockholm")).date() + dt.timedelta(weeks=weeks)


def write_agreement(corpus: Path, name: str, title: str, due: dt.date) -> None:
    """A small agreement with one deadline."""
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / name).write_text(
        f"# {title}\n\nDetta avtal gäller samverkan om verksamhetsförlagd utbildning.\n\n"
        f"## Rapportering\n\nKommunen ska lämna verksamhetsberättelsen senast den "
        f"{swedish(due)}.\n",
        "utf-8",
    )


def index(corpus: Path, folder: Path) -> None:
    """Ingest `corpus` into `folder` (publishing a new version when something changed)."""
    emb = HashEmbedder()
    report = ingest([corpus], IngestOptions(index_dir=folder, corpus_dir=corpus), emb.name,
                    lambda: emb)  # fmt: skip
    assert not report.failed, report.failed


@pytest.fixture
def home_settings(make_settings, tmp_path: Path):
    """Settings factory for a bot over tmp_path/index with the digest on Wednesdays 09:30."""

    def make(**slack) -> Settings:
        base = make_settings(**slack)
        digest = DigestSettings(channel="C0DIGEST", weekday=2, time="09:30")
        return base.model_copy(update={"index_dir": tmp_path / "index", "digest": digest})

    return make


def start(run_bot, settings: Settings):
    """The real bot with the Answerer's snapshot as the App Home's, as `bot serve` wires it."""
    answerer = Answerer(settings, embedder=HashEmbedder(), load_model=False)
    return run_bot(settings, answerer.answer, snapshot_fn=answerer.snapshot_for)


def texts(view: dict) -> str:
    """Everything the view shows, as one string."""
    return json.dumps(view["blocks"], ensure_ascii=False)


def open_home(fake: FakeSlack, user: str = "U0ASKER", count: int = 1) -> dict:
    """Open the Home tab over Socket Mode; the view published for the `count`-th time."""
    fake.send("events_api", p.event_callback(p.app_home_opened(user)))
    call = fake.wait_calls("views.publish", count)[count - 1]
    assert call.params["user_id"] == user
    view = fake.home_view(user)
    assert view is not None
    return view


def test_home_shows_deadlines_documents_digest_and_how_to_ask(
    fake_slack, home_settings, run_bot, tmp_path
):
    """Opening the Home tab publishes the coming eight weeks' deadlines with their source, the
    documents with type and when they changed, the digest's channel and day, and how to ask;
    a deadline ten weeks away is left out."""
    corpus = tmp_path / "corpus"
    soon, later = in_weeks(3), in_weeks(10)
    write_agreement(corpus, "avtal-nordost.md", "Samverkansavtal FoU Nordost", soon)
    write_agreement(corpus, "avtal-sodertorn.md", "Samverkansavtal Södertörn", later)
    index(corpus, tmp_path / "index")
    start(run_bot, home_settings())
    shown = texts(open_home(fake_slack))
    assert f"*{soon.isoformat()}*" in shown and "verksamhetsberättelsen" in shown
    assert "Samverkansavtal FoU Nordost, s. 1 (avtal-nordost.md)" in shown  # its source
    assert f"*{later.isoformat()}*" not in shown  # not as a deadline
    assert "Samverkansavtal Södertörn" in shown  # listed among the documents
    assert "ändrat " in shown and messages.HOME_DOCUMENTS.format(count=2) in shown
    assert "<#C0DIGEST>" in shown and "onsdagar kl. 09:30" in shown
    assert "`/avtal din fråga`" in shown


def test_home_shows_a_new_index_version_without_a_restart(
    fake_slack, home_settings, run_bot, tmp_path
):
    """A document ingested while the bot runs is on the Home tab the next time it is opened."""
    corpus = tmp_path / "corpus"
    write_agreement(corpus, "avtal-nordost.md", "Samverkansavtal FoU Nordost", in_weeks(2))
    index(corpus, tmp_path / "index")
    start(run_bot, home_settings())
    assert "Avtal med Karolinska" not in texts(open_home(fake_slack))
    added = in_weeks(5)
    write_agreement(corpus, "avtal-ki.md", "Avtal med Karolinska", added)
    index(corpus, tmp_path / "index")
    shown = texts(open_home(fake_slack, count=2))
    assert "Avtal med Karolinska" in shown and f"*{added.isoformat()}*" in shown


def test_messages_tab_publishes_nothing(fake_slack, home_settings, run_bot, tmp_path):
    """app_home_opened for the Messages tab is acknowledged and leaves the Home view alone."""
    write_agreement(tmp_path / "corpus", "a.md", "Avtal", in_weeks(1))
    index(tmp_path / "corpus", tmp_path / "index")
    start(run_bot, home_settings())
    envelope = fake_slack.send("events_api", p.event_callback(p.app_home_opened(tab="messages")))
    fake_slack.wait_for(lambda: fake_slack.ack(envelope.envelope_id), what="ack")
    time.sleep(0.3)
    assert fake_slack.calls("views.publish") == []


def test_a_long_register_is_trimmed_to_slacks_limits(fake_slack, home_settings, run_bot, tmp_path):
    """150 documents, each with a deadline in the coming weeks: the view keeps to 100 blocks and
    3,000 characters a section (the fake refuses more, as Slack does) and says how many more
    deadlines and documents there are."""
    corpus = tmp_path / "corpus"
    for n in range(150):
        write_agreement(
            corpus, f"avtal-{n:03d}.md", f"Lokalt avtal nummer {n}", in_weeks(1 + n % 7)
        )
    index(corpus, tmp_path / "index")
    start(run_bot, home_settings())
    view = open_home(fake_slack)
    assert len(view["blocks"]) <= MAX_BLOCKS
    shown = texts(view)
    assert "… och 130 till." in shown  # 20 of 150 deadlines shown
    assert shown.count("• *Lokalt avtal nummer") == 150  # 15 sections of 10 documents
    assert "<#C0DIGEST>" in shown  # the digest still fits after the long lists
    # with less room (more documents than 50 sections hold), the documents are cut the same way
    tight = document_blocks(open_current(tmp_path / "index"), ZoneInfo("UTC"), room=5)
    assert len(tight) == 5 and tight[-1]["elements"][0]["text"] == "… och 120 till."


def test_home_over_http_mode(fake_slack, home_settings, run_bot, tmp_path):
    """A signed app_home_opened over HTTP gets 200 at once and the view is published."""
    write_agreement(tmp_path / "corpus", "a.md", "Avtal om VFU", in_weeks(1))
    index(tmp_path / "corpus", tmp_path / "index")
    bot = start(run_bot, home_settings(mode="http"))
    status, _, seconds = post(bot.port, json.dumps(p.event_callback(p.app_home_opened("U0HTTP"))))
    assert status == 200 and seconds < 0.5
    fake_slack.wait_calls("views.publish")
    view = fake_slack.home_view("U0HTTP")
    assert view is not None and "Avtal om VFU" in texts(view)


def test_home_without_an_index_says_so_and_still_shows_how_to_ask(
    fake_slack, home_settings, run_bot, tmp_path
):
    """When the index cannot be read at that moment the view says so instead of failing."""
    write_agreement(tmp_path / "corpus", "a.md", "Avtal", in_weeks(1))
    index(tmp_path / "corpus", tmp_path / "index")
    settings = home_settings()
    answerer = Answerer(settings, embedder=HashEmbedder(), load_model=False)

    def broken(collections):
        raise OSError("index folder unreadable")

    run_bot(settings, answerer.answer, snapshot_fn=broken)
    shown = texts(open_home(fake_slack))
    assert messages.HOME_INDEX_ERROR in shown and "`/avtal din fråga`" in shown


def test_fake_slack_refuses_views_as_slack_does(fake_slack):
    """views.publish with 101 blocks, a long section or no user_id: invalid_arguments; a
    message of 51 blocks: invalid_blocks."""
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    divider = {"type": "divider"}
    long_section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    for user, blocks in (("U1", [divider] * 101), ("U1", [long_section]), ("", [divider])):
        with pytest.raises(SlackApiError) as caught:
            client.views_publish(user_id=user, view={"type": "home", "blocks": blocks})
        assert caught.value.response["error"] == "invalid_arguments"
        assert caught.value.response["response_metadata"]["messages"][0].startswith("[ERROR]")
    client.views_publish(user_id="U1", view={"type": "home", "blocks": [divider] * 100})
    assert fake_slack.home_view("U1") is not None
    with pytest.raises(SlackApiError) as refused:  # a message allows 50 blocks
        client.chat_postMessage(channel="C1", text="x", blocks=[divider] * 51)
    assert refused.value.response["error"] == "invalid_blocks"


def test_fake_slack_opens_a_modal_once_per_trigger_as_slack_does(fake_slack):
    """views.open without trigger_id, with a home view or a title over 24 characters:
    invalid_arguments; the same trigger used twice: expired_trigger_id."""
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    title = {"type": "plain_text", "text": "Vad saknades?"}
    modal = {"type": "modal", "callback_id": "c", "title": title, "blocks": []}
    long_title = {**modal, "title": {"type": "plain_text", "text": "x" * 25}}
    for trigger, view in (("", modal), ("t1", {"type": "home", "blocks": []}), ("t1", long_title)):
        with pytest.raises(SlackApiError) as caught:
            client.views_open(trigger_id=trigger, view=view)
        assert caught.value.response["error"] == "invalid_arguments"
    opened = client.views_open(trigger_id="t1", view=modal)
    assert opened["view"]["callback_id"] == "c" and opened["view"]["id"].startswith("V")
    with pytest.raises(SlackApiError) as again:
        client.views_open(trigger_id="t1", view=modal)
    assert again.value.response["error"] == "expired_trigger_id"
    assert len(fake_slack.opened_views()) == 1


def test_bot_serve_publishes_the_home_and_follows_a_new_index(fake_slack, tmp_path):
    """`python -m bot serve` as a process (EMBEDDING_MODEL=hash): the Home tab shows the index,
    then a document ingested while it runs, without a restart; a decline in a channel carries
    "Fråga en människa" since SLACK_ESCALATION_USERS is set."""
    corpus, folder = tmp_path / "corpus", tmp_path / "index"
    write_agreement(corpus, "avtal-nordost.md", "Samverkansavtal FoU Nordost", in_weeks(2))
    index(corpus, folder)
    env = dict(os.environ)
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=fake_slack.api_url,
        SLACK_ESCALATION_USERS="U0COORD",
        INDEX_DIR=str(folder),
        DATA_DIR=str(tmp_path / "var"),
        EMBEDDING_MODEL="hash",
        DIGEST_CHANNEL="C0DIGEST",
        DIGEST_WEEKDAY="6",
        DIGEST_TIME="23:59",  # not due while the test runs (unless on a Sunday at 23:59)
        PYTHONPATH=str(ROOT),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        cwd=tmp_path, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        fake_slack.wait_for(lambda: fake_slack.open_sockets() == 1, 60, "bot connected")
        assert "Samverkansavtal FoU Nordost" in texts(open_home(fake_slack))
        write_agreement(corpus, "avtal-ki.md", "Avtal med Karolinska", in_weeks(4))
        index(corpus, folder)
        assert "Avtal med Karolinska" in texts(open_home(fake_slack, count=2))
        fake_slack.send("events_api", p.event_callback(p.mention("Vad kostar en pizza på Mars?")))
        reply = fake_slack.wait_calls("chat.postMessage")[0].params
        actions = [b for b in reply["blocks"] if b["type"] == "actions"]
        assert "escalate_ask" in json.dumps(actions), reply["text"]
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert BOT_TOKEN not in err and APP_TOKEN not in err
