"""`bot eval` on the span-labelled sets: the shipped model scored on a set, or grouped
cross-validation (`--cv`) that trains a model per fold and scores documents it never saw."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.answer import Answerer
from evaluation import adapt, learn
from evaluation.labels import ADAPTER_SETS, Label, MissingDocuments, load
from retrieval.embedder import SentenceTransformerEmbedder


def is_span_set(path: Path) -> bool:
    """The file labels its answers by character spans into the real documents."""
    with path.open(encoding="utf-8") as f:
        first = next((line for line in f if line.strip()), "{}")
    return '"span"' in first or '"style"' in first


def _cross_fitted(answerer: Answerer, labels: list[Label]) -> list[learn.Example]:
    """When the answerer uses a query adapter, each fold's examples through an adapter trained
    on the other folds' documents and the reserve sets' questions on them, as
    `scripts/train_answerer.py` trains it (the shipped adapter saw them all). Without one (and
    with the test embedder, `hash`) the examples are collected as they are."""
    embedder = answerer.embedder
    if not isinstance(embedder, SentenceTransformerEmbedder) or not embedder.query_adapter:
        return learn.collect(answerer, labels)
    return adapt.cross_fitted(answerer, labels, _reserve())


def _reserve() -> list[Label]:
    """The reserve sets' labels, or none when their real documents are not on this machine
    (an index without them could not use them)."""
    try:
        return [label for path in ADAPTER_SETS for label in load(path)]
    except MissingDocuments:
        return []


def run_sets(answerer: Answerer, paths: list[Path], cv: bool, as_json: bool = False) -> int:
    """Print figures per set (and over all of them); exit 0, also when skipped for lack of the
    real documents (the reason is printed)."""
    try:
        labels: list[Label] = [label for p in paths for label in load(p)]
    except MissingDocuments as exc:
        print(f"skipped: {exc}", file=sys.stderr)
        return 0
    if cv:
        examples = _cross_fitted(answerer, labels)
        outcomes = learn.cross_validate(examples, lambda e: True)
        title = "grouped cross-validation (each document scored by a model that never saw it)"
    else:
        model = answerer.model
        outcomes = [learn.score(model, e) for e in learn.collect(answerer, labels)]
        title = "shipped model"
    sources = sorted({o.label.source for o in outcomes})
    if as_json:
        out = {s: learn.metrics([o for o in outcomes if o.label.source == s]) for s in sources}
        out["all"] = learn.metrics(outcomes)
        print(json.dumps(out, indent=2))
        return 0
    print(title)
    for source in sources:
        print(learn.report([o for o in outcomes if o.label.source == source], source))
    if len(sources) > 1:
        print(learn.report(outcomes, "all sets"))
    return 0
