"""`python -m bot gaps`: the questions the documents do not answer yet.

Declined questions and questions rated "Hjälpte inte" of a period are embedded with the
base embedding model, without the query adapter (the adapter is tuned to bring a question near
the sentences that answer it, and questions nothing answers away from every sentence; how alike
two questions are is what the base model was trained for), and grouped by agglomerative
clustering (average linkage) on cosine distance: two groups merge while their mean distance is
at most GAPS_THRESHOLD. Groups come most frequent first, each with the question closest to the
group's centre as its representative, the questions asked, and the reasons and comments given.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot.slack.feedback import Unhelped
from retrieval.embedder import Embedder


@dataclass(frozen=True)
class Gap:
    """One group of similar unanswered questions."""

    representative: str
    count: int
    declined: int  # how many were declined (the rest were rated "Hjälpte inte")
    questions: tuple[str, ...]  # distinct questions, most asked first
    details: tuple[str, ...]  # decline reasons and non-empty comments, most frequent first
    first: str  # first and last time asked (UTC ISO)
    last: str

    def to_json(self) -> dict[str, object]:
        """The `--json` shape of the group."""
        return {
            "representative": self.representative,
            "count": self.count,
            "declined": self.declined,
            "not_helped": self.count - self.declined,
            "questions": list(self.questions),
            "details": list(self.details),
            "first": self.first,
            "last": self.last,
        }


def cluster_labels(vectors: np.ndarray, threshold: float) -> np.ndarray:
    """Group label per row of unit `vectors` (n x dim): average linkage on cosine distance,
    groups merged while their mean distance is at most `threshold` (0 = identical only)."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold
    )
    return np.asarray(model.fit_predict(vectors))


def find_gaps(items: Sequence[Unhelped], embedder: Embedder, threshold: float) -> list[Gap]:
    """`items` grouped by the similarity of their questions, largest group first (ties: the
    most recently asked first)."""
    if not items:
        return []
    vectors = np.stack([embedder.embed_query(i.question) for i in items])
    labels = cluster_labels(vectors, threshold)
    gaps = []
    for label in set(labels.tolist()):
        members = [i for i, lab in enumerate(labels) if lab == label]
        gaps.append(_gap([items[i] for i in members], vectors[members]))
    gaps.sort(key=lambda g: g.last, reverse=True)
    return sorted(gaps, key=lambda g: -g.count)  # stable: equal counts stay newest first


def _gap(items: list[Unhelped], vectors: np.ndarray) -> Gap:
    centre = vectors.mean(axis=0)
    representative = items[int(np.argmax(vectors @ centre))].question
    questions = Counter(" ".join(i.question.split()) for i in items)
    details = Counter(i.detail.strip() for i in items if i.detail.strip())
    stamps = sorted(i.created_at for i in items)
    return Gap(
        representative=representative,
        count=len(items),
        declined=sum(i.kind == "declined" for i in items),
        questions=tuple(q for q, _ in questions.most_common()),
        details=tuple(d for d, _ in details.most_common()),
        first=stamps[0],
        last=stamps[-1],
    )


def render_text(gaps: Sequence[Gap], since: str, until: str) -> str:
    """The groups for a terminal: count, representative, other questions, reasons/comments."""
    if not gaps:
        return f"Inga obesvarade frågor {since} – {until}.\n"
    total = sum(g.count for g in gaps)
    lines = [f"{total} obesvarade frågor i {len(gaps)} grupper, {since} – {until}:", ""]
    for n, gap in enumerate(gaps, 1):
        split = f"{gap.declined} avböjda, {gap.count - gap.declined} Hjälpte inte"
        lines.append(f"{n}. ({gap.count}: {split}) {gap.representative}")
        lines += [f"     – {q}" for q in gap.questions if q != gap.representative]
        lines += [f"     » {d}" for d in gap.details]
    return "\n".join(lines) + "\n"


def render_json(gaps: Sequence[Gap]) -> str:
    """One JSON object per group, largest first."""
    return "".join(json.dumps(g.to_json(), ensure_ascii=False) + "\n" for g in gaps)
