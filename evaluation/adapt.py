"""Train the query adapter (`retrieval.adapter`) and collect examples with it, cross-fitted.

The adapter tunes the embedding model's top layers so that a labelled question's vector lies
closest to its supporting sentences' vectors among every sentence of the corpus. Passage
vectors stay those of the index (the base model), so the loss is a softmax over a fixed matrix:
cheap, and every sentence of the training documents is a negative. The softmax has one more
class, "no sentence answers", whose logit is a learned cosine: unanswerable questions are
trained towards it (away from every sentence), answerable ones past it to their sentences, so
the top cosine also tells the decider more about whether the documents answer at all.

The answer model reads similarities, so it has to be trained on similarities an adapter gives
for questions it never saw, as in use. `cross_fitted` therefore splits the labels by document
(the folds of `learn.cross_validate`), trains an adapter on the other folds' documents for each
fold and collects that fold's examples through it; the shipped adapter is trained on all.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold

from bot.answer import Answerer
from evaluation import learn
from evaluation.labels import Label, is_gold
from retrieval.adapter import QueryAdapter
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.snapshot import Snapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdapterConfig:
    """How an adapter is trained (chosen by grouped cross-validation on the real sets)."""

    layers: int = 4  # top encoder layers tuned; the rest is shared with the base model
    epochs: int = 3
    lr: float = 5e-6
    temperature: float = 0.01  # softmax temperature over cosines
    batch: int = 32
    seed: int = 0
    rank: int = 32  # singular directions kept of each matrix's change when saved
    abstain: float = 1.0  # weight of the unanswerable questions' loss (0: they are not trained)
    abstain_lr: float = 1e-3  # learning rate of the "no sentence" cosine


@dataclass
class Corpus:
    """Every sentence of an index version: its vector and its document's file name."""

    vectors: np.ndarray  # (n, dim) float32, row = sid
    docs: np.ndarray  # (n,) document file names
    texts: list[str]

    @classmethod
    def of(cls, snapshot: Snapshot) -> Corpus:
        sids: list[int] = []
        docs: list[str] = []
        texts: list[str] = []
        for path, meta in snapshot.documents.items():
            positions = [pos for pos, _, _ in snapshot.chunks_of(path)]
            for _, sentences in sorted(snapshot.sentences(positions).items()):
                for sid, text in sentences:
                    sids.append(sid)
                    docs.append(meta.name)
                    texts.append(text)
        order = np.argsort(sids, kind="stable")
        rows = snapshot.sentence_vectors()
        vectors = np.stack([np.asarray(rows[int(sids[i])]) for i in order]).astype(np.float32)
        return cls(vectors, np.array([docs[i] for i in order]), [texts[i] for i in order])

    def gold(self, label: Label) -> list[int]:
        """Rows of the sentences that support an answerable label (`is_gold`), else []."""
        if not label.doc:
            return []
        return [
            int(i)
            for i in np.flatnonzero(self.docs == label.doc)
            if is_gold(self.texts[i], label.doc, label)
        ]


def _encode(model: Any, texts: Sequence[str]) -> Any:
    """Question vectors with gradients, with the model's own query prompt (as `embed_query`)."""
    prompt = (getattr(model, "prompts", None) or {}).get("query", "")
    features = model.tokenize([prompt + t for t in texts])
    return model(features)["sentence_embedding"]


def train(
    base: Any,
    queries: Sequence[str],
    golds: Sequence[Sequence[int] | None],
    vectors: np.ndarray,
    config: AdapterConfig = AdapterConfig(),
) -> QueryAdapter:
    """Tune the top layers of `base` (a sentence-transformers model, left unchanged) so that
    each query's vector ranks its gold rows of `vectors` first; a gold of None marks a question
    nothing answers, trained towards the "no sentence" class (an empty gold is skipped).
    Return the changes; meta["abstain_cosine"] is the learned cosine of that class."""
    import torch

    torch.manual_seed(config.seed)
    model = copy.deepcopy(base)
    model.train()
    transformer = model[0].auto_model
    layers = transformer.encoder.layer
    tuned = {f"encoder.layer.{i}." for i in range(len(layers) - config.layers, len(layers))}
    params = dict(transformer.named_parameters())
    for name, p in params.items():
        p.requires_grad = any(name.startswith(t) for t in tuned)
    trainable = [p for p in params.values() if p.requires_grad]
    start = {n: p.detach().clone() for n, p in params.items() if p.requires_grad}
    matrix = torch.from_numpy(vectors)
    items = [i for i, g in enumerate(golds) if (g is None and config.abstain > 0) or g]
    with torch.no_grad():  # the "no sentence" cosine starts at the mean top cosine of (up to
        # 64 of) the training questions, so it starts where the base model's questions lie
        first = [queries[i] for i in items[:64]]
        top = float((_encode(base, first) @ matrix.T).max(1).values.mean()) if first else 0.0
    abstain = torch.nn.Parameter(torch.tensor(top))
    groups: list[dict[str, Any]] = [
        {"params": trainable},
        {"params": [abstain], "lr": config.abstain_lr},
    ]
    optimiser = torch.optim.AdamW(groups, lr=config.lr, weight_decay=0.0)
    rng = np.random.default_rng(config.seed)
    for epoch in range(config.epochs):
        order = [int(i) for i in rng.permutation(items)]
        total = 0.0
        for b in range(0, len(order), config.batch):
            batch = order[b : b + config.batch]
            sims = _encode(model, [queries[i] for i in batch]) @ matrix.T
            logits = torch.cat([sims, abstain.expand(len(batch), 1)], 1) / config.temperature
            losses = []
            for r, i in enumerate(batch):
                gold = golds[i]
                if gold is None:
                    target = logits[r, -1]
                    weight = config.abstain
                else:
                    target = torch.logsumexp(logits[r, list(gold)], 0)
                    weight = 1.0
                losses.append(weight * (torch.logsumexp(logits[r], 0) - target))
            loss = torch.stack(losses).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        log.info("adapter epoch %d: loss %.3f, %d questions", epoch, total / len(order), len(order))
    deltas = {n: (p.detach() - start[n]).numpy().copy() for n, p in params.items() if n in start}
    meta = {
        "trained": dt.date.today().isoformat(),
        "questions": sum(1 for i in items if golds[i] is not None),
        "unanswerable": sum(1 for i in items if golds[i] is None),
        "abstain_cosine": float(abstain.detach()),
        "config": asdict(config),
    }
    return QueryAdapter(deltas, meta, "").cut(config.rank)


def questions(answerer: Answerer, labels: Sequence[Label]) -> list[str]:
    """The text each label's question is embedded as, by the production path."""
    snapshot = answerer.snapshot
    return [answerer.read_question(lab.question, lab.history, snapshot)[1] for lab in labels]


def fit(
    answerer: Answerer,
    labels: Sequence[Label],
    corpus: Corpus,
    config: AdapterConfig = AdapterConfig(),
    held_out: frozenset[str] = frozenset(),
) -> QueryAdapter:
    """An adapter trained on the labels whose documents are not `held_out` (unanswerable ones
    by the document they are a near-miss of); the sentences of held-out documents are not
    negatives either."""
    keep = np.array([d not in held_out for d in corpus.docs])
    rows = -np.ones(len(keep), dtype=int)
    rows[keep] = np.arange(int(keep.sum()))
    used = [lab for lab in labels if lab.doc not in held_out and lab.group not in held_out]
    golds = [[int(rows[i]) for i in corpus.gold(lab)] if lab.doc else None for lab in used]
    base = answerer.embedder.model  # type: ignore[attr-defined]
    return train(base, questions(answerer, used), golds, corpus.vectors[keep], config)


def cross_fitted(
    answerer: Answerer,
    labels: Sequence[Label],
    extra: Sequence[Label] = (),
    config: AdapterConfig = AdapterConfig(),
    folds: int = 5,
    progress: Callable[[str], None] = lambda _: None,
) -> list[learn.Example]:
    """Examples of `labels` (in order), each collected through an adapter trained on the
    other folds' documents only (`extra` labels only train adapters). Folds are those of
    `learn.cross_validate`, so its figures score every question with neither an adapter nor
    a model that saw its document. `answerer` embeds with a sentence-transformers model,
    with or without an adapter (its own adapter is set aside meanwhile and restored)."""
    corpus = Corpus.of(answerer.snapshot)
    groups = np.array([lab.group for lab in labels])
    k = min(folds, len(set(groups)))
    out: list[learn.Example | None] = [None] * len(labels)
    embedder = answerer.embedder
    if not isinstance(embedder, SentenceTransformerEmbedder):
        raise ValueError("cross-fitting needs a sentence-transformers model to adapt")
    base = embedder.with_adapter(None)
    try:
        splits = GroupKFold(n_splits=k).split(np.zeros(len(labels)), groups=groups)
        for n, (_, test) in enumerate(splits):
            held = frozenset(groups[test]) | frozenset(labels[i].doc for i in test)
            adapter = fit(answerer, [*labels, *extra], corpus, config, held - {""})
            answerer.embedder = base.with_adapter(adapter)
            found = learn.collect(answerer, [labels[i] for i in test])
            for i, example in zip(test, found, strict=True):
                out[i] = example
            progress(f"fold {n + 1}/{k}: adapter on {adapter.meta['questions']} questions")
    finally:
        answerer.embedder = embedder
    return [e for e in out if e is not None]
