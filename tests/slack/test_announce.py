"""`python -m bot ingest --announce`: new and changed documents posted once to the digest
channel."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.slack.fake_slack import BOT_TOKEN, FakeSlack

ROOT = Path(__file__).resolve().parents[2]


def _ingest(
    corpus: Path, index: Path, fake: FakeSlack, **extra: str
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")} | {
        "EMBEDDING_MODEL": "hash",
        "INDEX_DIR": str(index),
        "CORPUS_DIR": str(corpus),
        "SLACK_API_URL": fake.api_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "DIGEST_CHANNEL": "C0DIGEST",
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "ingest", "--announce", str(corpus)],
        cwd=corpus.parent,  # outside the repo: a developer's .env is not read
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_announce_posts_new_and_changed_documents_once(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """The first run lists the new files; an unchanged run posts nothing; an edit is 'ändrat'."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "avtal.md").write_text("# Avtal\n\nKommunen ska erbjuda platser.\n", "utf-8")
    (corpus / "plan.md").write_text("# Plan\n\nRapporten lämnas senast den 30 april.\n", "utf-8")
    first = _ingest(corpus, tmp_path / "index", fake_slack)
    assert first.returncode == 0, first.stderr
    posts = fake_slack.wait_calls("chat.postMessage")
    assert posts[0].params["channel"] == "C0DIGEST"
    assert (
        "avtal.md – nytt" in posts[0].params["text"] and "plan.md – nytt" in posts[0].params["text"]
    )
    again = _ingest(corpus, tmp_path / "index", fake_slack)
    assert again.returncode == 0
    assert len(fake_slack.calls("chat.postMessage", ok=True)) == 1
    (corpus / "plan.md").write_text("# Plan\n\nRapporten lämnas senast den 15 maj.\n", "utf-8")
    _ingest(corpus, tmp_path / "index", fake_slack)
    last = fake_slack.wait_calls("chat.postMessage", count=2)[1].params["text"]
    assert "plan.md – ändrat" in last and "avtal.md" not in last


def test_announce_without_channel_is_a_clear_error_and_keeps_the_index(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """Without DIGEST_CHANNEL the run exits 2 naming the setting; the index is still published."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "avtal.md").write_text("# Avtal\n\nKommunen ska erbjuda platser.\n", "utf-8")
    out = _ingest(corpus, tmp_path / "index", fake_slack, DIGEST_CHANNEL="")
    assert out.returncode == 2
    assert "DIGEST_CHANNEL" in out.stderr and BOT_TOKEN not in out.stderr
    assert (tmp_path / "index" / "CURRENT").is_file()
    assert fake_slack.calls("chat.postMessage") == []


def test_announce_lists_only_what_the_digest_channel_may_see(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """A new document in ledning/ is not named in an unmapped digest channel (a run that adds
    only such documents posts nothing); mapped with SLACK_CHANNEL_COLLECTIONS, it is."""
    corpus = tmp_path / "corpus"
    (corpus / "ledning").mkdir(parents=True)
    (corpus / "avtal.md").write_text("# Avtal\n\nKommunen ska erbjuda platser.\n", "utf-8")
    (corpus / "ledning" / "utkast.md").write_text("# Utkast\n\nBudgeten sänks.\n", "utf-8")
    first = _ingest(corpus, tmp_path / "index", fake_slack)
    assert first.returncode == 0, first.stderr
    text = fake_slack.wait_calls("chat.postMessage")[0].params["text"]
    assert "avtal.md – nytt" in text and "utkast" not in text
    (corpus / "ledning" / "plan.md").write_text("# Plan\n\nInget nytt.\n", "utf-8")
    assert _ingest(corpus, tmp_path / "index", fake_slack).returncode == 0
    assert len(fake_slack.calls("chat.postMessage")) == 1  # nothing the channel may see
    (corpus / "ledning" / "mål.md").write_text("# Mål\n\nFler platser.\n", "utf-8")
    mapped = '{"C0DIGEST": ["ledning", "allmänt"]}'
    run = _ingest(corpus, tmp_path / "index", fake_slack, SLACK_CHANNEL_COLLECTIONS=mapped)
    assert run.returncode == 0, run.stderr
    last = fake_slack.wait_calls("chat.postMessage", count=2)[1].params["text"]
    assert "ledning/mål.md – nytt" in last
