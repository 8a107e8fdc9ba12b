"""A logging filter that keeps Slack tokens and database passwords out of every log line.

slack_sdk already hides the Authorization header, but a token can still reach a log through an
exception message or a debug dump of a payload. The filter replaces the configured secrets and
anything shaped like a Slack token (xoxb-, xoxp-, xapp- …) before a handler writes the record.
"""

from __future__ import annotations

import logging
import re

from config.settings import Settings
from retrieval.pgschema import password_of

REDACTED = "[redacted]"
TOKEN_PATTERN = re.compile(r"\b(xox[abposr]|xapp|xoxe(\.xox[bp])?)-[0-9A-Za-z-]+")


class RedactTokens(logging.Filter):
    """Rewrites a record's message so that no known secret or token-shaped string is left."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if len(s) >= 8)

    def redact(self, text: str) -> str:
        """`text` with secrets and token-shaped strings replaced by [redacted]."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_PATTERN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def install_redaction(settings: Settings) -> RedactTokens:
    """Attach one RedactTokens filter to every root handler (and the last-resort handler)."""
    slack = settings.slack
    values = (
        slack.bot_token,
        slack.app_token,
        slack.signing_secret,
        slack.feedback_salt,
        slack.calendar_token,
    )
    secrets = tuple(v.get_secret_value() for v in values if v is not None)
    for url in (settings.database_url, settings.database_read_url):  # and database passwords
        if url is not None:
            secrets += (url.get_secret_value(), password_of(url.get_secret_value()))
    redactor = RedactTokens(secrets)
    handlers = list(logging.getLogger().handlers)
    if logging.lastResort is not None:
        handlers.append(logging.lastResort)
    for handler in handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactTokens)]:
            handler.removeFilter(old)
        handler.addFilter(redactor)
    return redactor
