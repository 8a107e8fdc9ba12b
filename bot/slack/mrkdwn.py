"""Escaping and trimming for Slack mrkdwn, so that document text can never ping anyone.

Slack turns ``<!channel>``, ``<@U123>`` and ``<#C1>`` into mentions; escaping ``&``, ``<`` and ``>``
(the three characters Slack asks apps to escape) makes them plain text. Links the bot builds
itself are the only ``<...>`` left in a message.
"""

from __future__ import annotations

import re
from urllib.parse import quote

ELLIPSIS = "…"
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_WHITESPACE = re.compile(r"\s+")


def escape(text: str) -> str:
    """Escape &, < and > for mrkdwn; everything else is kept (lone surrogates become "?")."""
    return "".join(_ENTITIES.get(ch, ch) for ch in _valid(text))


def _valid(text: str) -> str:
    """`text` without lone surrogates, which cannot be sent as UTF-8 JSON."""
    return text.encode("utf-8", "replace").decode("utf-8")


def escape_trimmed(text: str, limit: int) -> str:
    """Escape `text` and cut it to at most `limit` characters, never inside an entity.

    A cut text ends with an ellipsis. `limit` counts characters of the escaped result.
    """
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    budget = limit - len(ELLIPSIS)
    out: list[str] = []
    used = 0
    for ch in _valid(text):
        piece = _ENTITIES.get(ch, ch)
        if used + len(piece) > budget:
            break
        out.append(piece)
        used += len(piece)
    return "".join(out) + ELLIPSIS if limit >= len(ELLIPSIS) else ""


def one_line(text: str) -> str:
    """Collapse runs of whitespace (newlines included) into single spaces."""
    return _WHITESPACE.sub(" ", text).strip()


def trim(text: str, limit: int) -> str:
    """Cut plain (already safe) text to `limit` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(ELLIPSIS), 0)] + ELLIPSIS


def link(url: str, label_mrkdwn: str) -> str:
    """A mrkdwn link; `label_mrkdwn` must already be escaped, `url` already quoted."""
    return f"<{url}|{label_mrkdwn}>"


def source_url(base_url: str, doc_path: str, page: int) -> str | None:
    """Link to a document under `base_url`, or None when no base URL is configured.

    The corpus path is URL-quoted (folders kept); PDFs get ``#page=N`` so viewers open the page.
    """
    if not base_url or not doc_path:
        return None
    url = base_url.rstrip("/") + "/" + quote(doc_path.lstrip("/"), safe="/")
    if doc_path.lower().endswith(".pdf") and page >= 1:
        url += f"#page={page}"
    return url
