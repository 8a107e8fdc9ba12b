"""App Home at size: how long building and publishing the Home tab takes on a large index.

Writes a synthetic index (random vectors, no model) of N chunks in documents of 20 chunks,
each document with deadlines spread over the coming year, starts the loopback fake Slack from
tests/slack and the real bot in Socket Mode against it, wired as `python -m bot serve` wires it
(the Answerer's snapshot), opens the Home tab R times and prints p50/p95 of building the view
from the index (a new AppHome each time: the bot keeps the view per version and day) and of
envelope sent -> views.publish received by the fake (the first open builds, the rest reuse),
and the view's blocks and bytes. Then clicks **Hämta kalenderfil** `--clicks` times and prints
how long the calendar file takes from the click to files.completeUploadExternal received by
the fake (build from the register, conversations.open, the three upload steps on loopback;
the first click builds the file, later ones reuse it), with the file's size and events.
Prints figures, asserts nothing.

    python scripts/bench_home.py [--chunks 10000] [--rounds 30] [--clicks 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import SecretStr

from bot.answer import Answerer
from bot.slack import start_bot
from bot.slack.calendar_file import ACTION_CALENDAR
from bot.slack.home import AppHome
from config import logs
from config.settings import DigestSettings, Settings, SlackSettings
from ingest.writer import IndexedChunk, SentenceRow, publish, write_version
from retrieval.embedder import HashEmbedder
from retrieval.register import Deadline, Register
from retrieval.types import Chunk, DocType, DocumentMeta
from tests.slack import payloads
from tests.slack.fake_slack import APP_TOKEN, BOT_TOKEN, PROXY_VARIABLES, FakeSlack

PER_DOC = 20
DEADLINES_PER_DOC = 3


def synthetic_index(index: Path, n: int, embedder: HashEmbedder) -> tuple[int, int]:
    """An index of `n` chunks with a register; (documents, deadlines) written."""
    rng = np.random.default_rng(7)
    today = dt.date.today()
    docs, entries, sentences, deadlines = [], [], [], []
    changed = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for d in range(n // PER_DOC):
        path = f"syntetisk/avtal-{d:05d}.md"
        docs.append(
            DocumentMeta(path, f"Lokalt samverkansavtal {d}", f"{d:064x}", "md",
                         date="2024-01-15", doctype=DocType.AGREEMENT, changed=changed)
        )  # fmt: skip
        for c in range(PER_DOC):
            text = f"Kommunen ska erbjuda {c + 1} platser för verksamhetsförlagd utbildning {d}."
            chunk = Chunk(path, text, 1 + c // 5, f"{c % 9 + 1} Avsnitt", c)
            sentences.append(SentenceRow(len(entries), text, f"s{d}-{c}"))
            entries.append(IndexedChunk(chunk, text, f"k{d}-{c}"))
        for k in range(DEADLINES_PER_DOC):
            due = today + dt.timedelta(days=int(rng.integers(0, 365)))
            quote = f"Rapporten ska lämnas senast den {due.isoformat()}."
            deadlines.append(Deadline(path, 1, "Rapportering", quote, f"lämna rapport {k}",
                                      "Kommunen", date=due.isoformat()))  # fmt: skip
    vectors = rng.normal(size=(len(entries), embedder.dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    register = Register(deadlines=tuple(deadlines))
    version = write_version(index, docs, entries, vectors, sentences, vectors, embedder.name,
                            250_000, True, register)  # fmt: skip
    publish(index, version)
    return len(docs), len(deadlines)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--clicks", type=int, default=5)
    args = parser.parse_args()
    for name in PROXY_VARIABLES:  # slack_sdk's Socket Mode client ignores NO_PROXY
        os.environ.pop(name, None)
    logs.configure(logging.WARNING)
    embedder = HashEmbedder()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        documents, deadlines = synthetic_index(Path(tmp) / "index", args.chunks, embedder)
        written = time.perf_counter() - start
        fake = FakeSlack().start()
        slack = SlackSettings(
            bot_token=SecretStr(BOT_TOKEN), app_token=SecretStr(APP_TOKEN), api_url=fake.api_url
        )
        settings = Settings(
            index_dir=Path(tmp) / "index",
            data_dir=Path(tmp) / "var",
            slack=slack,
            digest=DigestSettings(channel="C0DIGEST"),
        )
        answerer = Answerer(settings, embedder=embedder, load_model=False)
        builds = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            view = AppHome(settings, lambda: answerer.snapshot).view()
            builds.append(time.perf_counter() - t0)
        bot = start_bot(settings, answerer.answer, snapshot_fn=lambda: answerer.snapshot)
        rounds = []
        try:
            for i in range(args.rounds):
                envelope = fake.send("events_api", payloads.event_callback(
                    payloads.app_home_opened(f"U{i:06d}")))  # fmt: skip
                call = fake.wait_calls("views.publish", i + 1)[i]
                rounds.append(call.at - envelope.sent_at)
            clicks = []
            for i in range(args.clicks):
                user = f"U{i:06d}"
                click = payloads.home_button_click(
                    fake.home_view(user) or {}, ACTION_CALENDAR, user
                )
                envelope = fake.send("interactive", click)
                done = fake.wait_calls("files.completeUploadExternal", i + 1, timeout=120)[i]
                clicks.append(done.at - envelope.sent_at)
            upload = fake.uploads()[-1] if args.clicks else None
        finally:
            bot.stop()
            fake.stop()
    figures = {
        "chunks": args.chunks,
        "documents": documents,
        "deadlines_in_register": deadlines,
        "index_written_seconds": round(written, 1),
        "view_blocks": len(view["blocks"]),
        "view_bytes": len(json.dumps(view, ensure_ascii=False).encode()),
        "build_ms_p50": round(statistics.median(builds) * 1000, 1),
        "build_ms_p95": round(percentile(builds, 95) * 1000, 1),
        "opened_to_published_ms_p50": round(statistics.median(rounds) * 1000, 1),
        "opened_to_published_ms_p95": round(percentile(rounds, 95) * 1000, 1),
        "first_opened_to_published_ms": round(rounds[0] * 1000, 1),
        "rounds": args.rounds,
    }
    if upload is not None:
        figures |= {
            "calendar_events": upload.data.count(b"BEGIN:VEVENT"),
            "calendar_bytes": len(upload.data),
            "first_click_to_file_shared_ms": round(clicks[0] * 1000, 1),  # builds the file
            "later_clicks_to_file_shared_ms_p50": round(
                statistics.median(clicks[1:] or clicks) * 1000, 1
            ),
            "clicks": args.clicks,
        }
    width = max(len(k) for k in figures)
    print("\n".join(f"{k:<{width}}  {v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
