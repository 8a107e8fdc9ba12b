"""Cached cross-fitted examples are used only for the inputs they were collected from."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.answer import Answerer
from evaluation import cache, learn
from evaluation.adapt import AdapterConfig

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def saved(answerer: Answerer, examples: list[learn.Example], tmp_path: Path) -> tuple[Path, str]:
    """The examples saved to a file, and the stamp they were saved under."""
    key = cache.stamp(answerer.snapshot, [e.label for e in examples], [], AdapterConfig())
    cache.save(tmp_path / "examples.pkl", key, examples)
    return tmp_path / "examples.pkl", key


def test_saved_examples_fit_the_same_model(
    examples: list[learn.Example], saved: tuple[Path, str]
) -> None:
    labels = [e.label for e in examples]
    again = cache.load(*saved)
    assert again is not None
    assert [e.label for e in again] == labels
    assert all(np.array_equal(a.x, b.x) for a, b in zip(again, examples, strict=True))
    assert examples[0].found.query is not None  # the caller's examples are left whole
    model, reread = learn.fit(examples), learn.fit(again)
    first, second = model.to_json(), reread.to_json()
    assert first["ranker"] == second["ranker"]
    assert first["decider"] == second["decider"]
    assert learn.metrics([learn.score(reread, e) for e in again]) == learn.metrics(
        [learn.score(model, e) for e in examples]
    )


def test_other_inputs_or_a_broken_file_are_not_read(
    answerer: Answerer, examples: list[learn.Example], saved: tuple[Path, str]
) -> None:
    path, key = saved
    labels = [e.label for e in examples]
    changed = [dataclasses.replace(labels[0], question=labels[0].question + " igen"), *labels[1:]]
    others = (
        cache.stamp(answerer.snapshot, changed, [], AdapterConfig()),
        cache.stamp(answerer.snapshot, labels, labels[:1], AdapterConfig()),
        cache.stamp(answerer.snapshot, labels, [], AdapterConfig(epochs=1)),
        cache.stamp(answerer.snapshot, labels, [], None),
    )
    assert len({key, *others}) == 5
    assert all(cache.load(path, other) is None for other in others)
    path.write_bytes(path.read_bytes()[:100])
    assert cache.load(path, key) is None
    assert cache.load(path.with_name("missing.pkl"), key) is None


def test_the_stamp_follows_the_candidate_code_but_not_the_model_fitting(
    answerer: Answerer,
    examples: list[learn.Example],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for folder in cache.SOURCES:
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.json", "*.npz")
        )
    monkeypatch.setattr(cache, "REPO", tmp_path)
    labels = [e.label for e in examples[:3]]

    def current() -> str:
        return cache.stamp(answerer.snapshot, labels, [], AdapterConfig())

    key = current()
    for fitting in ("evaluation/learn.py", "bot/model.py"):
        with (tmp_path / fitting).open("a", encoding="utf-8") as f:
            f.write("\n# changed\n")
        assert current() == key
    with (tmp_path / "bot" / "features.py").open("a", encoding="utf-8") as f:
        f.write("\n# changed\n")
    assert current() != key
