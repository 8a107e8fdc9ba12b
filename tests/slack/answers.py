"""Small deterministic answering functions returning real `Answer` / `Citation` objects."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from config.collections import EVERYONE
from retrieval.types import Answer, Citation

SOURCE = Citation(
    n=1,
    document="samverkansavtal 2024.pdf",
    title="Samverkansavtal FoU Nordost",
    page=3,
    section="§ 5 Åtaganden",
    quote="FoU Nordost ska samordna forskning och utveckling för medlemskommunerna.",
    score=0.91,
    doc_path="avtal/samverkansavtal 2024.pdf",
    date="2024-01-15",
    reference="KSL/24/0012",
    chunk_id="chunk0000000000000000001",
)
HOSTILE_QUOTE = "Hej <!channel> och <@U123>: A & B <#C999|x> <https://evil.example|klicka>"


class Recorder:
    """An answering function that answers "Svar: <question>" with one source and records calls."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self.collections: list[frozenset[str]] = []  # what each call's channel may see
        self._lock = threading.Lock()

    def __call__(
        self, question: str, history: Sequence[str], collections: frozenset[str] = EVERYONE
    ) -> Answer:
        with self._lock:
            self.calls.append((question, tuple(history)))
            self.collections.append(collections)
        if self.delay:
            time.sleep(self.delay)
        return Answer(
            question=question, answered=True, text=f"Svar: {question} [1]", citations=(SOURCE,)
        )


def declining(
    question: str, history: Sequence[str], collections: frozenset[str] = EVERYONE
) -> Answer:
    """Declines with the closest passages."""
    closest = (
        Citation(
            2,
            "protokoll.md",
            "Protokoll styrgrupp",
            1,
            "Ärende 4",
            "Budgeten diskuterades.",
            0.2,
            doc_path="protokoll.md",
            chunk_id="chunk-closest-1",
        ),
    )
    return Answer(
        question=question,
        answered=False,
        text="Jag hittar inget i dokumenten om det.",
        citations=closest,
        reason="no_relevant",
    )


def raising(
    question: str, history: Sequence[str], collections: frozenset[str] = EVERYONE
) -> Answer:
    """Fails the way a broken index would."""
    raise RuntimeError("index could not be read")


def hostile(
    question: str, history: Sequence[str], collections: frozenset[str] = EVERYONE
) -> Answer:
    """A source whose text tries to ping the channel and a user."""
    source = Citation(
        1,
        "ond.md",
        "Titel <!here> & co",
        1,
        "<@U999>",
        HOSTILE_QUOTE,
        0.8,
        doc_path="ond.md",
        chunk_id="chunk-hostile",
    )
    return Answer(
        question=question, answered=True, text="Se källan <!everyone> [1]", citations=(source,)
    )
