"""Training the query adapter: it pulls training questions towards their sentences, changes
only the top layers, and cross-fitting collects every question through an adapter that never
saw its document, by the production path."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.answer import Answerer
from evaluation import adapt, learn
from evaluation.labels import load as load_labels

ROOT = Path(__file__).resolve().parents[2]
QA = ROOT / "tests" / "eval" / "qa.jsonl"
SENTENCES = [
    "Lärosätet betalar handledarersättning per student och VFU-vecka.",
    "Kommunen utser en kontaktperson för den verksamhetsförlagda utbildningen.",
    "Avtalet gäller från och med den 1 januari 2017 och tills vidare.",
    "Parterna träffas i ett samverkansforum två gånger per år.",
    "Uppföljningen redovisas till socialnämnden varje höst.",
    "Studenterna ska ha tillgång till arbetsplatsens lokaler och utrustning.",
]
QUESTIONS = ["hur mkt får handledaren betalt?", "vem är vår kontaktperson?"]
GOLDS = [[0], [1]]
# near-miss: shares words with the sentences, but none of them answers it
UNANSWERABLE = "hur mycket kostar parkeringen för studenterna vid arbetsplatsen?"


def _margins(embedder, vectors: np.ndarray) -> np.ndarray:
    out = []
    for q, gold in zip(QUESTIONS, GOLDS, strict=True):
        sims = vectors @ embedder.embed_query(q)
        out.append(sims[gold].max() - np.delete(sims, gold).max())
    return np.array(out)


def test_training_pulls_questions_towards_their_sentences_in_the_top_layers_only(
    real_embedder,
) -> None:
    base = real_embedder.with_adapter(None)
    vectors = base.embed_passages(SENTENCES)
    config = adapt.AdapterConfig(layers=1, epochs=8, lr=1e-4, batch=2, rank=384)
    adapter = adapt.train(
        base.model, [*QUESTIONS, UNANSWERABLE, "tom"], [*GOLDS, None, []], vectors, config
    )
    assert adapter.deltas and all(n.startswith("encoder.layer.11.") for n in adapter.deltas)
    assert adapter.meta["questions"] == 2 and adapter.meta["config"]["layers"] == 1
    assert adapter.meta["unanswerable"] == 1  # the empty gold is skipped, None is trained
    before = _margins(base, vectors)
    tuned = base.with_adapter(adapter)
    after = _margins(tuned, vectors)
    assert (after > before).all(), (before, after)
    assert np.allclose(_margins(base, vectors), before)  # the base model is left as it was
    # the unanswerable question is pushed away from every sentence, below the learned cosine
    # of "no sentence answers", while the answerable ones end above it
    top = (vectors @ tuned.embed_query(UNANSWERABLE)).max()
    assert top < (vectors @ base.embed_query(UNANSWERABLE)).max()
    assert top < adapter.meta["abstain_cosine"]
    for q, gold in zip(QUESTIONS, GOLDS, strict=True):
        assert (vectors @ tuned.embed_query(q))[gold].max() > adapter.meta["abstain_cosine"]


def test_cross_fitting_collects_every_question_through_an_adapter_blind_to_its_document(
    answerer: Answerer,
) -> None:
    labels = load_labels(QA)[:16]
    shipped = answerer.embedder
    answerer.embedder = shipped.with_adapter(None)
    try:
        examples = adapt.cross_fitted(
            answerer, labels, config=adapt.AdapterConfig(layers=1, epochs=1), folds=3
        )
        assert answerer.embedder.query_adapter == ""  # restored
        assert [e.label for e in examples] == labels
        # each fold's questions were collected through an adapter: production candidates,
        # with dense similarities other than the base model's for at least some
        plain = learn.collect(answerer, labels)
        assert all(len(e.found.cands) for e in examples)
        moved = [
            abs(a.found.cands[0].cosine - b.found.cands[0].cosine)
            for a, b in zip(examples, plain, strict=True)
            if a.found.cands[0].raw == b.found.cands[0].raw
        ]
        assert moved and max(moved) > 1e-4
    finally:
        answerer.embedder = shipped
