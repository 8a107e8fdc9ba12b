"""Fixtures shared by the evaluation tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer import Answerer
from evaluation import learn
from evaluation.labels import load as load_labels

QA = Path(__file__).resolve().parents[2] / "tests" / "eval" / "qa.jsonl"


@pytest.fixture(scope="module")
def examples(answerer: Answerer) -> list[learn.Example]:
    """The first 12 questions of the sample set qa, collected through the production path."""
    return learn.collect(answerer, load_labels(QA)[:12])
