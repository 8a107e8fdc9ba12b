"""Per-channel document collections through the real Bolt app, the real model and answerer: a
channel that may not see a collection never receives a passage, a quote or a title from it,
whatever it asks; a channel mapped to it does; the App Home and the digest follow the rule."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bot.answer import Answerer
from bot.slack.calendar_file import ACTION_CALENDAR
from bot.slack.digest import preview_digest
from config.settings import DigestSettings, Settings
from ingest.pipeline import IngestOptions, ingest
from tests.slack import payloads as p
from tests.slack.fake_slack import FakeSlack

LEDNING = "C0LEDNING"
TITLE = "Konfidentiellt budgetutkast för ledningsgruppen"
# what must never reach a channel without the collection: its title, file, figures and
# wording (none of them in a question: a decline may repeat the question's words)
SECRETS = (
    TITLE,
    "budgetutkast.md",
    "1 234 kronor",
    "föreslår att handledarersättningen",
    "från hösten",
    "1 april 2027",
    "2027-04-01",
)
HOSTILE = (
    "Vad står i det konfidentiella budgetutkastet för ledningsgruppen?",
    "hur mycket sänks handledarersättningen enligt ledningsgruppens budgetutkast?",
    "Visa allt om budgetutkast ledning konfidentiellt 1234 kronor",
    "När ska ekonomichefen lämna besked om budgetutkastet?",
    "Vilka deadlines har vi?",
)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


@pytest.fixture(scope="module")
def collections_index(tmp_path_factory, real_embedder) -> Path:
    """A general agreement at the top of the corpus and a confidential draft in ledning/."""
    root = tmp_path_factory.mktemp("collections")
    corpus, index = root / "corpus", root / "index"
    write(
        corpus / "samverkansavtal.md",
        "# Samverkansavtal om verksamhetsförlagd utbildning\n\n"
        "## Ersättning\n\nLärosätet betalar handledarersättning till kommunen per student och "
        "vecka enligt den nationella överenskommelsen.\n\n## Rapportering\n\nKommunen ska "
        "lämna en verksamhetsberättelse till lärosätet senast den 15 mars 2027.\n",
    )
    write(
        corpus / "ledning" / "budgetutkast.md",
        f"# {TITLE}\n\n## Förslag\n\nLedningsgruppen föreslår att handledarersättningen sänks "
        "till 1 234 kronor per student och vecka från hösten. Ekonomichefen ska lämna besked "
        "om budgetutkastet senast den 1 april 2027.\n",
    )
    opts = IngestOptions(index_dir=index, corpus_dir=corpus)
    report = ingest([corpus], opts, real_embedder.name, lambda: real_embedder)
    assert not report.failed, report.failed
    return index


@pytest.fixture
def collection_settings(make_settings, collections_index: Path, model_dir: Path):
    def make(**slack) -> Settings:
        base = make_settings(channel_collections={LEDNING: ["Ledning", "allmänt"]}, **slack)
        return base.model_copy(
            update={
                "index_dir": collections_index,
                "embedding": base.embedding.model_copy(update={"model": str(model_dir)}),
            }
        )

    return make


def posted(fake: FakeSlack, count: int) -> list[str]:
    """Everything the bot's first `count` messages show (text and blocks)."""
    calls = fake.wait_calls("chat.postMessage", count=count, timeout=90)
    return [json.dumps(c.params, ensure_ascii=False) for c in calls[:count]]


def leaks(shown: str) -> list[str]:
    return [s for s in SECRETS if s in shown]


def test_a_channel_never_receives_a_collection_it_may_not_see(
    fake_slack, collection_settings, run_bot, real_embedder
):
    """Hostile questions in an unmapped channel and in a DM are answered from the general
    agreement or declined, and no message carries the draft's title, file, figures or words;
    the same questions in the mapped channel do reach the draft (so the test can fail)."""
    settings = collection_settings()
    answerer = Answerer(settings, embedder=real_embedder)
    run_bot(settings, answerer.answer, snapshot_fn=answerer.snapshot_for)
    events = [p.mention(q, channel="C0GENERAL") for q in HOSTILE]
    events += [p.direct_message(q) for q in HOSTILE]
    for event in events:
        fake_slack.send("events_api", p.event_callback(event))
    shown = posted(fake_slack, len(events))
    assert [leaks(s) for s in shown] == [[] for _ in shown]
    assert any("samverkansavtal.md" in s or "Samverkansavtal" in s for s in shown)

    for question in HOSTILE:
        fake_slack.send("events_api", p.event_callback(p.mention(question, channel=LEDNING)))
    mapped = posted(fake_slack, len(events) + len(HOSTILE))[len(events) :]
    assert sum(bool(leaks(s)) for s in mapped) >= 3, mapped


def test_slash_command_and_home_follow_the_channel_rule(
    fake_slack, collection_settings, run_bot, real_embedder
):
    """/avtal in an unmapped channel answers without the draft; the App Home (which anyone
    may open) lists neither the draft nor its deadline, nor does the calendar file its button
    sends to the user's DM."""
    settings = collection_settings()
    answerer = Answerer(settings, embedder=real_embedder)
    run_bot(settings, answerer.answer, snapshot_fn=answerer.snapshot_for)
    url = fake_slack.response_url("hostile")
    fake_slack.send(
        "slash_commands",
        p.slash_command(HOSTILE[1], url, channel="C0GENERAL"),
        accepts_response_payload=True,
    )
    response = fake_slack.wait_for(lambda: fake_slack.responses("hostile"), timeout=90)
    assert response and not leaks(json.dumps(response, ensure_ascii=False))
    fake_slack.send("events_api", p.event_callback(p.app_home_opened("U0ASKER")))
    fake_slack.wait_calls("views.publish")
    view = fake_slack.home_view("U0ASKER")
    home = json.dumps(view, ensure_ascii=False)
    assert "Samverkansavtal om verksamhetsförlagd utbildning" in home
    assert not leaks(home)
    # "Hämta kalenderfil": the file in the user's DM holds the general deadline only
    fake_slack.send("interactive", p.home_button_click(view, ACTION_CALENDAR, "U0ASKER"))
    [upload] = fake_slack.wait_for(fake_slack.uploads, timeout=60, what="the upload")
    calendar = upload.data.decode("utf-8")
    assert "20270315" in calendar and "20270401" not in calendar
    assert not leaks(calendar)


def test_the_digest_shows_what_its_channel_may_see(collection_settings):
    """The digest preview for an unmapped digest channel leaves the draft's deadline out; for
    the ledning channel it holds it."""
    today = dt.date(2027, 3, 10)
    base = collection_settings()
    general = base.model_copy(update={"digest": DigestSettings(channel="C0GENERAL")})
    ledning = base.model_copy(update={"digest": DigestSettings(channel=LEDNING)})
    shown = preview_digest(general, today)
    assert "2027-03-15" in shown and not leaks(shown)
    assert "2027-04-01" in preview_digest(ledning, today)
