"""The learned answer model: a ranker over candidate sentences and an answer/decline decider.

The ranker is a logistic regression over standardised features (`bot.features.NAMES`); the
decider is the mean of a few small gradient-boosted tree ensembles, each fitted on a bootstrap
sample of the questions, over the best candidate's features (trees separate answerable from
unanswerable questions better on held-out documents: AUC 0.69 against 0.63 for a logistic
decider; the mean of several is steadier than one). Both are fitted by
`scripts/train_answerer.py` with scikit-learn and stored with their feature names in one
versioned JSON file (`bot/answer_model.json`). Prediction needs only numpy, and a prediction
is explained as each feature's contribution (a linear model's coefficient times the
standardised value; for trees, the change of the prediction at each split along the row's
path, summed per feature).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from bot import features
from retrieval.errors import ConfigError

MODEL_FILE = Path(__file__).with_name("answer_model.json")
FORMAT = 1
# the decider sees the best candidate's features and how it stands against the runner-up
DECIDER_EXTRA = ("rank_score", "rank_margin")
DECIDER_NAMES: tuple[str, ...] = features.NAMES + DECIDER_EXTRA


@dataclass(frozen=True)
class Linear:
    """A standardised logistic regression: sigmoid(((x - mean) / scale) . coef + intercept)."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def margin(self, x: np.ndarray) -> np.ndarray:
        """Log-odds for each row of x (n, len(names))."""
        return ((x - self.mean) / self.scale) @ self.coef + self.intercept

    def contributions(self, row: np.ndarray) -> dict[str, float]:
        """Each feature's share of one row's log-odds (intercept excluded)."""
        parts = (row - self.mean) / self.scale * self.coef
        return {n: float(v) for n, v in zip(self.names, parts, strict=True)}

    def to_json(self) -> dict[str, object]:
        return {
            "type": "linear",
            "names": list(self.names),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
        }

    @classmethod
    def from_json(cls, raw: dict) -> Linear:
        return cls(
            tuple(raw["names"]),
            np.asarray(raw["mean"], dtype=np.float64),
            np.asarray(raw["scale"], dtype=np.float64),
            np.asarray(raw["coef"], dtype=np.float64),
            float(raw["intercept"]),
        )


@dataclass(frozen=True)
class Trees:
    """Additive regression trees on raw features: log-odds = baseline + sum of leaf values."""

    names: tuple[str, ...]
    baseline: float
    trees: tuple[dict[str, np.ndarray], ...]  # feature, threshold, left, right, leaf, value

    def _path(self, tree: dict[str, np.ndarray], row: np.ndarray) -> list[int]:
        node, path = 0, [0]
        while not tree["leaf"][node]:
            go_left = row[tree["feature"][node]] <= tree["threshold"][node]
            node = int(tree["left"][node] if go_left else tree["right"][node])
            path.append(node)
        return path

    def margin(self, x: np.ndarray) -> np.ndarray:
        """Log-odds for each row of x (n, len(names))."""
        return np.array(
            [
                self.baseline + sum(t["value"][self._path(t, row)[-1]] for t in self.trees)
                for row in x
            ]
        )

    def contributions(self, row: np.ndarray) -> dict[str, float]:
        """Each feature's share of the row's log-odds: at every split on the row's path, the
        change from the node's mean prediction to the child's, credited to the split feature."""
        out = dict.fromkeys(self.names, 0.0)
        for tree in self.trees:
            path = self._path(tree, row)
            for parent, child in pairwise(path):
                name = self.names[int(tree["feature"][parent])]
                out[name] += float(tree["value"][child] - tree["value"][parent])
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "type": "trees",
            "names": list(self.names),
            "baseline": self.baseline,
            "trees": [{k: v.tolist() for k, v in t.items()} for t in self.trees],
        }

    @classmethod
    def from_json(cls, raw: dict) -> Trees:
        kinds = {"feature": np.int64, "left": np.int64, "right": np.int64, "leaf": bool}
        trees = tuple(
            {k: np.asarray(v, dtype=kinds.get(k, np.float64)) for k, v in t.items()}
            for t in raw["trees"]
        )
        return cls(tuple(raw["names"]), float(raw["baseline"]), trees)


def decision_row(x: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The decider's input for a question: its best candidate's features, that candidate's
    ranker score, and its margin over the runner-up (0 with a single candidate)."""
    order = np.argsort(-scores, kind="stable")
    top = scores[order[0]]
    margin = top - scores[order[1]] if len(order) > 1 else 0.0
    return np.concatenate([x[order[0]], [top, margin]])


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


@dataclass(frozen=True)
class AnswerModel:
    """Ranker, decider and the decider's threshold, as trained together."""

    ranker: Linear
    decider: Linear | Trees
    threshold: float  # probability that the best sentence answers, below which we decline
    info: dict[str, object]

    def rank(self, x: np.ndarray) -> np.ndarray:
        """Ranker log-odds for each candidate row (n, len(features.NAMES))."""
        return self.ranker.margin(x) if len(x) else np.zeros(0)

    def decision_row(self, x: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """The decider's input for this question (see `decision_row`)."""
        return decision_row(x, scores)

    def answers(self, row: np.ndarray) -> float:
        """Probability that the best candidate answers the question."""
        return float(sigmoid(self.decider.margin(row[None, :])[0]))

    def to_json(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "ranker": self.ranker.to_json(),
            "decider": self.decider.to_json(),
            "threshold": self.threshold,
            "info": self.info,
        }


def load(path: Path = MODEL_FILE) -> AnswerModel:
    """Read the model file; it must hold exactly the features this code computes."""
    try:
        raw = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the answer model ({exc})") from exc
    if raw.get("format") != FORMAT:
        raise ConfigError(f"{path}: answer model format {raw.get('format')!r}, expected {FORMAT}")
    ranker = Linear.from_json(raw["ranker"])
    kind = raw["decider"].get("type", "linear")
    decider = (
        Trees.from_json(raw["decider"]) if kind == "trees" else Linear.from_json(raw["decider"])
    )
    if ranker.names != features.NAMES or decider.names != DECIDER_NAMES:
        raise ConfigError(
            f"{path}: the answer model was trained on other features than this code computes; "
            "run scripts/train_answerer.py again"
        )
    return AnswerModel(ranker, decider, float(raw["threshold"]), raw.get("info", {}))
