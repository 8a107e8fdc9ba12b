"""Latency of the Slack layer: envelope sent -> answer received, through the real Bolt app.

Starts the loopback fake Slack from tests/slack, the real bot in Socket Mode against it, sends
questions as Events API envelopes (app_mention) and prints p50/p95 of the time from sending an
envelope to the fake receiving the chat.postMessage in that question's thread, and of the ack.

    python scripts/bench_slack.py              # trivial answer_fn: the Slack layer alone
    python scripts/bench_slack.py --burst      # all questions at once (queueing in the pool)
    python scripts/bench_slack.py --real       # the real answerer (needs the model and index)
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import SecretStr

from bot.slack import start_bot
from config import logs
from config.settings import Settings, SlackSettings
from retrieval.types import Answer, Citation
from tests.slack import payloads
from tests.slack.fake_slack import APP_TOKEN, BOT_TOKEN, PROXY_VARIABLES, FakeSlack

QUESTIONS = [
    "Vad ska FoU Nordost göra?",
    "Hur ofta träffas styrgruppen?",
    "Vem betalar för samverkan?",
    "När löper avtalet ut?",
    "Vilka kommuner ingår?",
]
SOURCE = Citation(1, "avtal.pdf", "Samverkansavtal", 2, "§ 5", "FoU Nordost ska samordna.", 0.9)


def trivial(question: str, history: Sequence[str]) -> Answer:
    """Answers at once with one source: measures the Slack layer only."""
    text = f"Svar [1]: {question}"
    return Answer(question=question, answered=True, text=text, citations=(SOURCE,))


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of `values` (seconds)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", action="store_true", help="use bot.answer.Answerer")
    parser.add_argument("-n", type=int, default=50, help="number of questions (default 50)")
    parser.add_argument("--burst", action="store_true", help="send all questions at once")
    parser.add_argument("--workers", type=int, default=4, help="SLACK_WORKERS (default 4)")
    args = parser.parse_args()
    # slack_sdk's Socket Mode client reads proxy variables and ignores NO_PROXY.
    for name in PROXY_VARIABLES:
        os.environ.pop(name, None)
    logs.configure(logging.WARNING)

    fake = FakeSlack().start()
    with tempfile.TemporaryDirectory() as data_dir:
        slack = SlackSettings(
            bot_token=SecretStr(BOT_TOKEN),
            app_token=SecretStr(APP_TOKEN),
            api_url=fake.api_url,
            workers=args.workers,
        )
        settings = Settings(data_dir=Path(data_dir), slack=slack)
        answer_fn = trivial
        if args.real:
            from bot.answer import Answerer

            answer_fn = Answerer(settings).answer
        bot = start_bot(settings, answer_fn)
        try:
            answer_times, ack_times = run(fake, args.n, args.burst)
        finally:
            bot.stop(wait=False)
            fake.stop()
    label = "real answerer" if args.real else "trivial answer_fn"
    mode = "burst" if args.burst else "one at a time"
    print(f"{args.n} questions, {label}, {mode}, {args.workers} workers")
    for name, values in (
        ("envelope -> chat.postMessage", answer_times),
        ("envelope -> ack", ack_times),
    ):
        print(
            f"{name:30s} p50 {percentile(values, 50) * 1000:7.1f} ms   "
            f"p95 {percentile(values, 95) * 1000:7.1f} ms   "
            f"max {max(values) * 1000:7.1f} ms   mean {statistics.fmean(values) * 1000:7.1f} ms"
        )
    return 0


def run(fake: FakeSlack, count: int, burst: bool) -> tuple[list[float], list[float]]:
    """Send `count` mentions; return seconds to the answer and to the ack of each."""
    sent: dict[str, tuple[float, str]] = {}
    for i in range(count):
        event = payloads.mention(f"{QUESTIONS[i % len(QUESTIONS)]} ({i})")
        envelope = fake.send("events_api", payloads.event_callback(event))
        sent[event["ts"]] = (envelope.sent_at, envelope.envelope_id)
        if not burst:
            fake.wait_calls("chat.postMessage", i + 1, timeout=120)
    fake.wait_calls("chat.postMessage", count, timeout=600)
    answered = {c.params["thread_ts"]: c.at for c in fake.calls("chat.postMessage", ok=True)}
    answer_times = [answered[ts] - at for ts, (at, _) in sent.items()]
    acks = {envelope_id: fake.ack(envelope_id) for _, envelope_id in sent.values()}
    ack_times = [ack.at - at for at, envelope_id in sent.values() if (ack := acks[envelope_id])]
    return answer_times, ack_times


if __name__ == "__main__":
    sys.exit(main())
