"""Teaching the embedding model staff's wording: a LoRA adapter on the question side only.

Dense similarity alone put the answering sentence first for about a third of the questions on
real documents: staff write "hur mkt får handledaren betalt" where a document writes
"handledarersättning utgår med". The adapter is trained on labelled questions so that a
question's vector moves towards the vectors of the sentences (and passages) that answer it,
against every other sentence and passage of the index. Passages keep the plain model's vectors,
so no index has to be rebuilt and the same index serves with and without the adapter.

The loss is a softmax over the whole index (12,000 sentence and 3,000 passage vectors fit in
memory) with every gold sentence as a positive, so that near-topic sentences are the negatives
the adapter learns from. Training reads the question text exactly as answering embeds it
(`bot.answer.question_query`).
"""

from __future__ import annotations

import logging
import random
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.answer import Answerer, question_query
from config.settings import Settings
from evaluation import learn
from evaluation.labels import Label, is_gold
from retrieval.embedder import SentenceTransformerEmbedder
from retrieval.snapshot import Snapshot
from retrieval.sources import open_snapshot

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

# LoRA on every linear layer of the encoder; the values were compared by grouped
# cross-validation (`scripts/train_answerer.py --adapt --cv`), see the CHANGELOG.
RANK = 8
ALPHA = 16
DROPOUT = 0.1
TARGETS = ("query", "key", "value", "dense")
EPOCHS = 3
BATCH = 32
LEARNING_RATE = 3e-4
TEMPERATURE = 0.05  # softmax temperature over cosines
CHUNK_WEIGHT = 0.5  # weight of the passage-level loss beside the sentence-level one
SEED = 0
# more training questions over the development documents, for the adapter only (the ranker and
# decider did not gain from them: see the CHANGELOG)
ADAPTER_SETS = tuple(
    sorted((Path(__file__).resolve().parents[1] / "tests/eval/real/reserve").glob("train_*.jsonl"))
)


@dataclass(frozen=True)
class Target:
    """What one labelled question should come closest to."""

    query: str  # the text answering embeds for the question
    sentences: tuple[int, ...]  # rows of its gold sentences in the sentence vectors
    chunks: tuple[int, ...]  # positions of the passages holding them


def targets(snapshot: Snapshot, labels: Sequence[Label]) -> list[Target | None]:
    """The target of every label; None for an unanswerable one or one whose gold text the
    index does not hold as a sentence."""
    paths = {meta.name: path for path, meta in snapshot.documents.items()}
    rows: dict[str, list[tuple[int, int, str]]] = {}  # doc name -> (position, sid, sentence)

    def doc_rows(name: str) -> list[tuple[int, int, str]]:
        if name not in rows:
            positions = (
                [pos for pos, _, _ in snapshot.chunks_of(paths[name])] if name in paths else []
            )
            by_chunk = snapshot.sentences(positions)
            rows[name] = [(pos, sid, text) for pos in positions for sid, text in by_chunk[pos]]
        return rows[name]

    out: list[Target | None] = []
    for label in labels:
        if not label.answerable:
            out.append(None)
            continue
        gold = [
            (pos, sid) for pos, sid, text in doc_rows(label.doc) if is_gold(text, label.doc, label)
        ]
        if not gold:
            out.append(None)
            continue
        query = question_query(label.question, label.history)[1]
        out.append(
            Target(
                query,
                tuple(sorted({sid for _, sid in gold})),
                tuple(sorted({pos for pos, _ in gold})),
            )
        )
    return out


def all_rows(rows: object, count: int) -> np.ndarray:
    """A snapshot's vector rows as one float32 matrix (a copy, valid after the snapshot closes)."""
    try:
        return np.array(rows, dtype=np.float32)
    except (TypeError, ValueError):
        return np.stack([rows[i] for i in range(count)]).astype(np.float32)  # type: ignore[index]


def train(
    model_path: str,
    items: Sequence[Target],
    sentence_vectors: np.ndarray,
    chunk_vectors: np.ndarray,
    epochs: int = EPOCHS,
    learning_rate: float = LEARNING_RATE,
    rank: int = RANK,
) -> SentenceTransformer:
    """A sentence-transformers model with a freshly trained question adapter (deterministic
    for the same inputs on the same machine)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(SEED)
    shuffle = random.Random(SEED)
    model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
    config = LoraConfig(
        r=rank, lora_alpha=ALPHA, lora_dropout=DROPOUT, target_modules=list(TARGETS)
    )
    module = model[0]
    module.model = get_peft_model(module.model, config)  # type: ignore[arg-type]
    prompt = (getattr(model, "prompts", {}) or {}).get("query", "")
    sents = torch.from_numpy(np.array(sentence_vectors, dtype=np.float32))
    chunks = torch.from_numpy(np.array(chunk_vectors, dtype=np.float32))
    params = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=learning_rate)
    order = list(items)
    model.train()
    for epoch in range(epochs):
        shuffle.shuffle(order)
        total = 0.0
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            features = model.preprocess([prompt + t.query for t in batch])
            vectors = model(features)["sentence_embedding"]
            loss = _loss(vectors, sents, [t.sentences for t in batch]) + CHUNK_WEIGHT * _loss(
                vectors, chunks, [t.chunks for t in batch]
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(batch)
        log.info("adapter epoch %d: loss %.4f", epoch + 1, total / max(len(order), 1))
    model.eval()
    return model


def _loss(
    vectors: torch.Tensor, matrix: torch.Tensor, positives: Sequence[tuple[int, ...]]
) -> torch.Tensor:
    """Mean over the batch of -log(softmax mass on the positives) over every row of `matrix`."""
    import torch

    logits = (vectors @ matrix.T) / TEMPERATURE
    mask = torch.zeros_like(logits, dtype=torch.bool)
    for i, rows in enumerate(positives):
        mask[i, list(rows)] = True
    everything = torch.logsumexp(logits, dim=1)
    gold = torch.logsumexp(logits.masked_fill(~mask, float("-inf")), dim=1)
    return (everything - gold).mean()


def save(model: SentenceTransformer, folder: Path) -> None:
    """Write the adapter alone (adapter_config.json, adapter_model.safetensors) to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    peft_model: Any = model[0].model
    peft_model.save_pretrained(str(folder))
    (folder / "README.md").unlink(missing_ok=True)  # peft's empty model card


def cross_fitted(
    settings: Settings,
    items: Sequence[Label],
    extra: Sequence[Label] = (),
    out: Path | None = None,
    epochs: int = EPOCHS,
    progress: Callable[[str], object] = log.info,
) -> list[learn.Example]:
    """The examples of `items`, each with candidates and features from a question adapter
    trained without its document's questions (grouped folds as `learn.cross_validate` makes
    them, so its scores are on documents neither the adapter nor the ranker saw). `extra`
    labels train adapters only, never one whose fold holds their document. With `out`, the
    adapter trained on every question is written there."""
    snapshot = open_snapshot(settings)
    try:
        sentences = all_rows(snapshot.sentence_vectors(), 0)
        chunks = all_rows(snapshot.vectors(), 0)
        goals = targets(snapshot, items)
        extra_goals = targets(snapshot, extra)
    finally:
        snapshot.close()
    found: list[learn.Example | None] = [None] * len(items)
    folds = learn.folds_of([label.group for label in items], learn.FOLDS)
    with tempfile.TemporaryDirectory() as tmp:
        for k, (train_rows, test_rows) in enumerate(folds):
            held = {items[i].group for i in test_rows}
            fold_goals = [g for i in train_rows if (g := goals[i])] + [
                g
                for label, g in zip(extra, extra_goals, strict=True)
                if g and label.group not in held
            ]
            progress(f"fold {k + 1}/{len(folds)}: adapter on {len(fold_goals)} questions")
            folder = Path(tmp) / f"fold{k}"
            save(train(settings.embedding.model, fold_goals, sentences, chunks, epochs), folder)
            emb = settings.embedding
            embedder = SentenceTransformerEmbedder(
                emb.model, emb.batch_size, emb.query_threads, query_adapter=folder
            )
            answerer = Answerer(settings, embedder=embedder, load_model=False)
            fold_items = [items[i] for i in test_rows]
            for i, example in zip(test_rows, learn.collect(answerer, fold_items), strict=True):
                found[i] = example
            del answerer, embedder
    if out is not None:
        every = [g for g in [*goals, *extra_goals] if g]
        save(train(settings.embedding.model, every, sentences, chunks, epochs), out)
        progress(f"wrote {out} (adapter on {len(every)} questions)")
    return [e for e in found if e is not None]
