"""Candidate answer sentences and the signals that rank them and decide whether to answer.

Every sentence of the top hits is scored by its own dense similarity to the question
(sentence vectors are computed at ingestion), the share of the question's topic words it and
its section cover, whether it holds what the question asks for, and its chunk's rank.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from bot.question import QuestionInfo, has_kind
from retrieval.index import IndexSnapshot
from retrieval.text import stem, words
from retrieval.types import ScoredChunk

UNKNOWN = "\x00unknown"  # key of the weight given to words the corpus never uses
DENSE_FLOOR, DENSE_SPAN = 0.78, 0.12  # cosine range of this model family mapped to 0..1


@dataclass(frozen=True)
class Weights:
    """How the signals add up to a sentence's score (chosen on the evaluation set)."""

    dense: float = 0.5
    coverage: float = 1.0
    context: float = 0.6
    kind: float = 0.0
    prior: float = 0.2
    names: float = 0.5  # subtracted when the document lacks a name the question mentions


@dataclass(frozen=True)
class Candidate:
    """One sentence of one hit, with its signals."""

    sentence: str
    hit: int  # index into the hits
    dense: float  # normalised 0..1 sentence similarity
    coverage: float  # topic words covered by the sentence (idf-weighted, 0..1)
    context: float  # ... by the sentence with its document title and section
    kind_ok: bool  # holds a date / party / amount when the question asks for one
    names_ok: bool  # every name the question mentions occurs in the hit or its document
    kind: str = "general"  # what the question asks for

    def score(self, w: Weights) -> float:
        """Weighted sum of the signals."""
        return (
            w.dense * self.dense
            + w.coverage * self.coverage
            + w.context * self.context
            + w.kind * self.kind_ok
            + w.prior / (1 + self.hit)
            - w.names * (not self.names_ok)
        )


def idf_table(snapshot: IndexSnapshot) -> dict[str, float]:
    """Idf of every lexical term of the snapshot (memoised on its lexical index)."""
    lex = snapshot.lexical
    cached = getattr(lex, "idf_table", None)
    if cached is None:
        n = max(lex.size, 1)
        cached = {
            term: math.log(
                1.0 + (n - float(lex.doc_freq[col]) + 0.5) / (float(lex.doc_freq[col]) + 0.5)
            )
            for term, col in lex.vocab.items()
        }
        cached[UNKNOWN] = max(cached.values(), default=1.0) * 1.2
        lex.idf_table = cached  # type: ignore[attr-defined]  # memo for this snapshot only
    return cached


def _weight(term: str, idf: dict[str, float]) -> float:
    """Idf of a topic word; a word the corpus never uses weighs the most."""
    return idf.get(stem(term), idf.get(UNKNOWN, 1.0))


def coverage(info: QuestionInfo, text: str, idf: dict[str, float]) -> float:
    """Idf-weighted share of the question's topic words present in the text (stem or inside a
    compound)."""
    if not info.terms:
        return 0.0
    lower = text.lower()
    stems = {stem(w) for w in words(text)}
    total = sum(_weight(t, idf) for t in info.terms)
    found = sum(
        _weight(t, idf)
        for t in info.terms
        if stem(t) in stems or (len(t) >= 5 and stem(t) in lower)
    )
    return found / total if total else 0.0


def names_present(
    info: QuestionInfo, text: str, abbreviations: dict[str, str] | None = None
) -> bool:
    """Every name or abbreviation in the question occurs in the text (either form of a known
    abbreviation counts)."""
    lower = text.lower()
    known = abbreviations or {}
    return all(
        stem(name) in lower or (name in known and known[name] in lower) for name in info.names
    )


def document_text(snapshot: IndexSnapshot, doc_path: str) -> str:
    """Title, path and full text of one document, lower-cased (memoised per snapshot)."""
    cache: dict[str, str] = snapshot.__dict__.setdefault("_doc_text_cache", {})
    if doc_path not in cache:
        if len(cache) > 256:
            cache.clear()
        doc = snapshot.documents[doc_path]
        body = " ".join(c.text for _, c, _ in snapshot.chunks_of(doc_path))
        cache[doc_path] = f"{doc.title} {doc.path} {body}".lower()
    return cache[doc_path]


def candidates(
    info: QuestionInfo,
    hits: list[ScoredChunk],
    positions: list[int],
    snapshot: IndexSnapshot,
    query_vector: np.ndarray,
    depth: int = 6,
) -> list[Candidate]:
    """All sentences of the first `depth` hits with their signals."""
    idf = idf_table(snapshot)
    abbreviations = snapshot.lexical.analyzer.abbreviations
    by_chunk = snapshot.sentences(positions[:depth])
    vectors = snapshot.sentence_vectors()
    out = []
    for i, (hit, pos) in enumerate(zip(hits[:depth], positions[:depth], strict=False)):
        context = f"{hit.doc.title} {hit.chunk.section}"
        names_ok = names_present(info, document_text(snapshot, hit.doc.path), abbreviations)
        rows = by_chunk.get(pos, [])
        for n, (sid, raw) in enumerate(rows):
            sentence = with_list(raw, [t for _, t in rows[n + 1 :]])
            cos = float(np.dot(vectors[sid], query_vector))
            out.append(
                Candidate(
                    sentence=sentence,
                    hit=i,
                    dense=min(max((cos - DENSE_FLOOR) / DENSE_SPAN, 0.0), 1.0),
                    coverage=coverage(info, sentence, idf),
                    context=coverage(info, f"{context} {sentence}", idf),
                    kind_ok=has_kind(sentence, info.kind),
                    kind=info.kind,
                    names_ok=names_ok,
                )
            )
    return out


KIND_SHARE = 0.9
BULLET = re.compile(r"^\s*(?:[•◦▪\-–*]|\d{1,2}[.)])\s+")


def clean(sentence: str) -> str:
    """A sentence as shown in an answer: no leading bullet, no trailing comma."""
    text = BULLET.sub("", sentence).strip()
    return text[:-1] + "." if text.endswith((",", ";")) else text


def with_list(sentence: str, following: list[str], limit: int = 6) -> str:
    """A sentence that introduces a list ("... fyra delar:") with the list items after it."""
    if not sentence.rstrip().endswith(":"):
        return clean(sentence)
    items: list[str] = []
    for text in following[:limit]:
        if not BULLET.match(text) and items:
            break
        items.append(clean(text).rstrip("."))
    return f"{sentence.rstrip()} {'; '.join(items)}." if items else sentence


def choose(
    cands: list[Candidate], w: Weights, limit: int, margin: float = 0.85, kind_first: bool = False
) -> list[Candidate]:
    """The best sentence and up to limit-1 more scoring within `margin` of it, no near-repeats.

    With kind_first (a question asking for a date, party or amount) a sentence that holds one
    goes first when it scores at least KIND_SHARE of the best sentence.
    """
    ranked = sorted(cands, key=lambda c: -c.score(w))
    if kind_first and ranked and not ranked[0].kind_ok:
        top = ranked[0].score(w)
        fitting = [c for c in ranked if c.kind_ok and c.score(w) >= KIND_SHARE * top]
        if fitting:
            ranked = [fitting[0]] + [c for c in ranked if c is not fitting[0]]
    chosen: list[Candidate] = []
    for cand in ranked:
        if len(chosen) >= limit:
            break
        if chosen and (cand.score(w) < margin * chosen[0].score(w) or _repeats(cand, chosen)):
            continue
        chosen.append(cand)
    return chosen


def _repeats(cand: Candidate, chosen: list[Candidate]) -> bool:
    a = set(words(cand.sentence))
    return any(len(a & (b := set(words(c.sentence)))) / max(len(a | b), 1) > 0.6 for c in chosen)


def confidence(best: Candidate) -> float:
    """0..1: how well the best sentence answers. A missing name or kind caps it."""
    value = 0.45 * best.context + 0.2 * best.coverage + 0.2 * best.kind_ok + 0.15 * best.dense
    if not best.names_ok or (best.kind == "date" and not best.kind_ok):
        return min(value, 0.3)  # a name it lacks, or no date for "när": not an answer
    return value
