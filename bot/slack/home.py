"""The App Home (the bot's Hem tab): the coming weeks' deadlines with their sources, the indexed
documents with type, date and when each last changed, the weekly digest's channel and day, and
how to ask. Published with views.publish each time a user opens the tab.

The view is built from the index version in use at that moment (`SnapshotFn`: the Answerer's,
which reopens a newly published version), so a new version shows without a restart. Everyone
may open the tab, so it shows the default collection's documents and deadlines only, as a
direct message answers from (config.collections). Slack
allows 100 blocks per view and 3,000 characters per section text: a list that does not fit
ends with "… och N till.", never with an error.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import texts
from bot.register_cli import due_between
from bot.slack import messages
from bot.slack.calendar_file import calendar_button
from bot.slack.digest import due_blocks
from bot.slack.mrkdwn import escape, escape_trimmed, one_line, trim
from config.collections import EVERYONE
from config.settings import Settings
from retrieval.snapshot import Snapshot
from retrieval.types import DocumentMeta

log = logging.getLogger(__name__)

# the index version in use, limited to the given collections' documents
SnapshotFn = Callable[[frozenset[str]], Snapshot]
Block = dict[str, Any]

HOME_WEEKS = 8  # deadlines shown: the coming eight weeks (issue 9)
MAX_BLOCKS = 100  # Slack's limit for a Home tab view
SECTION_MAX = 3000
HEADER_MAX = 150
MAX_DEADLINES = 20  # 2 blocks each: the documents keep room even in a busy season
DOCS_PER_SECTION = 10  # lines of at most ~270 characters: a section stays under 3,000
TITLE_MAX = 120
PATH_MAX = 80


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": trim(text, SECTION_MAX)}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": trim(text, SECTION_MAX)}]}


_DIVIDER: Block = {"type": "divider"}


def fit(
    heading: Block, items: Iterable[tuple[list[Block], int]], total: int, room: int
) -> list[Block]:
    """`heading` and as many items (blocks, how many of the `total` things they show) as fit in
    `room` blocks, then "… och N till." for the things left out (room is kept for that line).
    `items` is read lazily: nothing after the first item that does not fit is built."""
    out, shown = [heading], 0
    for blocks, count in items:
        last = shown + count >= total
        if len(out) + len(blocks) + (0 if last else 1) > room:
            break
        out += blocks
        shown += count
    if shown < total:
        out.append(_context(messages.HOME_MORE.format(n=total - shown)))
    return out


def deadline_blocks(snapshot: Snapshot, today: dt.date, room: int) -> list[Block]:
    """Heading and each deadline of the coming HOME_WEEKS weeks with its citation (templates'
    left out, as in the digest), at most MAX_DEADLINES and `room` blocks."""
    due = due_between(snapshot, today, today + dt.timedelta(weeks=HOME_WEEKS))
    if not due:
        return [_section(messages.HOME_NO_DEADLINES.format(weeks=HOME_WEEKS))]
    heading = _section(messages.HOME_DEADLINES.format(weeks=HOME_WEEKS))
    items = ((due_blocks(d), 1) for d in due)
    return fit(heading, items, len(due), min(room, 2 * MAX_DEADLINES + 2))


def document_line(doc: DocumentMeta, zone: ZoneInfo) -> str:
    """• *Title* (path) – type · daterat date · ändrat when (local time)."""
    title = escape_trimmed(one_line(doc.title or doc.name), TITLE_MAX)
    facts = [escape(doc.doctype or messages.HOME_UNTYPED)]
    if doc.date:
        facts.append(messages.HOME_DOCUMENT_DATE.format(date=escape(doc.date)))
    facts.append(_changed(doc.changed, zone))
    path = escape_trimmed(doc.path, PATH_MAX)
    return f"• *{title}* ({path}) – " + " · ".join(facts)


def _changed(changed: str, zone: ZoneInfo) -> str:
    try:
        when = dt.datetime.fromisoformat(changed).astimezone(zone)
    except ValueError:  # "" for versions indexed before the time was recorded
        return messages.HOME_DOCUMENT_CHANGED_UNKNOWN
    return messages.HOME_DOCUMENT_CHANGED.format(date=when.strftime("%Y-%m-%d %H:%M"))


def document_blocks(snapshot: Snapshot, zone: ZoneInfo, room: int) -> list[Block]:
    """Heading and the documents, newest change first, DOCS_PER_SECTION lines per section."""
    docs = sorted(snapshot.documents.values(), key=lambda d: (d.changed, d.path), reverse=True)
    if not docs:
        return [_section(messages.HOME_NO_DOCUMENTS)]
    heading = _section(messages.HOME_DOCUMENTS.format(count=len(docs)))
    parts = (docs[i : i + DOCS_PER_SECTION] for i in range(0, len(docs), DOCS_PER_SECTION))
    items = (
        ([_section("\n".join(document_line(d, zone) for d in part))], len(part)) for part in parts
    )
    return fit(heading, items, len(docs), room)


def digest_text(settings: Settings) -> str:
    """Where and when the weekly digest is posted, or that none is set up."""
    digest = settings.digest
    if not digest.channel:
        return f"{messages.HOME_DIGEST}\n{messages.HOME_NO_DIGEST}"
    when = messages.HOME_DIGEST_AT.format(
        channel=escape(digest.channel),
        weekday=texts.WEEKDAYS[digest.weekday],
        time=escape(digest.time),
        timezone=escape(digest.timezone),
    )
    return f"{messages.HOME_DIGEST}\n{when}"


def home_view(snapshot: Snapshot | None, settings: Settings, now: dt.datetime) -> Block:
    """The Home tab view for `now` (timezone-aware); `snapshot` None when the index cannot be
    read (the view then says so and keeps how to ask and the digest)."""
    head = [
        {"type": "header", "text": {"type": "plain_text", "text": messages.HOME_TITLE}},
        _section(
            messages.HOME_HOW_TO_ASK + "\n" + messages.home_how_to_ask(settings.slack.command)
        ),
        _DIVIDER,
    ]
    tail = [_DIVIDER, _section(digest_text(settings))]
    if snapshot is None:
        body = [_section(messages.HOME_INDEX_ERROR)]
    else:
        tail.append(_context(_version_text(snapshot, now.tzinfo)))
        room = MAX_BLOCKS - len(head) - len(tail) - 2  # the calendar button, the divider
        deadlines = deadline_blocks(snapshot, now.date(), room - 3)  # 3: documents at least
        zone = now.tzinfo if isinstance(now.tzinfo, ZoneInfo) else ZoneInfo("UTC")
        documents = document_blocks(snapshot, zone, room - len(deadlines))
        body = [*deadlines, calendar_button(), _DIVIDER, *documents]
    return {"type": "home", "blocks": head + body + tail}


def _version_text(snapshot: Snapshot, zone: dt.tzinfo | None) -> str:
    shown = created = snapshot.manifest.created
    try:
        when = dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%S%z").astimezone(zone)
        shown = when.strftime("%Y-%m-%d %H:%M")
    except ValueError:
        pass  # shown as written
    return messages.HOME_VERSION.format(
        created=escape(shown), version=escape_trimmed(snapshot.version, 100)
    )


def current_snapshot(
    snapshot_fn: SnapshotFn | None, fallback: str, collections: frozenset[str] = EVERYONE
) -> Snapshot | None:
    """The index version in use, limited to `collections`, or None when there is none or it
    cannot be read (logged with `fallback`, what the caller shows instead)."""
    if snapshot_fn is None:
        return None
    try:
        return snapshot_fn(collections)
    except Exception:
        log.exception("The index cannot be read (%s)", fallback)
        return None


class AppHome:
    """Publishes the Home tab on `app_home_opened`; `snapshot_fn` None: no index parts.

    Every user sees the same view, so it is built once per index version and day and kept
    (scripts/bench_home.py: at 100k chunks and 15,000 deadlines a build takes 240 ms p50 here,
    almost all of it reading the register; a kept view is published in 5-7 ms).
    """

    def __init__(
        self,
        settings: Settings,
        snapshot_fn: SnapshotFn | None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.snapshot_fn = snapshot_fn
        zone = ZoneInfo(settings.digest.timezone)
        self._clock = clock or (lambda: dt.datetime.now(zone))
        self._kept: tuple[tuple[str, dt.date], Block] | None = None

    def view(self) -> Block:
        """The view as it is now (the newest published index version)."""
        snapshot = current_snapshot(self.snapshot_fn, "App Home: the view says so")
        now = self._clock()
        if snapshot is None:
            return home_view(None, self.settings, now)
        key = (snapshot.version, now.date())
        kept = self._kept
        if kept is not None and kept[0] == key:
            return kept[1]
        view = home_view(snapshot, self.settings, now)
        self._kept = (key, view)
        return view

    def on_opened(self, event: dict[str, Any], client: WebClient) -> None:
        """app_home_opened: publish the view for the user on the Home tab (not Messages)."""
        if event.get("tab") != "home" or not event.get("user"):
            return
        user = str(event["user"])
        start = time.perf_counter()
        view = self.view()
        built = time.perf_counter()
        try:
            client.views_publish(user_id=user, view=view)
        except SlackApiError as exc:
            log.error("views.publish for %s was refused: %s", user, exc.response.get("error"))
            return
        except Exception:
            log.exception("views.publish for %s failed", user)
            return
        log.info(
            "App Home for %s: %d blocks built in %.0f ms, published in %.0f ms",
            user,
            len(view["blocks"]),
            (built - start) * 1000,
            (time.perf_counter() - built) * 1000,
        )
