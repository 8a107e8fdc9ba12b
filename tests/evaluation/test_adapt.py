"""The question adapter: trained on the text answering embeds, loaded as answering loads it,
and never touching passage vectors (so an index built without it serves with it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.answer import question_query
from config.settings import DEFAULT_QUERY_ADAPTER
from evaluation import adapt
from evaluation.labels import load
from retrieval.embedder import (
    ADAPTER_FILES,
    SentenceTransformerEmbedder,
    adapter_identity,
    load_embedder,
)
from retrieval.errors import ConfigError
from retrieval.index import open_current

ROOT = Path(__file__).resolve().parents[2]
QA = ROOT / "tests" / "eval" / "qa.jsonl"
PASSAGES = [
    "Lärosätet betalar handledarersättning per student och VFU-vecka.",
    "Mall för lokalt avtal",
]


def test_shipped_adapter_moves_questions_only(model_dir: Path, real_embedder) -> None:
    """The adapter in the repository loads; passages are embedded exactly as without it, and a
    question is embedded differently (else the adapter would do nothing)."""
    plain = SentenceTransformerEmbedder(str(model_dir))
    assert real_embedder.adapter == adapter_identity(DEFAULT_QUERY_ADAPTER)
    assert np.array_equal(plain.embed_passages(PASSAGES), real_embedder.embed_passages(PASSAGES))
    question = "hur mkt får handledaren betalt?"
    moved = float(np.dot(plain.embed_query(question), real_embedder.embed_query(question)))
    assert moved < 0.9999
    assert abs(float(np.linalg.norm(real_embedder.embed_query(question))) - 1.0) < 1e-5


def test_training_round_trip_uses_the_answering_text(
    sample_index: Path, model_dir: Path, tmp_path: Path
) -> None:
    """Targets hold the text `Answerer.candidates` embeds; an adapter trained on them and saved
    embeds questions, once loaded the way answering loads it, as the trained model does."""
    snapshot = open_current(sample_index)
    labels = [label for label in load(QA) if label.answerable][:6]
    goals = adapt.targets(snapshot, labels)
    found = [(label, g) for label, g in zip(labels, goals, strict=True) if g]
    assert len(found) >= 4
    for label, goal in found:
        assert goal.query == question_query(label.question, label.history)[1]
        assert goal.sentences and goal.chunks
        held = {sid for rows in snapshot.sentences(goal.chunks).values() for sid, _ in rows}
        assert set(goal.sentences) <= held  # every gold sentence lies in a gold passage
    sentences = adapt.all_rows(snapshot.sentence_vectors(), 0)
    chunks = adapt.all_rows(snapshot.vectors(), 0)
    model = adapt.train(str(model_dir), [g for _, g in found], sentences, chunks, epochs=1)
    adapt.save(model, tmp_path / "adapter")
    assert sorted(p.name for p in (tmp_path / "adapter").iterdir()) == sorted(ADAPTER_FILES)
    loaded = load_embedder(str(model_dir), query_adapter=tmp_path / "adapter")
    question = found[0][1].query
    trained = model.encode([question], prompt_name="query", normalize_embeddings=True)[0]  # type: ignore[attr-defined]
    assert np.allclose(loaded.embed_query(question), trained, atol=1e-5)
    snapshot.close()


def test_missing_adapter_is_a_clear_error(model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"EMBEDDING_QUERY_ADAPTER=.*adapter_config\.json"):
        SentenceTransformerEmbedder(str(model_dir), query_adapter=tmp_path)
