"""What Slack renders from a message: every text field, but not button values (never shown)."""

from __future__ import annotations

import re
from typing import Any

ANGLE = re.compile(r"<([^<>]*)>")


def rendered_texts(message: dict[str, Any]) -> list[str]:
    """The top-level text and every `text` string inside the blocks."""
    texts = [message.get("text", "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    texts.append(value)
                elif key != "value":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks", []))
    return texts


def special_sequences(message: dict[str, Any]) -> list[str]:
    """Every <...> sequence Slack would interpret (mentions, links) in the rendered texts."""
    return [m for text in rendered_texts(message) for m in ANGLE.findall(text)]
