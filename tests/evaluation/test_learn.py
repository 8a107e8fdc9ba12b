"""The answer model is trained on exactly what answering computes, and scores as it answers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot import features
from bot.answer import Answerer
from bot.model import DECIDER_NAMES, load
from evaluation import learn
from evaluation.labels import Label, is_gold

ROOT = Path(__file__).resolve().parents[2]


def test_training_features_are_the_production_features(
    answerer: Answerer, examples: list[learn.Example]
) -> None:
    """collect() goes through Answerer.candidates: the same candidates and the same matrix."""
    for e in examples[:5]:
        again = answerer.candidates(e.label.question, e.label.history)
        assert [c.sentence for c in again.cands] == [c.sentence for c in e.found.cands]
        assert np.allclose(again.x, e.x)
        assert e.x.shape[1] == len(features.NAMES)


def test_scoring_decides_as_the_answerer_does(
    answerer: Answerer, examples: list[learn.Example]
) -> None:
    """learn.score with the shipped model answers exactly when Answerer.answer does, with the
    same first sentence."""
    for e in examples:
        outcome = learn.score(answerer.model, e)
        answer = answerer.answer(e.label.question)
        if answer.reason == "" and not answer.answered:
            continue
        assert outcome.answered == answer.answered, e.label.question
        if answer.answered:
            first = answer.text.split(" [")[0]
            assert outcome.answer.startswith(first)


def test_gold_needs_the_document_and_most_of_the_words() -> None:
    """A sentence is gold when it comes from the labelled document and shares most words with
    the supporting text; the same words in another document are not gold."""
    label = Label(
        "x", "q", "fact", "a", "avtal.txt", "Kommunen ska erbjuda 40 VFU-platser per termin."
    )
    assert is_gold("Kommunen ska erbjuda 40 VFU-platser per termin.", "avtal.txt", label)
    assert not is_gold("Kommunen ska erbjuda 40 VFU-platser per termin.", "annat.txt", label)
    assert not is_gold("Avtalet gäller i två år.", "avtal.txt", label)


def test_the_model_file_names_the_features_this_code_computes(tmp_path: Path) -> None:
    """The shipped model loads; a model trained on other features is refused with a clear error."""
    model = load()
    assert model.ranker.names == features.NAMES and model.decider.names == DECIDER_NAMES
    assert 0.0 < model.threshold < 1.0
    raw = json.loads((ROOT / "bot" / "answer_model.json").read_text("utf-8"))
    raw["ranker"]["names"] = raw["ranker"]["names"][:-1]
    bad = tmp_path / "model.json"
    bad.write_text(json.dumps(raw), "utf-8")
    from retrieval.errors import ConfigError

    with pytest.raises(ConfigError, match="other features"):
        load(bad)


def test_a_fit_on_few_examples_ranks_gold_above_chance(examples: list[learn.Example]) -> None:
    """Fitting on the sample questions gives a ranker that puts a gold sentence first more often
    than the passage order alone does."""
    model = learn.fit(examples)
    usable = [e for e in examples if e.gold.any()]
    learned = sum(learn.score(model, e).top1 for e in usable)
    first = sum(bool(e.gold[0]) for e in usable)
    assert learned >= first and learned > 0


def test_exported_trees_predict_as_scikit_learn_and_explain_additively() -> None:
    """The decider's trees, exported from scikit-learn to numpy arrays, give the same log-odds,
    and a row's feature contributions add up to its log-odds minus the mean prediction."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = x[:, 0] + 0.5 * x[:, 1] > 0
    trees = learn._trees(x, y, ("a", "b", "c"), np.ones(len(y)))  # checks against sklearn
    row = x[7]
    root = trees.baseline + sum(t["value"][0] for t in trees.trees)
    parts = trees.contributions(row)
    assert np.isclose(root + sum(parts.values()), trees.margin(row[None, :])[0])
    assert abs(parts["a"]) > abs(parts["c"])


def _outcome(answerable: bool, probability: float, n: int) -> learn.Outcome:
    doc = "avtal.txt" if answerable else ""
    label = Label(f"q{n}", "q", "fact" if answerable else "unanswerable", "a", doc, "text")
    return learn.Outcome(label, False, False, False, probability >= 0.5, False, "", probability)


def test_decider_auc_orders_answerable_above_unanswerable_at_any_threshold() -> None:
    """1.0 when every answerable question gets a higher probability than every unanswerable
    one, 0.0 when the order is reversed, 0.5 for a tie, nan with one class only; the report
    prints it."""
    good = [_outcome(True, 0.9, 1), _outcome(True, 0.6, 2), _outcome(False, 0.4, 3)]
    bad = [_outcome(True, 0.2, 1), _outcome(False, 0.7, 2)]
    tie = [_outcome(True, 0.5, 1), _outcome(False, 0.5, 2)]
    assert learn.decider_auc(good) == 1.0
    assert learn.decider_auc(bad) == 0.0
    assert learn.decider_auc(tie) == 0.5
    assert np.isnan(learn.decider_auc([_outcome(True, 0.9, 1)]))
    assert "decider AUC (answerable vs unanswerable, any threshold) 1.000" in learn.report(
        good, "set"
    )
