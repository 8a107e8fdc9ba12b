"""One contract, run against every VectorStore implementation (exact and HNSW)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.vectorstore import FaissStore


def _unit(rows: int, dim: int, seed: int) -> np.ndarray:
    vecs = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


@pytest.fixture(params=["exact", "hnsw"])
def store(request) -> FaissStore:
    return FaissStore(16, approximate=request.param == "hnsw")


class TestVectorStoreContract:
    def test_empty_store_returns_nothing(self, store: FaissStore) -> None:
        """Searching an empty store gives [] rather than an error."""
        assert store.size == 0 and store.search(_unit(1, 16, 0)[0], 5) == []

    def test_nearest_is_itself_with_cosine_one(self, store: FaissStore) -> None:
        """A stored vector is its own best hit, cosine ~1, positions in insertion order."""
        vecs = _unit(200, 16, 1)
        store.add(vecs[:100])
        store.add(vecs[100:])
        hits = store.search(vecs[150], 3)
        assert hits[0][0] == 150 and hits[0][1] == pytest.approx(1.0, abs=1e-4)
        assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)

    def test_k_larger_than_size(self, store: FaissStore) -> None:
        """Asking for more hits than vectors returns every vector once."""
        store.add(_unit(4, 16, 2))
        assert sorted(p for p, _ in store.search(_unit(1, 16, 3)[0], 10)) == [0, 1, 2, 3]

    def test_wrong_width_is_refused(self, store: FaissStore) -> None:
        """Vectors of another width raise ValueError naming the shape."""
        with pytest.raises(ValueError, match="shape"):
            store.add(np.zeros((2, 8), dtype=np.float32))

    def test_save_and_load_round_trip(self, store: FaissStore, tmp_path: Path) -> None:
        """A saved store answers like the original after loading."""
        vecs = _unit(50, 16, 4)
        store.add(vecs)
        store.save(tmp_path / "d.faiss")
        loaded = FaissStore.load(tmp_path / "d.faiss")
        assert loaded.approximate == store.approximate
        assert loaded.search(vecs[7], 1)[0][0] == 7


def test_build_switches_to_hnsw_above_threshold() -> None:
    """Above ann_threshold vectors the store is approximate; at or below it, exact."""
    vecs = _unit(30, 16, 5)
    assert not FaissStore.build(vecs, ann_threshold=30).approximate
    assert FaissStore.build(vecs, ann_threshold=29).approximate
