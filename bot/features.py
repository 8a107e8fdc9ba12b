"""The candidate answer sentences of a question and one feature vector per candidate.

Answering ranks every sentence of the best retrieved passages and decides whether the best
one answers. Both decisions are made by a learned model (`bot.model`) from the features below;
nothing here decides. Each feature is a small named function with its range in the docstring,
and `FEATURES` lists them in the order of the model file's columns. The training script
(`scripts/train_answerer.py`) calls exactly these functions through `Answerer.candidates`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from bot import evidence
from bot.question import FILLER, Kind, QuestionInfo, fold, has_kind, has_party_type
from retrieval.sentences import earlier_in_paragraph
from retrieval.snapshot import Snapshot
from retrieval.text import content_words, stem, words
from retrieval.types import ScoredChunk


@dataclass(frozen=True)
class Candidate:
    """One sentence of one retrieved passage, as shown and as stored."""

    sentence: str  # as shown in an answer (a list intro carries its items)
    raw: str  # as stored in the index
    hit: int  # index into the hits, best first
    order: int  # the sentence's place in its chunk (0 = first)
    of: int  # sentences in its chunk
    cosine: float  # cosine of the sentence vector (with its title and section) and the question
    before: str  # the sentences before it in its paragraph
    sid: int = -1  # row of its vector in the snapshot's sentence vectors


@dataclass
class Query:
    """What every feature of one question's candidates may look at."""

    info: QuestionInfo
    hits: list[ScoredChunk]
    snapshot: Snapshot
    idf: dict[str, float]
    abbreviations: dict[str, str]
    split: Callable[[str], tuple[str, ...]]
    coined: tuple[str, ...]
    asked: QuestionInfo | None
    unknown: float
    grams: Counter[str] = field(default_factory=Counter)
    max_bm25: float = 0.0
    per_hit: dict[tuple[str, int], float] = field(default_factory=dict)  # per-passage values
    rarest: str = ""  # the topic word with the highest idf
    pairs: tuple[tuple[str, str], ...] = ()  # adjacent topic-word stems of the question


def _context(q: Query, c: Candidate) -> str:
    hit = q.hits[c.hit]
    return f"{hit.doc.title} {hit.chunk.section}"


# --- features: each (query, candidate) -> float -------------------------------------------


def dense_sentence(q: Query, c: Candidate) -> float:
    """Cosine (about 0.7..0.95 for this model) of the question and the sentence vector, which
    was embedded after its document's title and section heading (`ingest.pipeline`)."""
    return c.cosine


def dense_chunk(q: Query, c: Candidate) -> float:
    """Cosine of the question and the sentence's whole passage (0 when dense search missed it)."""
    return q.hits[c.hit].dense


def bm25_chunk(q: Query, c: Candidate) -> float:
    """BM25 of the passage divided by the best passage's BM25 for this question, 0..1."""
    return q.hits[c.hit].lexical / q.max_bm25 if q.max_bm25 > 0 else 0.0


def hit_rank(q: Query, c: Candidate) -> float:
    """1 / (1 + rank of the passage in hybrid search), 1 for the best passage."""
    return 1.0 / (1 + c.hit)


def coverage_sentence(q: Query, c: Candidate) -> float:
    """Idf-weighted share of the question's topic words in the sentence (stems, compound parts,
    abbreviations, lexicon synonyms), 0..1."""
    return evidence.coverage(q.info, c.sentence, q.idf, q.abbreviations, q.split)


def coverage_context(q: Query, c: Candidate) -> float:
    """As coverage_sentence, over the sentence with its document title, section and the
    sentences before it in its paragraph, 0..1."""
    text = f"{_context(q, c)} {c.before} {c.sentence}"
    return evidence.coverage(q.info, text, q.idf, q.abbreviations, q.split)


def _per_hit(q: Query, c: Candidate, name: str, compute: Callable[[], float]) -> float:
    """A value that depends only on the candidate's passage, computed once per passage."""
    key = (name, c.hit)
    if key not in q.per_hit:
        q.per_hit[key] = compute()
    return q.per_hit[key]


def coverage_section(q: Query, c: Candidate) -> float:
    """Share of the question's topic words in the document title and section heading, 0..1."""
    return _per_hit(
        q,
        c,
        "coverage_section",
        lambda: evidence.coverage(q.info, _context(q, c), q.idf, q.abbreviations, q.split),
    )


def char_grams(q: Query, c: Candidate) -> float:
    """Cosine of character 3-gram counts of the question's topic words and the sentence with
    å/ä/ö folded: survives typos, missing diacritics and inflection, 0..1."""
    other = gram_counts(c.sentence)
    dot = sum(n * other[g] for g, n in q.grams.items())
    norm = math.sqrt(sum(n * n for n in q.grams.values()) * sum(n * n for n in other.values()))
    return dot / norm if norm else 0.0


def kind_asked(q: Query, c: Candidate) -> float:
    """1 when the question asks for something specific (a date, amount, party, period ...)."""
    return float(q.info.kind is not Kind.GENERAL)


def kind_held(q: Query, c: Candidate) -> float:
    """1 when the question asks for something specific and the sentence holds one (a date for
    'när', a period for 'hur länge', a number for 'hur många', a party for 'vem')."""
    if q.info.kind is Kind.GENERAL:
        return 0.0
    ok = has_kind(c.sentence, q.info.kind)
    if ok and q.info.party_type:
        ok = has_party_type(c.sentence, q.info.party_type)
    return float(ok)


def names_missing(q: Query, c: Candidate) -> float:
    """1 when a name, abbreviation or year of the question is in neither the passage, its
    section nor its document title."""
    if not q.info.names:
        return 0.0
    hit = q.hits[c.hit]
    local = f"{hit.doc.title} {hit.doc.path} {hit.chunk.section} {hit.chunk.text}"
    return _per_hit(
        q,
        c,
        "names_missing",
        lambda: float(not evidence.names_present(q.info, local, q.abbreviations, q.split)),
    )


def coined_missing(q: Query, c: Candidate) -> float:
    """1 when the question holds a word the documents never use ("lönetillägg") and neither it
    nor a part of it is in the sentence with its context."""
    return float(
        not evidence.touched(q.coined, f"{_context(q, c)} {c.sentence}", q.abbreviations, q.split)
    )


def topic_missing(q: Query, c: Candidate) -> float:
    """1 when the sentence shares only the question's names and none of what it asks about
    them ("rektor" of "Vem är rektor på KI?")."""
    if q.asked is None:
        return 0.0
    text = f"{_context(q, c)} {c.sentence}"
    return float(evidence.coverage(q.asked, text, q.idf, q.abbreviations) == 0)


def unknown_words(q: Query, c: Candidate) -> float:
    """Share of the question's own topic words that no document uses, even inside a compound,
    0..1 (the same for every candidate of a question)."""
    return q.unknown


def position(q: Query, c: Candidate) -> float:
    """The sentence's place in its passage, 0 (first) .. 1 (last)."""
    return c.order / max(c.of - 1, 1)


def length(q: Query, c: Candidate) -> float:
    """log10 of the sentence's length in characters (about 1..3)."""
    return math.log10(max(len(c.sentence), 1))


def heading_like(q: Query, c: Candidate) -> float:
    """1 for a line that reads as a heading or caption: short, no closing punctuation, or the
    passage's own section title."""
    text = c.raw.strip()
    section = q.hits[c.hit].chunk.section.strip()
    if section and text.rstrip(".:") == section.rstrip(".:"):
        return 1.0
    return float(len(text) < 80 and not text.endswith((".", "!", "?", ":", ";")))


def table_row(q: Query, c: Candidate) -> float:
    """1 for a table row as ingestion writes it ("Moment: …; Ansvarig: …")."""
    return float(bool(evidence.TABLE_ROW.match(c.sentence)))


def list_intro(q: Query, c: Candidate) -> float:
    """1 for a sentence that introduces a list and so carries its items."""
    return float(c.raw.rstrip().endswith(":"))


def is_question(q: Query, c: Candidate) -> float:
    """1 for a sentence that is itself a question ("Varför en huvudöverenskommelse?"): a
    heading of a Q&A page, seldom an answer."""
    return float(c.raw.rstrip().endswith("?"))


def holds_number(q: Query, c: Candidate) -> float:
    """1 when the sentence holds a quantity (a number that is not a year, or a number word)."""
    return float(has_kind(c.sentence, Kind.AMOUNT))


def holds_date(q: Query, c: Candidate) -> float:
    """1 when the sentence holds a time (a date, month, year, season or 'inom tre månader')."""
    return float(has_kind(c.sentence, Kind.DATE))


def holds_period(q: Query, c: Candidate) -> float:
    """1 when the sentence holds a period ("tre månader", "tills vidare", "2017–2019")."""
    return float(has_kind(c.sentence, Kind.DURATION))


def rarest_term(q: Query, c: Candidate) -> float:
    """1 when the question's rarest topic word (highest idf) is in the sentence or its context:
    the word that tells this question apart from its neighbours."""
    if not q.rarest:
        return 0.0
    single = QuestionInfo(q.info.text, q.info.kind, (q.rarest,))
    text = f"{_context(q, c)} {c.before} {c.sentence}"
    return evidence.coverage(single, text, q.idf, q.abbreviations, q.split)


def phrase_match(q: Query, c: Candidate) -> float:
    """Share of the question's adjacent topic-word pairs (by stem) that stand next to each other
    in the sentence too ("ämnesrelaterad verksamhetsförlagd"), 0..1."""
    if not q.pairs:
        return 0.0
    found = set(stem_pairs(c.sentence))
    return sum(1 for p in q.pairs if p in found) / len(q.pairs)


def question_terms(q: Query, c: Candidate) -> float:
    """log2(1 + the question's topic words): short questions give less to go on."""
    return math.log2(1 + len(q.info.terms))


FEATURES: tuple[Callable[[Query, Candidate], float], ...] = (
    dense_sentence,
    dense_chunk,
    bm25_chunk,
    hit_rank,
    coverage_sentence,
    coverage_context,
    coverage_section,
    char_grams,
    kind_asked,
    kind_held,
    names_missing,
    coined_missing,
    topic_missing,
    unknown_words,
    position,
    length,
    heading_like,
    table_row,
    list_intro,
    question_terms,
    is_question,
    holds_number,
    holds_date,
    holds_period,
    rarest_term,
    phrase_match,
)
# features also given relative to the question's best candidate (value - max over candidates):
# how a sentence compares with its rivals, which the absolute value alone does not tell
RELATIVE = ("dense_sentence", "coverage_sentence", "coverage_context", "char_grams")
NAMES: tuple[str, ...] = tuple(f.__name__ for f in FEATURES) + tuple(f"{n}_rel" for n in RELATIVE)


def matrix(q: Query, cands: list[Candidate]) -> np.ndarray:
    """Features of the candidates, one row each, columns in NAMES order (float64)."""
    if not cands:
        return np.zeros((0, len(NAMES)))
    base = np.array([[f(q, c) for f in FEATURES] for c in cands], dtype=np.float64)
    cols = [NAMES.index(n) for n in RELATIVE]
    rel = base[:, cols] - base[:, cols].max(axis=0)
    return np.hstack([base, rel])


# --- building the candidates ----------------------------------------------------------------


def gram_counts(text: str) -> Counter[str]:
    """Character 3-grams of the text's words (lower case, å/ä/ö folded, word edges marked)."""
    grams: Counter[str] = Counter()
    for word in words(text):
        padded = f" {fold(word)} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def stem_pairs(text: str) -> list[tuple[str, str]]:
    """Adjacent content words of the text (question fillers left out) as stem pairs, in order."""
    stems = [stem(w) for w in content_words(text) if fold(w) not in FILLER]
    return list(pairwise(stems))


def query(info: QuestionInfo, hits: list[ScoredChunk], snapshot: Snapshot) -> Query:
    """Everything the features need about the question, computed once."""
    lex = snapshot.lexical
    idf = evidence.idf_table(snapshot)
    return Query(
        info=info,
        hits=hits,
        snapshot=snapshot,
        idf=idf,
        abbreviations=lex.analyzer.abbreviations,
        split=lex.analyzer.split,
        coined=evidence.coined_compounds(info, snapshot),
        asked=evidence.beyond_names(info),
        unknown=evidence.unknown_share(info, snapshot),
        grams=gram_counts(" ".join(info.terms)),
        max_bm25=max((h.lexical for h in hits), default=0.0),
        rarest=max(info.terms, key=lambda t: idf.get(stem(t), idf.get(evidence.UNKNOWN, 0.0)))
        if info.terms
        else "",
        pairs=tuple(dict.fromkeys(stem_pairs(info.text))),
    )


def candidates(q: Query, query_vector: np.ndarray) -> list[Candidate]:
    """Every sentence of every hit, in hit order then sentence order."""
    positions = [h.position for h in q.hits]
    by_chunk = q.snapshot.sentences(positions)
    vectors = q.snapshot.sentence_vectors()
    out: list[Candidate] = []
    for i, hit in enumerate(q.hits):
        rows = by_chunk.get(hit.position, [])
        texts = [t for _, t in rows] + evidence.next_chunk_sentences(
            q.snapshot, hit, hit.position, rows
        )
        before = earlier_in_paragraph([t for _, t in rows], hit.chunk.text)
        for n, (sid, raw) in enumerate(rows):
            out.append(
                Candidate(
                    sentence=evidence.with_list(raw, texts[n + 1 :]),
                    raw=raw,
                    hit=i,
                    order=n,
                    of=len(rows),
                    cosine=float(np.dot(vectors[sid], query_vector)),
                    before=" ".join(before[n]),
                    sid=sid,
                )
            )
    return out
