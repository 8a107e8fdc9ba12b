"""The weekly digest in Block Kit, posted once per ISO week and channel, on a schedule.

`post_digest` reserves the week in the digest record (SQLite in data_dir, or PostgreSQL shared
by replicas when DATABASE_URL is set), posts with chat.postMessage (429 waited out and retried by
the client's RateLimitErrorRetryHandler) and marks it done, then shares the deadlines calendar
(.ics) in the digest's thread (files.uploadV2, `bot.slack.calendar_file`). `DigestScheduler`
checks every minute whether this week's posting time has passed and the week is not yet
posted, so a bot that was down at the scheduled time catches up later the same week.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.digest import Digest, DigestRecord, build_digest, document_shas, iso_week
from bot.pgdigest import digest_store, has_digest_records
from bot.register_cli import Due, kind_note
from bot.slack import messages
from bot.slack.calendar_file import offer_after_digest
from bot.slack.mrkdwn import escape, escape_trimmed, one_line
from config.settings import Settings
from retrieval.collections import scoped
from retrieval.register import DEADLINE
from retrieval.snapshot import Snapshot
from retrieval.sources import open_snapshot  # index/CURRENT, or PostgreSQL (DATABASE_URL)

log = logging.getLogger(__name__)

MAX_ITEMS = 20  # per list; Slack allows 50 blocks per message
QUOTE_LIMIT = 280
Block = dict[str, Any]


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def due_blocks(due: Due) -> list[Block]:
    """A deadline: date, party and what is due; then its citation (title, page, quote)."""
    d = due.deadline
    when = d.approximate or due.date.isoformat()
    when += messages.DIGEST_YEARLY if d.recurrence and d.kind == DEADLINE else ""
    party = f"{escape(d.party)}: " if d.party else ""
    how = f" _({escape(d.resolution)})_" if d.resolution else ""
    what = escape_trimmed(one_line(d.what), 300) + escape(kind_note(d))
    head = f"*{when}* – {party}{what}{how}"
    cite = (
        f"{escape(due.title)}, {messages.PAGE} {d.page} ({escape(d.doc_path)}): "
        f"»{escape_trimmed(one_line(d.quote), QUOTE_LIMIT)}«"
    )
    return [_section(head), _context(cite)]


def digest_blocks(digest: Digest) -> list[Block]:
    """The digest as Block Kit blocks (a week with nothing due says so in one line)."""
    week = iso_week(digest.today)
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": _title(week)}},
    ]
    weeks = digest.weeks_ahead
    if digest.upcoming:
        blocks.append(_section(messages.DIGEST_UPCOMING.format(weeks=weeks)))
        blocks += _items(digest.upcoming)
    else:
        blocks.append(_section(messages.DIGEST_NONE_DUE.format(weeks=weeks)))
    if digest.passed:
        blocks.append(_section(messages.DIGEST_PASSED))
        blocks += _items(digest.passed)
    if digest.documents:
        lines = [
            f"• {escape(c.title)} ({escape(c.path)}) – "
            + (messages.DIGEST_NEW if c.new else messages.DIGEST_CHANGED)
            for c in digest.documents[:MAX_ITEMS]
        ]
        blocks.append(_section(messages.DIGEST_DOCUMENTS + "\n" + "\n".join(lines)))
    return blocks


def _title(week: str) -> str:
    return messages.DIGEST_TITLE.format(week=week.split("-W")[1].lstrip("0") + f" ({week})")


def _items(items: tuple[Due, ...]) -> list[Block]:
    out: list[Block] = []
    for due in items[:MAX_ITEMS]:
        out += due_blocks(due)
    if len(items) > MAX_ITEMS:
        out.append(_context(messages.DIGEST_MORE.format(n=len(items) - MAX_ITEMS)))
    return out


def blocks_text(blocks: list[Block]) -> str:
    """The blocks as plain text (for --dry-run and the notification fallback)."""
    lines: list[str] = []
    for block in blocks:
        if block["type"] in ("header", "section"):
            lines.append(block["text"]["text"])
        elif block["type"] == "context":
            lines += ["    " + e["text"] for e in block["elements"]]
    text = "\n".join(lines)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@contextmanager
def digest_snapshot(settings: Settings) -> Iterator[Snapshot]:
    """The index version published now, limited to the collections the digest channel may see
    (SLACK_CHANNEL_COLLECTIONS); closed afterwards."""
    snapshot = open_snapshot(settings)
    try:
        yield scoped(snapshot, settings.slack.collections_for(settings.digest.channel))
    finally:
        snapshot.close()


def preview_digest(settings: Settings, today: dt.date, as_json: bool = False) -> str:
    """The digest `post_digest` would post for `today`, as text or as Block Kit JSON."""
    previous = None
    if settings.digest.channel and has_digest_records(settings):
        store = digest_store(settings)
        previous = store.previous_documents(settings.digest.channel)
        store.close()
    with digest_snapshot(settings) as snapshot:
        digest = build_digest(snapshot, today, settings.digest.weeks_ahead, previous)
    blocks = digest_blocks(digest)
    return json.dumps(blocks, ensure_ascii=False, indent=2) if as_json else blocks_text(blocks)


@dataclass(frozen=True)
class PostResult:
    """What `post_digest` did."""

    week: str
    posted: bool
    ts: str = ""
    reason: str = ""  # "already posted", "no channel", or the Slack error


def post_digest(settings: Settings, client: WebClient, today: dt.date) -> PostResult:
    """Post the digest for `today`'s ISO week to DIGEST_CHANNEL unless it was posted already."""
    channel, week = settings.digest.channel, iso_week(today)
    if not channel:
        return PostResult(week, False, reason="no channel (set DIGEST_CHANNEL)")
    store = digest_store(settings)
    if store.posted(week, channel):
        store.close()
        return PostResult(week, False, reason="already posted")
    try:
        with digest_snapshot(settings) as snapshot:
            previous = store.previous_documents(channel)
            digest = build_digest(snapshot, today, settings.digest.weeks_ahead, previous)
            if not store.reserve(week, channel, document_shas(snapshot)):
                return PostResult(week, False, reason="already posted")
            result = _send(client, store, channel, week, digest_blocks(digest))
            if result.posted:  # the deadlines calendar as a file in the digest's thread
                offer_after_digest(client, channel, snapshot, today, result.ts)
            return result
    finally:
        store.close()


def _send(
    client: WebClient, store: DigestRecord, channel: str, week: str, blocks: list[Block]
) -> PostResult:
    try:
        response = client.chat_postMessage(
            channel=channel, blocks=blocks, text=blocks_text(blocks)[:3000], unfurl_links=False
        )
    except SlackApiError as exc:  # Slack answered: the message was not posted
        store.release(week, channel)
        error = str(exc.response.get("error"))
        log.error("weekly digest for %s not posted to %s: %s", week, channel, error)
        return PostResult(week, False, reason=error)
    ts = str(response.get("ts", ""))
    store.mark_done(week, channel, ts)
    log.info("weekly digest for %s posted to %s", week, channel)
    return PostResult(week, True, ts=ts)


def scheduled_time(now: dt.datetime, weekday: int, at: str) -> dt.datetime:
    """This ISO week's posting time (`now` is timezone-aware; the result is in its zone)."""
    hour, minute = (int(p) for p in at.split(":"))
    monday = now.date() - dt.timedelta(days=now.weekday())
    day = monday + dt.timedelta(days=weekday)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=now.tzinfo)


class DigestScheduler:
    """A thread that posts the weekly digest at DIGEST_WEEKDAY/DIGEST_TIME in DIGEST_TIMEZONE,
    or as soon as it runs later that week when the bot was down at that time."""

    def __init__(
        self,
        settings: Settings,
        client: WebClient,
        interval: float = 60.0,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.interval = interval
        self.zone = ZoneInfo(settings.digest.timezone)
        self._clock = clock or (lambda: dt.datetime.now(self.zone))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="weekly-digest", daemon=True)

    def tick(self) -> PostResult | None:
        """Post when this week's time has passed and the week is not posted; else None."""
        now = self._clock().astimezone(self.zone)
        digest = self.settings.digest
        if now < scheduled_time(now, digest.weekday, digest.time):
            return None
        return post_digest(self.settings, self.client, now.date())

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("weekly digest check failed; trying again in %s s", self.interval)
            self._stop.wait(self.interval)

    def start(self) -> DigestScheduler:
        """Start checking in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop checking and wait for a post in progress."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
