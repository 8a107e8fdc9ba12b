"""`python -m bot ingest --announce`: a short notice of added and changed documents in the digest
channel, posted through the same Web API client as the bot (429s waited out)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import messages
from bot.slack.app import make_client
from bot.slack.mrkdwn import escape
from config.settings import Settings
from retrieval.errors import ConfigError

log = logging.getLogger(__name__)
MAX_LISTED = 20


def announcement_text(added: Sequence[str], updated: Sequence[str]) -> str:
    """The notice: one line per document (escaped), at most MAX_LISTED, then a count."""
    lines = [messages.ANNOUNCE_HEADING]
    items = [(name, messages.ANNOUNCE_NEW) for name in added]
    items += [(name, messages.ANNOUNCE_CHANGED) for name in updated]
    lines += [f"• {escape(name)} – {label}" for name, label in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        lines.append(messages.ANNOUNCE_MORE.format(count=len(items) - MAX_LISTED))
    return "\n".join(lines)


def announce(
    settings: Settings,
    added: Sequence[str],
    updated: Sequence[str],
    client: WebClient | None = None,
) -> bool:
    """Post the notice to DIGEST_CHANNEL; False (and nothing posted) when nothing changed.

    Raises ConfigError naming the missing setting, or what Slack answered (never the token).
    """
    if not added and not updated:
        return False
    if not settings.digest.channel:
        raise ConfigError("--announce needs DIGEST_CHANNEL (the channel id to post to)")
    if settings.slack.bot_token is None:
        raise ConfigError("--announce needs SLACK_BOT_TOKEN")
    text = announcement_text(added, updated)
    try:
        (client or make_client(settings)).chat_postMessage(
            channel=settings.digest.channel, text=text, unfurl_links=False
        )
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown error") if exc.response else "no response"
        raise ConfigError(f"Slack refused the announcement: {error}") from exc
    log.info("announced %d new and %d changed documents", len(added), len(updated))
    return True
