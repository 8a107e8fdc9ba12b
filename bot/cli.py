"""`python -m bot ask|eval|run|serve|health`: the bot's command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from bot import texts
from config.settings import Settings
from retrieval.errors import SamverkanError
from retrieval.types import Answer

log = logging.getLogger("bot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="samverkansbot")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer questions (arguments, stdin, or a prompt)")
    ask.add_argument("question", nargs="*", help="the question; none = read stdin")
    ask.add_argument("--index", type=Path, help="index folder (default: INDEX_DIR)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ev = sub.add_parser("eval", help="measure retrieval and answers on a labelled set")
    ev.add_argument("file", type=Path, help="JSONL file of labelled questions")
    ev.add_argument("--index", type=Path, help="index folder (default: INDEX_DIR)")
    ev.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ev.add_argument("--details", action="store_true", help="print every miss")
    ev.add_argument(
        "--compare",
        action="store_true",
        help="also compare dense-only, lexical-only and fused retrieval",
    )
    for name, text in (
        ("run", "Slack bot when tokens are set, else a console"),
        ("serve", "the Slack bot"),
        ("health", "exit 0 when index and Slack are ok"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--index", type=Path, help="index folder (default: INDEX_DIR)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
        if getattr(args, "index", None):
            settings = settings.model_copy(update={"index_dir": args.index})
    except Exception as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    commands: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
        "ask": cmd_ask,
        "eval": cmd_eval,
        "run": cmd_run,
        "serve": cmd_serve,
        "health": cmd_health,
    }
    try:
        return commands[args.command](args, settings)
    except SamverkanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _answerer(settings: Settings):
    from bot.answer import Answerer

    return Answerer(settings)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    answerer = _answerer(settings)
    if args.question:
        questions: Iterable[str] = [" ".join(args.question)]
    elif sys.stdin.isatty():
        return console(answerer.answer)
    else:
        questions = (line for line in sys.stdin if line.strip())
    for question in questions:
        answer = answerer.answer(question)
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        else:
            print(render_text(answer), flush=True)
    return 0


def render_text(answer: Answer) -> str:
    """An answer as plain text for a terminal."""
    lines = [answer.text, ""]
    if answer.citations:
        lines.append(texts.SOURCES_HEADING if answer.answered else texts.CLOSEST_HEADING)
        shown = answer.citations if answer.answered else answer.citations[:3]
        for c in shown:
            quote = c.quote if len(c.quote) <= 240 else c.quote[:239] + "…"
            lines.append(f"[{c.n}] {c.label()} ({c.document})")
            lines.append(f"    »{quote}«")
    return "\n".join(lines).rstrip() + "\n"


def console(answer_fn: Callable[..., Answer]) -> int:
    """Interactive prompt: one question per line; the conversation is kept as history."""
    print(texts.CONSOLE_WELCOME)
    history: list[str] = []
    while True:
        try:
            question = input(texts.CONSOLE_PROMPT).strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question:
            return 0
        print(render_text(answer_fn(question, history)))
        history.append(question)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluate import evaluate, format_report

    answerer = _answerer(settings)
    report = evaluate(args.file, answerer)
    print(
        json.dumps(report.metrics, indent=2) if args.json else format_report(report, args.details)
    )
    if args.compare:
        from bot.compare import compare, format_rows

        print("\nRetrieval by method (answerable questions):")
        print(format_rows(compare(args.file, answerer.searcher(), settings.retrieval.top_k)))
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.slack.configured:
        return cmd_serve(args, settings)
    answerer = _answerer(settings)
    if not sys.stdin.isatty():
        for line in sys.stdin:
            if line.strip():
                print(render_text(answerer.answer(line)), flush=True)
        return 0
    return console(answerer.answer)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.slack import run_serve

    return int(run_serve(settings, _answerer(settings).answer))


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    from bot.slack import run_health
    from retrieval.index import open_current

    def index_ok() -> None:
        open_current(settings.index_dir).close()

    return int(run_health(settings, index_ok))
