"""Precision and recall of deadline and obligation extraction on a labelled sentence set.

Each JSONL line: {"text", "doc_date"?, "agreement_start"?, "deadlines": [{"when", "party"}],
"obligations": [{"party"}]}. "when" is an ISO date, "yearly:MM-DD" or "relative:<event>";
an item counts as found only when both "when" and the party match.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ingest.register import DocContext, sentence_deadlines, sentence_obligation
from retrieval.parties import Parties
from retrieval.register import Deadline
from retrieval.types import Chunk, DocumentMeta


@dataclass
class Score:
    """Counts for one kind of item, and the sentences where it went wrong."""

    found: int = 0
    expected: int = 0
    correct: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Correct / found (1.0 when nothing was found)."""
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        """Correct / expected (1.0 when nothing was expected)."""
        return self.correct / self.expected if self.expected else 1.0

    def add(self, text: str, got: list[tuple[str, str]], want: list[tuple[str, str]]) -> None:
        """Count one sentence's items."""
        correct = sum((Counter(got) & Counter(want)).values())
        self.found, self.expected = self.found + len(got), self.expected + len(want)
        self.correct += correct
        if correct != len(got) or correct != len(want):
            self.misses.append(f"{text}\n    got {got}\n    want {want}")


def when(deadline: Deadline) -> str:
    """The label form of a deadline's date."""
    if deadline.month_day:
        return f"yearly:{deadline.month_day}"
    if deadline.date:
        return deadline.date
    return f"relative:{deadline.event.lower()}"


def evaluate(path: Path) -> tuple[Score, Score]:
    """(deadlines, obligations) scores over the labelled file."""
    parties = Parties()
    deadlines, obligations = Score(), Score()
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        meta = DocumentMeta("eval.txt", "eval", "", "txt", date=case.get("doc_date", ""))
        ctx = DocContext(meta, case.get("agreement_start", ""))
        chunk = Chunk("eval.txt", case["text"], 1)
        got = [(when(d), d.party) for d in sentence_deadlines(case["text"], chunk, ctx, parties)]
        deadlines.add(case["text"], got, [(d["when"], d["party"]) for d in case["deadlines"]])
        ob = sentence_obligation(case["text"], chunk, parties)
        got_ob = [("", ob.party)] if ob else []
        obligations.add(case["text"], got_ob, [("", o["party"]) for o in case["obligations"]])
    return deadlines, obligations


def format_scores(deadlines: Score, obligations: Score, details: bool = False) -> str:
    """The figures as text, with every miss when `details`."""
    lines = []
    for name, score in (("deadlines", deadlines), ("obligations", obligations)):
        lines.append(
            f"{name:12} precision {score.precision:.3f}  recall {score.recall:.3f}  "
            f"(found {score.found}, expected {score.expected}, correct {score.correct})"
        )
        if details:
            lines += [f"  miss: {m}" for m in score.misses]
    return "\n".join(lines)
