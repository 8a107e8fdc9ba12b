"""The query adapter: stored compactly, read back as written, bad files named, and applied to
questions only, sharing every unchanged parameter with the base model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.adapter import QueryAdapter, query_model
from retrieval.errors import ConfigError

LAYER = "encoder.layer.11.attention.output.dense"


def _adapter(seed: int = 0, scale: float = 0.01) -> QueryAdapter:
    rng = np.random.default_rng(seed)
    low = rng.normal(size=(384, 2)) @ rng.normal(size=(2, 384))  # rank 2
    return QueryAdapter(
        {
            f"{LAYER}.weight": (scale * low).astype(np.float32),
            f"{LAYER}.bias": (scale * rng.normal(size=384)).astype(np.float32),
        },
        {"questions": 3},
        "",
    )


def test_an_adapter_reads_back_as_written_and_its_identity_follows_its_content(
    tmp_path: Path,
) -> None:
    """A rank-2 change saved at rank 4 comes back within float16 precision; another change
    gets another identity."""
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    _adapter(0).save(first, rank=4)
    _adapter(1).save(second, rank=4)
    read = QueryAdapter.load(first)
    for name, delta in _adapter(0).deltas.items():
        assert np.allclose(read.deltas[name], delta, atol=2e-4), name
    assert read.meta["rank"] == 4 and read.meta["questions"] == 3
    assert len(read.identity) == 12
    assert read.identity != QueryAdapter.load(second).identity


def test_a_cut_adapter_keeps_only_its_largest_directions() -> None:
    """Cut to rank 1, a rank-2 change loses its second direction: what `cut` returns is what
    a file saved at that rank reads back as."""
    full = _adapter(0).deltas[f"{LAYER}.weight"]
    cut = _adapter(0).cut(1).deltas[f"{LAYER}.weight"]
    assert np.linalg.matrix_rank(cut.astype(np.float64), tol=1e-6) == 1
    assert 0.0 < np.linalg.norm(full - cut) < np.linalg.norm(full)


@pytest.mark.parametrize("content", [b"", b"not an adapter", b"PK\x03\x04broken zip"])
def test_a_bad_adapter_file_is_named_in_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "adapter.npz"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=r"adapter\.npz"):
        QueryAdapter.load(path)
    with pytest.raises(ConfigError, match=r"missing\.npz"):
        QueryAdapter.load(tmp_path / "missing.npz")


def test_questions_go_through_the_adapter_and_passages_do_not(real_embedder) -> None:
    """With an adapter only question vectors move; the adapted model shares the base model's
    unchanged tensors (no second copy of the word embeddings) and leaves the base unchanged."""
    plain = real_embedder.with_adapter(None)
    adapted = real_embedder.with_adapter(_adapter(0, scale=0.5))
    question = "hur mkt får handledaren betalt?"
    passage = "Lärosätet betalar handledarersättning per student och VFU-vecka."
    assert np.allclose(plain.embed_passages([passage]), adapted.embed_passages([passage]))
    moved = float(plain.embed_query(question) @ adapted.embed_query(question))
    assert moved < 0.999
    assert np.allclose(plain.embed_query(question), plain.with_adapter(None).embed_query(question))
    base = plain.model[0].auto_model
    tuned = query_model(plain.model, _adapter(0))[0].auto_model
    assert tuned.embeddings.word_embeddings.weight is base.embeddings.word_embeddings.weight
    assert query_model(plain.model, _adapter(0))[0].tokenizer is plain.model[0].tokenizer
    assert tuned.encoder.layer[0].attention.self.query.weight is (
        base.encoder.layer[0].attention.self.query.weight
    )
    changed = tuned.encoder.layer[11].attention.output.dense.weight
    assert changed is not base.encoder.layer[11].attention.output.dense.weight
    assert not np.allclose(
        changed.detach().numpy(),
        base.encoder.layer[11].attention.output.dense.weight.detach().numpy(),
    )


def test_an_adapter_for_parameters_the_model_lacks_is_refused(real_embedder) -> None:
    wrong = QueryAdapter({"encoder.layer.99.output.dense.bias": np.zeros(384, np.float32)}, {}, "")
    with pytest.raises(ConfigError, match=r"layer\.99"):
        query_model(real_embedder.model, wrong)


def test_the_shipped_answer_model_was_trained_with_the_shipped_adapter() -> None:
    """The answer model reads similarities through the adapter it was trained with."""
    from bot.model import load
    from config.settings import DEFAULT_QUERY_ADAPTER

    assert load().info["query_adapter"] == QueryAdapter.load(DEFAULT_QUERY_ADAPTER).identity
