"""`python -m bot ask|eval|run|serve|health|deadlines|obligations|digest|gaps|ingest|migrate`: the
command line, where answering, Slack, ingestion and evaluation are put together."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from bot import texts
from config import logs
from config.settings import Settings
from retrieval.errors import SamverkanError
from retrieval.types import Answer

log = logging.getLogger(__name__)


SERVICES = frozenset({"run", "serve"})  # long-running: their log keeps every library's lines


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="samverkansbot")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer questions (arguments, stdin, or a prompt)")
    ask.add_argument("question", nargs="*", help="the question; none = read stdin")
    ask.add_argument("--index", type=Path, help="index folder (default: INDEX_DIR)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument(
        "--explain", action="store_true", help="with --json: each feature's contribution"
    )
    _channel_option(ask, "answer")
    ev = sub.add_parser("eval", help="measure retrieval and answers on a labelled set")
    ev.add_argument("file", type=Path, nargs="+", help="JSONL files of labelled questions")
    ev.add_argument(
        "--cv",
        action="store_true",
        help="cross-validate the answer model grouped by document (trains a model per fold)",
    )
    ev.add_argument("--index", type=Path, help="index folder (default: INDEX_DIR)")
    ev.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ev.add_argument("--details", action="store_true", help="print every miss")
    ev.add_argument(
        "--compare",
        action="store_true",
        help="also compare dense-only, lexical-only and fused retrieval",
    )
    _register_parsers(sub)
    sub.add_parser(  # handled by cmd_ingest before parsing: listed here for --help
        "ingest", help="python -m ingest, with --announce to post new and changed documents"
    )
    mg = sub.add_parser("migrate", help="create or upgrade the PostgreSQL schema")
    mg.add_argument("--dsn", help="PostgreSQL URL (default: DATABASE_URL)")
    for name, text in (
        ("run", "Slack bot when tokens are set, else a console"),
        ("serve", "the Slack bot"),
        ("health", "exit 0 when index and Slack are ok"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--index", type=Path, help="index folder (default: INDEX_DIR)")
    for p in sub.choices.values():
        p.add_argument(
            "-v", "--verbose", action="store_true", help="log INFO lines, the libraries' too"
        )
    return parser


def _register_parsers(sub: argparse._SubParsersAction) -> None:
    """deadlines, obligations and digest."""
    dl = sub.add_parser("deadlines", help="upcoming deadlines from the documents")
    dl.add_argument("--today", type=_date, help="count from this date (default: today)")
    dl.add_argument("--days", type=int, default=90, help="days ahead (default 90)")
    dl.add_argument(
        "--ics",
        type=Path,
        metavar="FILE",
        help="write every deadline with a known date, past ones included, to FILE as an "
        "iCalendar file instead of listing them (--today, --days and --json are for the list); "
        "relative deadlines without a date are left out and counted",
    )
    ob = sub.add_parser("obligations", help="what the documents commit each party to")
    ob.add_argument("--party", default="", help="only this party (any spelling)")
    for p in (dl, ob):
        p.add_argument(
            "--templates", action="store_true", help="also list what templates say (left out)"
        )
        _channel_option(p, "list")
    dg = sub.add_parser("digest", help="build (and post) the weekly digest")
    dg.add_argument("--today", type=_date, help="build it as of this date (default: today)")
    dg.add_argument("--dry-run", action="store_true", help="print it as text, do not post")
    for p in (dl, ob, dg):
        p.add_argument("--index", type=Path, help="index folder (default: INDEX_DIR)")
        p.add_argument("--json", action="store_true", help="one JSON object per line")
    gp = sub.add_parser("gaps", help="declined and 'Hjälpte inte' questions, grouped by similarity")
    gp.add_argument("--since", type=_date, help="from this date (default: GAPS_DAYS ago)")
    gp.add_argument("--until", type=_date, help="up to and including this date (default: today)")
    gp.add_argument(
        "--threshold",
        type=float,
        help="cosine distance up to which questions are grouped (default: GAPS_THRESHOLD)",
    )
    gp.add_argument("--json", action="store_true", help="one JSON object per group")


def _channel_option(parser: argparse.ArgumentParser, verb: str) -> None:
    parser.add_argument(
        "--channel",
        metavar="ID",
        help=f"{verb} from the documents Slack channel ID may see (SLACK_CHANNEL_COLLECTIONS; "
        "an unmapped channel or DM sees the default collection); default: every document",
    )


def _collections(args: argparse.Namespace, settings: Settings) -> frozenset[str] | None:
    """What --channel may see; None (every document) without it."""
    channel = getattr(args, "channel", None)
    return None if channel is None else settings.slack.collections_for(channel)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2016-12-14") from exc


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["ingest"]:
        return cmd_ingest(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
        if getattr(args, "index", None):
            settings = settings.model_copy(update={"index_dir": args.index})
        logs.configure(
            settings.log_level,
            args.verbose,
            console=is_console(args, settings),
            # the one-shot commands print their results: the libraries' start-up lines are for -v
            quiet_libraries=args.command not in SERVICES,
        )
    except Exception as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    commands: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
        "ask": cmd_ask,
        "eval": cmd_eval,
        "run": cmd_run,
        "serve": cmd_serve,
        "health": cmd_health,
        "migrate": cmd_migrate,
        "deadlines": cmd_deadlines,
        "obligations": cmd_obligations,
        "digest": cmd_digest,
        "gaps": cmd_gaps,
    }
    try:
        return commands[args.command](args, settings)
    except SamverkanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def cmd_ingest(argv: list[str]) -> int:
    """`python -m bot ingest [PATH ...] [--json] [--announce]`: ingestion where it meets Slack."""
    from bot.slack.announce import announce
    from ingest.__main__ import main as ingest_main

    return ingest_main(argv, announcer=announce, prog="python -m bot ingest")


def is_console(args: argparse.Namespace, settings: Settings) -> bool:
    """`ask`, and `run` without Slack: the terminal shows questions and answers, not logs."""
    return args.command == "ask" or (args.command == "run" and not settings.slack.configured)


def _answerer(settings: Settings):
    from bot.answer import Answerer  # the local index, or PostgreSQL with DATABASE_URL

    return Answerer(settings)


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    answerer = _answerer(settings)
    if args.question:
        questions: Iterable[str] = [" ".join(args.question)]
    elif sys.stdin.isatty():
        return console(partial(answerer.answer, collections=_collections(args, settings)))
    else:
        questions = (line for line in sys.stdin if line.strip())
    collections = _collections(args, settings)
    for question in questions:
        answer = answerer.answer(question, collections=collections, explain=args.explain)
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
            quote = " ".join(c.quote.split())  # list items of a register quote on one line
            quote = quote if len(quote) <= 240 else quote[:239] + "…"
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
    from evaluation.evaluate import evaluate, format_report
    from evaluation.run import is_span_set, run_sets

    answerer = _answerer(settings)
    if args.cv or any(is_span_set(f) for f in args.file):
        return run_sets(answerer, args.file, cv=args.cv, as_json=args.json)
    for file in args.file:
        report = evaluate(file, answerer)
        print(
            json.dumps(report.metrics, indent=2)
            if args.json
            else format_report(report, args.details)
        )
        if args.compare:
            from evaluation.compare import compare, format_rows

            print("\nRetrieval by method (answerable questions):")
            print(format_rows(compare(file, answerer.searcher(), settings.retrieval.top_k)))
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

    answerer = _answerer(settings)

    def index_ok() -> None:
        answerer.searcher()  # raises when the published index cannot be loaded

    # each channel's answers and the App Home come from the version in use (reopened when a new
    # one is published), limited to the collections SLACK_CHANNEL_COLLECTIONS gives them
    return int(run_serve(settings, answerer.answer, index_ok, answerer.snapshot_for))


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    from bot.slack import run_health
    from retrieval.sources import open_snapshot  # index/CURRENT, or PostgreSQL (DATABASE_URL)

    def index_ok() -> None:
        open_snapshot(settings).close()

    return int(run_health(settings, index_ok))


def cmd_deadlines(args: argparse.Namespace, settings: Settings) -> int:
    from bot.register_cli import print_deadlines, write_calendar
    from retrieval.collections import scoped
    from retrieval.sources import open_snapshot

    opened = open_snapshot(settings)
    try:
        snapshot = scoped(opened, _collections(args, settings))
        if args.ics:
            return write_calendar(snapshot, args.ics, args.templates)
        today = args.today or dt.date.today()
        print_deadlines(snapshot, today, args.days, args.json, args.templates)
    finally:
        opened.close()
    return 0


def cmd_obligations(args: argparse.Namespace, settings: Settings) -> int:
    from bot.register_cli import print_obligations
    from retrieval.collections import scoped
    from retrieval.sources import open_snapshot

    opened = open_snapshot(settings)
    try:
        snapshot = scoped(opened, _collections(args, settings))
        print_obligations(snapshot, args.party, args.json, args.templates)
    finally:
        opened.close()
    return 0


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    from bot.slack.digest import preview_digest

    today = args.today or dt.date.today()
    if args.dry_run or args.json:
        print(preview_digest(settings, today, as_json=args.json))
        return 0
    return post_digest_now(settings, today)


def cmd_gaps(args: argparse.Namespace, settings: Settings) -> int:
    """Group the period's declined and "Hjälpte inte" questions stored under DATA_DIR."""
    from bot.gaps import find_gaps, render_json, render_text
    from retrieval.embedder import load_embedder

    until = args.until or dt.date.today()
    since = args.since or until - dt.timedelta(days=settings.gaps.days - 1)
    threshold = settings.gaps.threshold if args.threshold is None else args.threshold
    if since > until or not 0 <= threshold <= 2:
        problem = f"--since {since} is after --until {until}" if since > until else ""
        problem = problem or f"--threshold {threshold} is not a cosine distance (0 to 2)"
        print(f"error: {problem}", file=sys.stderr)
        return 2
    items = _unhelped(settings, since, until)
    gaps = []
    if items:  # the model is loaded only when there is something to group
        model, threads = settings.embedding.model, settings.embedding.query_threads
        gaps = find_gaps(items, load_embedder(model, threads=threads), threshold)
    print(render_json(gaps) if args.json else render_text(gaps, str(since), str(until)), end="")
    return 0


def _unhelped(settings: Settings, since: dt.date, until: dt.date) -> list:
    """The stored declined and "Hjälpte inte" questions of the UTC days since..until: every
    replica's in PostgreSQL with DATABASE_URL set, else those in DATA_DIR."""
    from bot.slack.feedback import DB_NAME
    from bot.slack.pgfeedback import feedback_store
    from retrieval.sources import write_url

    if not write_url(settings) and not (settings.data_dir / DB_NAME).exists():
        return []
    store = feedback_store(settings)  # opening upgrades an old SQLite file
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    return store.unhelped(start, start + dt.timedelta(days=(until - since).days + 1))


def post_digest_now(settings: Settings, today: dt.date) -> int:
    """Post the digest of `today`'s week unless it was posted; 1 when Slack refused it."""
    from bot.slack.app import make_client
    from bot.slack.digest import post_digest
    from bot.slack.redact import install_redaction

    install_redaction(settings)
    if not settings.slack.bot_token or not settings.digest.channel:
        print("error: set SLACK_BOT_TOKEN and DIGEST_CHANNEL to post the digest", file=sys.stderr)
        return 2
    result = post_digest(settings, make_client(settings), today)
    print(f"{result.week}: " + ("posted" if result.posted else f"not posted ({result.reason})"))
    return 0 if result.posted or result.reason == "already posted" else 1


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval.pgschema import main as migrate_main

    dsn = args.dsn or (settings.database_url.get_secret_value() if settings.database_url else "")
    return int(migrate_main(["--dsn", dsn] if dsn else []))
