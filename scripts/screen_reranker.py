"""Screen a cross-encoder re-ranker built from the embedding model's own encoder (issue 12).

    python scripts/screen_reranker.py [--index var/eval-index] [--top 16] [--layers 2]

Every labelled question of the development, training and reserve sets is run through the
production path (`Answerer.candidates`). Folds are whole documents (the same grouped folds as
`learn.cross_validate`). For each fold a cross-encoder (the embedding model's encoder reading
question and sentence together, its top `--layers` layers and a linear head trained, the rest
frozen) is trained on the other folds' questions, with a softmax over each question's best
`--top` candidates of a ranker fitted on those folds. Its scores on the held-out fold's
questions are therefore out of fold. The script then prints, on sets A-D:

- the grouped CV of the shipped features (the baseline),
- the same with the cross-encoder's score as two more features (`cross`, `cross_rel`),
- recall@1 of the cross-encoder alone on the re-ranked top candidates.

The test part is never read. Scores are cached in var/screen-cross.npz for re-runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot import features  # noqa: E402
from bot.answer import Answerer  # noqa: E402
from config import logs  # noqa: E402
from config.settings import Settings  # noqa: E402
from evaluation import learn  # noqa: E402
from evaluation.labels import load  # noqa: E402

EVAL = REPO / "tests" / "eval"
SETS = (
    *sorted((EVAL / "real").glob("eval_*.jsonl")),
    *sorted((EVAL / "real").glob("train_*.jsonl")),
    *sorted((EVAL / "real" / "reserve").glob("train_*.jsonl")),
    EVAL / "qa.jsonl",
    EVAL / "holdout.jsonl",
    EVAL / "blind.jsonl",
)
MODEL = REPO / "models" / "multilingual-e5-small"


def pair_text(e: learn.Example, i: int) -> tuple[str, str]:
    c = e.found.cands[i]
    hit = e.found.hits[c.hit]
    context = " – ".join(t for t in (hit.doc.title, hit.chunk.section) if t)
    return f"query: {e.found.info.text}", f"passage: {context}: {c.sentence}"


class Cross:
    """The encoder with a linear head on its mean-pooled output; top `layers` layers trained."""

    def __init__(self, layers: int, seed: int = 0) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.manual_seed(seed)
        self.torch = torch
        self.tok = AutoTokenizer.from_pretrained(str(MODEL))
        self.enc = AutoModel.from_pretrained(str(MODEL))
        for p in self.enc.parameters():
            p.requires_grad = False
        self.trained = list(self.enc.encoder.layer[-layers:]) if layers else []
        for layer in self.trained:
            for p in layer.parameters():
                p.requires_grad = True
        self.head = torch.nn.Linear(self.enc.config.hidden_size, 1)
        torch.nn.init.zeros_(self.head.weight)
        torch.nn.init.zeros_(self.head.bias)

    def scores(self, pairs: list[tuple[str, str]]):
        batch = self.tok(
            [a for a, _ in pairs],
            [b for _, b in pairs],
            truncation="only_second",
            max_length=96,
            padding=True,
            return_tensors="pt",
        )
        out = self.enc(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        pooled = (out * mask).sum(1) / mask.sum(1)
        pooled = self.torch.nn.functional.normalize(pooled, dim=-1)
        return self.head(pooled).squeeze(-1) * 20.0

    def train(self, groups: list[tuple[list[tuple[str, str]], np.ndarray]], epochs: int) -> None:
        torch = self.torch
        params = [p for layer in self.trained for p in layer.parameters()]
        opt = torch.optim.AdamW(
            [{"params": params, "lr": 3e-5}, {"params": self.head.parameters(), "lr": 1e-3}]
        )
        self.enc.train()
        rng = np.random.default_rng(0)
        for epoch in range(epochs):
            total = 0.0
            for n in rng.permutation(len(groups)):
                pairs, gold = groups[n]
                s = self.scores(pairs)
                logp = torch.log_softmax(s, dim=0)
                loss = -torch.logsumexp(logp[torch.from_numpy(gold)], dim=0)
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach())
            print(f"    epoch {epoch + 1}: mean loss {total / len(groups):.3f}", flush=True)
        self.enc.eval()

    def predict(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        with self.torch.no_grad():
            return self.scores(pairs).numpy().astype(np.float64)


def top(scores: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-scores, kind="stable")[:k]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", type=Path, default=REPO / "var" / "eval-index")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=REPO / "var" / "screen-cross.npz")
    args = parser.parse_args()
    logs.configure(logging.WARNING)
    import torch

    torch.set_num_threads(2)
    items = [label for path in SETS for label in load(path)]
    answerer = Answerer(Settings(index_dir=args.index), load_model=False)
    t0 = time.time()
    examples = [e for e in learn.collect(answerer, items) if len(e.x)]
    print(f"{len(examples)} questions collected in {time.time() - t0:.0f} s", flush=True)
    keys = [f"{e.label.source}/{e.label.id}" for e in examples]
    cross: list[np.ndarray | None] = [None] * len(examples)
    if args.cache.exists():
        cached = np.load(args.cache, allow_pickle=True)
        if list(cached["keys"]) == keys:
            cross = [c if d else None for c, d in zip(cached["cross"], cached["done"])]
            print("cross-encoder scores read from the cache")
    if any(c is None for c in cross):
        for f, (train, test) in enumerate(learn._folds(examples, 5)):
            if all(cross[i] is not None for i in test):
                continue
            t1 = time.time()
            ranker = learn.fit_ranker([examples[i] for i in train])
            groups = []
            for i in train:
                e = examples[i]
                if not e.gold.any():
                    continue
                pick = list(top(ranker.margin(e.x), args.top))
                golds = [j for j in np.flatnonzero(e.gold) if j not in pick]
                pick = pick[: args.top - len(golds[:4])] + golds[:4]
                groups.append(([pair_text(e, j) for j in pick], e.gold[pick].copy()))
            model = Cross(args.layers)
            print(f"  fold {f}: training on {len(groups)} questions", flush=True)
            model.train(groups, args.epochs)
            for i in test:
                e = examples[i]
                pick = top(ranker.margin(e.x), args.top)
                s = model.predict([pair_text(e, j) for j in pick])
                full = np.full(len(e.x), s.min() - 1.0)
                full[pick] = s
                cross[i] = full
            held = [
                (bool(examples[i].gold[int(np.argmax(ranker.margin(examples[i].x)))]),
                 bool(examples[i].gold[int(np.argmax(cross[i]))]))
                for i in test if examples[i].label.source.startswith("eval_")
                and examples[i].label.answerable
            ]
            r, c = np.mean([h[0] for h in held]), np.mean([h[1] for h in held])
            print(f"  fold {f}: {time.time() - t1:.0f} s; dev questions {len(held)}: "
                  f"ranker r@1 {r:.3f}, cross alone r@1 {c:.3f}", flush=True)
            done = [c is not None for c in cross]
            np.savez(args.cache, keys=np.array(keys), cross=np.array(
                [c if c is not None else np.zeros(0) for c in cross], dtype=object),
                done=np.array(done))

    dev = lambda e: e.label.source.startswith("eval_")  # noqa: E731
    base = learn.cross_validate(examples, dev)
    print("baseline:", json.dumps(learn.metrics(base)))
    names = features.NAMES
    decider_names = learn.DECIDER_NAMES
    try:
        features.NAMES = names + ("cross", "cross_rel")
        learn.DECIDER_NAMES = features.NAMES + ("rank_score", "rank_margin")
        learn.SIGNS["cross"] = 1
        learn.SIGNS["cross_rel"] = 1
        with_cross = []
        for e, c in zip(examples, cross, strict=True):
            x = np.hstack([e.x, c[:, None], (c - c.max())[:, None]])
            with_cross.append(dataclasses.replace(e, found=dataclasses.replace(e.found, x=x)))
        outs = learn.cross_validate(with_cross, dev)
        print("with cross:", json.dumps(learn.metrics(outs)))
        print(learn.report(outs, "with cross, sets A-D"))
    finally:
        features.NAMES = names
        learn.DECIDER_NAMES = decider_names
    alone = [
        bool(e.gold[int(np.argmax(c))]) for e, c in zip(examples, cross, strict=True)
        if dev(e) and e.label.answerable
    ]
    print(f"cross-encoder alone, recall@1 on sets A-D: {np.mean(alone):.3f} ({len(alone)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
