"""`python -m bot eval FILE.jsonl`: retrieval and answer quality on a labelled question set.

Each line: {"id", "question", "answer", "doc", "quote", "kind"}; doc is "" for questions the
corpus cannot answer. A source counts as the supporting passage when it comes from `doc` and
contains most (>= 60 %) of the words of `quote`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from retrieval.errors import ConfigError
from retrieval.text import content_words, stem, words
from retrieval.types import Answer, Citation

KINDS = ("fact", "deadline", "obligation", "party", "unanswerable")
QUOTE_SHARE = 0.6
KEYWORD_SHARE = 0.6


class AnswerFn(Protocol):
    def answer(self, question: str) -> Answer: ...


@dataclass(frozen=True)
class Item:
    """One labelled question."""

    id: str
    question: str
    answer: str
    doc: str
    quote: str
    kind: str


@dataclass
class EvalReport:
    """Per-question outcomes and the aggregate metrics."""

    rows: list[dict[str, object]] = field(default_factory=list)
    metrics: dict[str, object] = field(default_factory=dict)


def load_items(path: Path) -> list[Item]:
    """Read and check the JSONL file; a bad line is a ConfigError naming it."""
    items = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            item = Item(**{k: raw[k] for k in Item.__dataclass_fields__})
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}:{number}: not a valid question line ({exc})") from exc
        if item.kind not in KINDS:
            raise ConfigError(f"{path}:{number}: kind {item.kind!r} is not one of {KINDS}")
        items.append(item)
    return items


def _norm_words(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


def supports(citation: Citation, item: Item) -> bool:
    """The citation is from the expected document and holds most of the expected quote."""
    if citation.document != item.doc.rsplit("/", 1)[-1]:
        return False
    quote = _norm_words(item.quote)
    if not quote:
        return False
    have = set(_norm_words(citation.passage or citation.quote))
    return sum(1 for w in quote if w in have) / len(quote) >= QUOTE_SHARE


def keywords_found(answer: Answer, item: Item) -> bool:
    """The answer text holds most of the expected answer's key words."""
    return answer.answered and holds_keywords(answer.text, item.answer)


def holds_keywords(text: str, expected: str) -> bool:
    """The text holds most (KEYWORD_SHARE) of the expected answer's key words, by stem."""
    keys = {stem(w) for w in content_words(expected)}
    if not keys:
        return False
    have = {stem(w) for w in words(text)}
    return len(keys & have) / len(keys) >= KEYWORD_SHARE


def rank_of_support(citations: tuple[Citation, ...], item: Item) -> int:
    """1-based rank of the first supporting citation, 0 when none supports."""
    return next((c.n for c in citations if supports(c, item)), 0)


def evaluate(path: Path, answerer: AnswerFn) -> EvalReport:
    """Answer every question and compute the metrics."""
    report = EvalReport()
    for item in load_items(path):
        answer = answerer.answer(item.question)
        rank = rank_of_support(answer.citations, item) if item.doc else 0
        report.rows.append(
            {
                "id": item.id,
                "kind": item.kind,
                "question": item.question,
                "answered": answer.answered,
                "rank": rank,
                "keywords": keywords_found(answer, item) if item.doc else None,
                "answer": answer.text,
                "expected": item.answer,
                "reason": answer.reason,
                "confidence": round(answer.debug.get("confidence", 0.0), 3),
            }
        )
    report.metrics = compute_metrics(report.rows)
    return report


def compute_metrics(rows: list[dict[str, object]]) -> dict[str, object]:
    """recall@1, recall@5, MRR, key words found, decline shares; overall and per kind."""
    answerable = [r for r in rows if r["kind"] != "unanswerable"]
    unanswerable = [r for r in rows if r["kind"] == "unanswerable"]

    def share(items: list[dict[str, object]], test) -> float:
        return round(sum(1 for r in items if test(r)) / len(items), 3) if items else 0.0

    ranks = [int(r["rank"]) for r in answerable]  # type: ignore[call-overload]
    metrics: dict[str, object] = {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "recall@1": share(answerable, lambda r: r["rank"] == 1),
        "recall@5": share(answerable, lambda r: 0 < r["rank"] <= 5),
        "mrr": round(sum(1 / k for k in ranks if k) / len(ranks), 3) if ranks else 0.0,
        "answer_keywords_found": share(answerable, lambda r: r["keywords"]),
        "unanswerable_declined": share(unanswerable, lambda r: not r["answered"]),
        "answerable_declined": share(answerable, lambda r: not r["answered"]),
    }
    by_kind: dict[str, list[dict[str, object]]] = defaultdict(list)
    for r in answerable:
        by_kind[str(r["kind"])].append(r)
    metrics["by_kind"] = {
        kind: {
            "n": len(items),
            "recall@5": share(items, lambda r: 0 < r["rank"] <= 5),
            "keywords": share(items, lambda r: r["keywords"]),
            "declined": share(items, lambda r: not r["answered"]),
        }
        for kind, items in sorted(by_kind.items())
    }
    return metrics


TARGETS = {
    "recall@5": (">=", 0.95),
    "recall@1": (">=", 0.85),
    "answer_keywords_found": (">=", 0.75),
    "unanswerable_declined": (">=", 0.85),
    "answerable_declined": ("<=", 0.05),
}


def format_report(report: EvalReport, details: bool = False) -> str:
    """The metrics as a table with the targets, and optionally every miss."""
    m = report.metrics
    lines = [
        f"{m['questions']} questions ({m['answerable']} answerable, "
        f"{m['unanswerable']} unanswerable)",
        "",
    ]
    for key in (
        "recall@1",
        "recall@5",
        "mrr",
        "answer_keywords_found",
        "unanswerable_declined",
        "answerable_declined",
    ):
        target = TARGETS.get(key)
        mark = ""
        if target:
            op, limit = target
            ok = m[key] >= limit if op == ">=" else m[key] <= limit  # type: ignore[operator]
            mark = f"  target {op} {limit}  {'ok' if ok else 'MISSED'}"
        lines.append(f"{key:24s} {m[key]:.3f}{mark}")
    lines.append("")
    for kind, values in m["by_kind"].items():  # type: ignore[attr-defined]
        lines.append(
            f"  {kind:12s} n={values['n']:3d} recall@5={values['recall@5']:.2f} "
            f"keywords={values['keywords']:.2f} declined={values['declined']:.2f}"
        )
    if details:
        lines.append("")
        for r in report.rows:
            miss = (r["kind"] == "unanswerable") == r["answered"] or (
                r["kind"] != "unanswerable" and (r["rank"] != 1 or not r["keywords"])
            )
            if miss:
                lines.append(
                    f"- {r['id']} [{r['kind']}] rank={r['rank']} answered={r['answered']} "
                    f"conf={r['confidence']} kw={r['keywords']}\n  Q: {r['question']}\n"
                    f"  A: {str(r['answer'])[:300]}\n  expected: {r['expected']}"
                )
    return "\n".join(lines)
