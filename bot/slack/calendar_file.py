"""The deadlines calendar (.ics, built by `bot.ics`) as a file in Slack, with files.uploadV2.

The weekly digest is followed by the file in its thread, and the Home tab's "Hämta kalenderfil"
button sends it to the user's direct message with the bot (conversations.open). The client's
`files_upload_v2` makes Slack's three steps: files.getUploadURLExternal, a POST of the bytes to
the URL it gives, files.completeUploadExternal to share the file in the channel. A failure is
logged and never stops the digest; the user who clicked is told in the DM.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ics import deadline_calendar
from bot.slack import messages
from config.collections import default_only
from retrieval.snapshot import Snapshot

log = logging.getLogger(__name__)

FILENAME = "tidsgranser.ics"
ACTION_CALENDAR = "home_calendar"


@dataclass(frozen=True)
class CalendarFile:
    """The bytes of an .ics file and how many events it holds."""

    data: bytes
    events: int


def calendar_file(snapshot: Snapshot, today: dt.date) -> CalendarFile | None:
    """The register's calendar as `python -m bot deadlines --ics` writes it (templates' left
    out); None when it would hold no event."""
    data = deadline_calendar(snapshot, today)
    # Only a component's delimiter starts a content line with this (text values escape line
    # breaks, folded lines start with a space): counting is exact, and parsing the file back
    # would double the time (2.0 s for 1,500 events here).
    events = data.count(b"\r\nBEGIN:VEVENT\r\n")
    return CalendarFile(data, events) if events else None


def upload_calendar(
    client: WebClient, channel: str, file: CalendarFile, thread_ts: str | None = None
) -> str | None:
    """Share `file` in `channel` (in the thread `thread_ts`) with files.uploadV2; the file id,
    or None when Slack refused it or could not be reached (logged)."""
    try:
        response = client.files_upload_v2(
            channel=channel,
            content=file.data,
            filename=FILENAME,
            title=messages.CALENDAR_TITLE,
            initial_comment=messages.CALENDAR_COMMENT.format(n=file.events),
            thread_ts=thread_ts,
        )
    except SlackApiError as exc:
        log.error("The calendar file was not shared in %s: %s", channel, exc.response.get("error"))
        return None
    except Exception:
        log.exception("Uploading the calendar file to %s failed", channel)
        return None
    return str((response.get("file") or {}).get("id", ""))


def offer_after_digest(
    client: WebClient, channel: str, snapshot: Snapshot, today: dt.date, digest_ts: str
) -> str | None:
    """Put the calendar in the thread of the digest just posted; None when there is nothing to
    put there or the upload failed (logged; the digest stays posted)."""
    try:
        file = calendar_file(snapshot, today)
    except Exception:
        log.exception("The calendar for the digest in %s could not be built", channel)
        return None
    if file is None:
        log.info("No dated deadlines: no calendar file after the digest in %s", channel)
        return None
    return upload_calendar(client, channel, file, thread_ts=digest_ts)


class CalendarButton:
    """The Home tab's "Hämta kalenderfil": the calendar of the index in use to the user's DM.

    The file holds what the DM may see (`collections_for(channel)`: the default collection
    unless SLACK_CHANNEL_COLLECTIONS lists the DM), the same for everyone who sees that, so it
    is built once per index version, collections and day and kept (scripts/bench_home.py:
    1,500 events at 10k chunks take about 2 s to build on a busy 2-core machine; a kept file is
    only uploaded).
    """

    def __init__(
        self,
        snapshot_fn: Callable[[frozenset[str]], Snapshot] | None,
        timezone: str,
        collections_for: Callable[[str], frozenset[str]] = default_only,
    ) -> None:
        self.snapshot_fn = snapshot_fn
        self.collections_for = collections_for
        self.zone = ZoneInfo(timezone)
        self._kept: tuple[tuple[str, dt.date], CalendarFile | None] | None = None

    def register(self, app: App) -> None:
        """Listen for the button's clicks."""
        app.action(ACTION_CALENDAR)(self.on_click)

    def on_click(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Acknowledge, open the DM with the user and send the file there (or say why not)."""
        ack()
        user = str((body.get("user") or {}).get("id", ""))
        try:
            channel = str(client.conversations_open(users=user)["channel"]["id"])
        except Exception:
            log.exception("conversations.open with %s failed; no calendar file sent", user)
            return
        text = self._send(client, channel)
        if text:
            try:
                client.chat_postMessage(channel=channel, text=text)
            except Exception:
                log.exception("Telling %s why no calendar file came failed", user)

    def _send(self, client: WebClient, channel: str) -> str | None:
        """Upload the file to `channel`; the text to post instead when that cannot be done."""
        try:
            if self.snapshot_fn is None:
                return messages.CALENDAR_INDEX_ERROR
            file = self._file(self.snapshot_fn(self.collections_for(channel)))
        except Exception:
            log.exception("The calendar file for %s could not be built", channel)
            return messages.CALENDAR_INDEX_ERROR
        if file is None:
            return messages.CALENDAR_EMPTY
        return None if upload_calendar(client, channel, file) else messages.CALENDAR_FAILED

    def _file(self, snapshot: Snapshot) -> CalendarFile | None:
        """The calendar of `snapshot` today, built once per version and day."""
        key = (snapshot.version, dt.datetime.now(self.zone).date())
        kept = self._kept
        if kept is None or kept[0] != key:
            kept = self._kept = (key, calendar_file(snapshot, key[1]))
        return kept[1]


def calendar_button() -> dict[str, Any]:
    """The Home tab's actions block with the "Hämta kalenderfil" button."""
    button = {
        "type": "button",
        "action_id": ACTION_CALENDAR,
        "text": {"type": "plain_text", "text": messages.CALENDAR_BUTTON},
        "value": "ics",
    }
    return {"type": "actions", "block_id": "calendar", "elements": [button]}
