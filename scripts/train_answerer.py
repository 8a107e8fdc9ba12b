"""Train the answer model (bot/answer_model.json) and print grouped cross-validation figures.

    python scripts/train_answerer.py [--index var/eval-index] [--cv] [--tune] [--out FILE]
                                     [--adapt [--adapter-out DIR]]

The index must hold the sample corpus, ../shared/real-corpus/docs and ../shared/domain
(`make eval-index` builds it). Candidates and features come from `Answerer.candidates`, the
production path. The final test part (tests/eval/real/test_*.jsonl) is never read here.

With --adapt, the question adapter (evaluation/adapt.py) is trained too, cross-fitted: the
questions of each fold's documents get their candidates and features from an adapter trained
without those documents, so that the ranker and decider learn from, and the cross-validation
scores, similarities the adapter never fitted. The adapter trained on all questions is written
to --adapter-out for answering.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.answer import Answerer  # noqa: E402
from bot.model import ADAPTER_DIR, MODEL_FILE  # noqa: E402
from config import logs  # noqa: E402
from config.settings import Settings  # noqa: E402
from evaluation import adapt, learn  # noqa: E402
from evaluation.labels import Label, MissingDocuments, load  # noqa: E402
from retrieval.embedder import adapter_identity  # noqa: E402

EVAL = REPO / "tests" / "eval"
# development sets written blind over the real documents, training sets written apart from them
# (never the test part), and the sample corpus's three sets
DEFAULT_SETS = (
    *sorted((EVAL / "real").glob("eval_*.jsonl")),
    *sorted((EVAL / "real").glob("train_*.jsonl")),
    EVAL / "qa.jsonl",
    EVAL / "holdout.jsonl",
    EVAL / "blind.jsonl",
)


def labels(paths: list[Path]) -> list[Label]:
    out: list[Label] = []
    for path in paths:
        if path.name.startswith("test_"):
            raise SystemExit(
                f"{path}: the test part is scored once with `bot eval`, never trained on"
            )
        out += load(path)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=REPO / "var" / "eval-index")
    parser.add_argument("--sets", type=Path, nargs="*", default=list(DEFAULT_SETS))
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--cv", action="store_true", help="print grouped cross-validation")
    parser.add_argument("--tune", action="store_true", help="compare regularisation strengths")
    parser.add_argument("--no-write", action="store_true", help="do not write the model file")
    parser.add_argument("--adapt", action="store_true", help="train the question adapter too")
    parser.add_argument("--adapter-sets", type=Path, nargs="*", default=list(adapt.ADAPTER_SETS))
    parser.add_argument("--adapter-out", type=Path, default=ADAPTER_DIR)
    parser.add_argument("--epochs", type=int, default=adapt.EPOCHS)
    args = parser.parse_args(argv)
    logs.configure(logging.WARNING)
    try:
        items = labels(args.sets)
    except MissingDocuments as exc:
        print(f"skipped: {exc}", file=sys.stderr)
        return 0
    settings = Settings(index_dir=args.index)
    if args.adapt:
        out = None if args.no_write else args.adapter_out
        extra = labels(args.adapter_sets)
        examples = adapt.cross_fitted(settings, items, extra, out, args.epochs, print)
    else:
        examples = learn.collect(Answerer(settings, load_model=False), items)
    print(f"{len(examples)} questions, {sum(len(e.x) for e in examples)} candidates")
    if args.tune:
        for rc in (0.03, 0.1, 0.3, 1.0, 3.0):
            for dc in (0.1, 0.3, 1.0):
                outs = learn.cross_validate(examples, _real_dev, ranker_c=rc, decider_c=dc)
                m = learn.metrics(outs)
                print(f"ranker C={rc} decider C={dc}: {json.dumps(m)}")
    if args.cv:
        outs = learn.cross_validate(examples, lambda e: True)
        for source in sorted({o.label.source for o in outs}):
            print(learn.report([o for o in outs if o.label.source == source], source))
        print(learn.report([o for o in outs if _real_dev_label(o.label)], "real eval sets (A-D)"))
    if not args.no_write:
        model = learn.fit(examples)
        model.info["sets"] = [p.name for p in args.sets]
        if args.adapt:  # the answer model reads similarities of this adapter
            model.info["query_adapter"] = adapter_identity(args.adapter_out)
        args.out.write_text(json.dumps(model.to_json(), indent=1) + "\n", "utf-8")
        print(f"wrote {args.out} (threshold {model.threshold:.3f})")
    return 0


def _real_dev_label(label: Label) -> bool:
    return label.source.startswith("eval_")


def _real_dev(example: learn.Example) -> bool:
    return _real_dev_label(example.label)


if __name__ == "__main__":
    raise SystemExit(main())
