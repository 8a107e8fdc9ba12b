"""What kind of sentence answers what kind of question, learned from the labelled questions.

A question's cues are its kind and the words it asks with rather than about ("hur", "mkt",
"vem", "senast": the words that are not its topic words). A sentence's terms are the stems of
its words, any number written as "#". Every (cue, term) pair has a weight, fitted by
`evaluation.learn.fit_pairing` as a logistic regression of "this sentence answers" over the
candidates of the labelled questions, with only terms used in several documents, so that the
pairs say how answers read ("hur mycket" with "kronor" and a number, "vem" with "ansvarar",
"syftet" with "syftar") and not what one document is about. The sum of a sentence's pair weights
is the ranker's feature `answer_type` (`bot.features`); the weights live in the model file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.question import QuestionInfo
from retrieval.text import stem, words

NUMBER = "#"


def question_cues(info: QuestionInfo) -> frozenset[str]:
    """The question's kind and the stems of its words that are not topic words."""
    topic = set(info.terms)
    asked = {"q=" + stem(w) for w in words(info.text) if w not in topic}
    return frozenset({"k=" + info.kind.value, *asked})


def sentence_terms(sentence: str) -> frozenset[str]:
    """The stems of the sentence's words, a word holding a digit as NUMBER."""
    return frozenset(NUMBER if any(ch.isdigit() for ch in w) else stem(w) for w in words(sentence))


def pair_keys(cues: Iterable[str], terms: Iterable[str]) -> list[str]:
    """The names of the (cue, term) pairs, as the model file stores their weights."""
    terms = list(terms)
    return [f"{c}|{t}" for c in cues for t in terms]


@dataclass(frozen=True)
class Pairing:
    """Weights of (question cue, sentence term) pairs; a pair not listed weighs 0."""

    weights: dict[str, float]
    intercept: float

    def score(self, cues: frozenset[str], sentence: str) -> float:
        """Log-odds that a sentence with these words answers a question with these cues."""
        weights = self.weights
        keys = pair_keys(cues, sentence_terms(sentence))
        return self.intercept + sum(weights.get(k, 0.0) for k in keys)

    def to_json(self) -> dict[str, object]:
        return {
            "intercept": round(self.intercept, 5),
            "weights": {k: round(v, 5) for k, v in sorted(self.weights.items())},
        }

    @classmethod
    def from_json(cls, raw: dict) -> Pairing:
        return cls({str(k): float(v) for k, v in raw["weights"].items()}, float(raw["intercept"]))
