"""Train the query adapter and the answer model, and print grouped cross-validation figures.

    python scripts/train_answerer.py [--index var/eval-index] [--cv] [--tune] [--out FILE]
                                     [--no-adapter] [--adapter-out FILE] [--examples FILE]

The query adapter (bot/query_adapter.npz, `evaluation.adapt`) tunes the embedding model's top
layers for questions; the answer model (bot/answer_model.json) is trained on examples each
collected through an adapter that never saw the question's document (cross-fitting), as it
meets new documents in use. About 50 minutes on two cores; `--no-adapter` skips the adapter.
`--examples FILE` keeps the cross-fitted examples in FILE (`evaluation.cache`) and reads them
from there while the labels, index and candidate code are unchanged: a change of how the answer
model is fitted (`evaluation/learn.py`, `bot/model.py`) is then cross-validated in minutes.

The index must hold the sample corpus, ../shared/real-corpus/docs and ../shared/domain
(`make eval-index` builds it). Candidates and features come from `Answerer.candidates`, the
production path. The final test part (tests/eval/real/test_*.jsonl) is never read here.
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
from bot.model import MODEL_FILE  # noqa: E402
from config import logs  # noqa: E402
from config.settings import DEFAULT_QUERY_ADAPTER, Settings  # noqa: E402
from evaluation import adapt, cache, learn  # noqa: E402
from evaluation.labels import ADAPTER_SETS, Label, MissingDocuments, load  # noqa: E402
from retrieval.adapter import QueryAdapter  # noqa: E402

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
    parser.add_argument("--no-adapter", action="store_true", help="train no query adapter")
    parser.add_argument("--adapter-sets", type=Path, nargs="*", default=list(ADAPTER_SETS))
    parser.add_argument("--adapter-out", type=Path, default=DEFAULT_QUERY_ADAPTER)
    parser.add_argument("--examples", type=Path, help="keep the cross-fitted examples here")
    args = parser.parse_args(argv)
    logs.configure(logging.WARNING)
    try:
        items = labels(args.sets)
        extra = [] if args.no_adapter else labels(args.adapter_sets)
    except MissingDocuments as exc:
        print(f"skipped: {exc}", file=sys.stderr)
        return 0
    settings = Settings(index_dir=args.index)
    base = settings.embedding.model_copy(update={"query_adapter": ""})
    answerer = Answerer(settings.model_copy(update={"embedding": base}), load_model=False)
    examples = None
    if args.examples:
        config = None if args.no_adapter else adapt.AdapterConfig()
        key = cache.stamp(answerer.snapshot, items, extra, config)
        examples = cache.load(args.examples, key)
        print(f"examples read from {args.examples}" if examples else "examples collected anew")
    if examples is None:
        if args.no_adapter:
            examples = learn.collect(answerer, items)
        else:
            examples = adapt.cross_fitted(answerer, items, extra, progress=print)
        if args.examples:
            cache.save(args.examples, key, examples)
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
        identity = ""
        if not args.no_adapter:
            corpus = adapt.Corpus.of(answerer.snapshot)
            adapter = adapt.fit(answerer, [*items, *extra], corpus)
            adapter.meta["sets"] = [p.name for p in [*args.sets, *args.adapter_sets]]
            adapter.save(args.adapter_out, adapt.AdapterConfig().rank)
            identity = QueryAdapter.load(args.adapter_out).identity
            print(f"wrote {args.adapter_out} ({args.adapter_out.stat().st_size} bytes)")
        model = learn.fit(examples)
        model.info["query_adapter"] = identity
        model.info["sets"] = [p.name for p in args.sets]
        args.out.write_text(json.dumps(model.to_json(), indent=1) + "\n", "utf-8")
        print(f"wrote {args.out} (threshold {model.threshold:.3f})")
    return 0


def _real_dev_label(label: Label) -> bool:
    return label.source.startswith("eval_")


def _real_dev(example: learn.Example) -> bool:
    return _real_dev_label(example.label)


if __name__ == "__main__":
    raise SystemExit(main())
