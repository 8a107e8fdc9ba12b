"""`bot eval` on the span-labelled sets: the shipped model scored on a set, or grouped
cross-validation (`--cv`) that trains a model per fold and scores documents it never saw."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.answer import Answerer
from evaluation import learn
from evaluation.labels import Label, MissingDocuments, load


def is_span_set(path: Path) -> bool:
    """The file labels its answers by character spans into the real documents."""
    with path.open(encoding="utf-8") as f:
        first = next((line for line in f if line.strip()), "{}")
    return '"span"' in first or '"style"' in first


def run_sets(answerer: Answerer, paths: list[Path], cv: bool, as_json: bool = False) -> int:
    """Print figures per set (and over all of them); exit 0, also when skipped for lack of the
    real documents (the reason is printed)."""
    try:
        labels: list[Label] = [label for p in paths for label in load(p)]
    except MissingDocuments as exc:
        print(f"skipped: {exc}", file=sys.stderr)
        return 0
    examples = learn.collect(answerer, labels)
    if cv:
        outcomes = learn.cross_validate(examples, lambda e: True)
        title = "grouped cross-validation (each document scored by a model that never saw it)"
    else:
        model = answerer.model
        outcomes = [learn.score(model, e) for e in examples]
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
