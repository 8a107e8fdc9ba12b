"""Candidate answer sentences and the signals that rank them and decide whether to answer.

Every sentence of the top hits is scored by its own dense similarity to the question
(sentence vectors are computed at ingestion), the share of the question's topic words it and
its section cover, whether it holds what the question asks for, and its chunk's rank.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.question import QuestionInfo, has_kind, has_party_type
from retrieval.index import IndexSnapshot
from retrieval.sentences import earlier_in_paragraph
from retrieval.text import stem, words
from retrieval.thesaurus import alternatives
from retrieval.types import ScoredChunk

UNKNOWN = "\x00unknown"  # key of the weight given to words the corpus never uses
DENSE_FLOOR, DENSE_SPAN = 0.78, 0.12  # cosine range of this model family mapped to 0..1


@dataclass(frozen=True)
class Weights:
    """How the signals add up to a sentence's score (chosen on the evaluation set)."""

    dense: float = 1.0
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
    topic_ok: bool = True  # a topic word other than the question's names is covered
    own_reference: bool = False  # holds its own document's diarienummer
    coined_ok: bool = True  # each compound the documents never use is there, or one of its parts

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


def _weight(term: str, idf: dict[str, float], abbreviations: dict[str, str]) -> float:
    """Idf of a topic word; a word the corpus never uses weighs the most. A known abbreviation
    weighs like its full name, a hyphenated compound ("ki-avtalet") like its parts."""
    if stem(term) in idf:
        return idf[stem(term)]
    parts = abbreviations[term].split() if term in abbreviations else term.split("-")
    if len(parts) > 1:
        return sum(_weight(p, idf, abbreviations) for p in parts) / len(parts)
    return idf.get(UNKNOWN, 1.0)


def _found(term: str, stems: set[str], lower: str, abbreviations: dict[str, str]) -> bool:
    """The term is in the text: by stem, inside a compound, as the full name of an abbreviation,
    or (hyphenated) with every part present."""
    if stem(term) in stems or _in_compound(term, lower):
        return True
    if term in abbreviations and abbreviations[term] in lower:
        return True
    if any(alt in lower for alt in alternatives(term)):
        return True  # the documents' word for it: "lärosätet" for "högskolan"
    parts = [p for p in term.split("-") if p]
    return len(parts) > 1 and all(_found(p, stems, lower, abbreviations) for p in parts)


def _in_compound(term: str, lower: str) -> bool:
    """The term's stem is part of a longer word: anywhere for a word of five letters or more
    ("avtal" in "samverkansavtalet"), at a word's start for a shorter one ("resp" in
    "respektive")."""
    stem_ = stem(term)
    if len(term) >= 5 and stem_ in lower:
        return True
    return len(stem_) >= MIN_STEM and re.search(rf"\b{re.escape(stem_)}", lower) is not None


def coverage(
    info: QuestionInfo,
    text: str,
    idf: dict[str, float],
    abbreviations: dict[str, str] | None = None,
    split: Callable[[str], tuple[str, ...]] | None = None,
) -> float:
    """Idf-weighted share of the question's topic words present in the text (stem, inside a
    compound, or as the full name of an abbreviation). With the corpus's compound splitter a
    compound whose last part alone is present ("modellen" for "samverkansmodellen") counts
    half."""
    if not info.terms:
        return 0.0
    known = abbreviations or {}
    lower = text.lower()
    stems = {stem(w) for w in words(text)}
    weights = {t: _weight(t, idf, known) for t in info.terms}
    total = sum(weights.values())
    found = 0.0
    for term, weight in weights.items():
        if _found(term, stems, lower, known):
            found += weight
        elif split and (parts := split(term)) and _found(parts[-1], stems, lower, known):
            found += HEAD_SHARE * weight
    return found / total if total else 0.0


def beyond_names(info: QuestionInfo) -> QuestionInfo | None:
    """The question's topic words other than its names ("rektor" of "Vem är rektor på
    Karolinska Institutet?"), when it has names and such words; else None."""
    names = {stem(n) for n in info.names}
    rest = tuple(t for t in info.terms if stem(t) not in names)
    if not info.names or not rest or len(rest) == len(info.terms):
        return None
    return QuestionInfo(info.text, info.kind, rest, ())


def coined_compounds(info: QuestionInfo, snapshot: IndexSnapshot) -> tuple[str, ...]:
    """The question's compounds that no document uses but whose parts they do ("lönetillägg"):
    a concept of its own, which evidence must name or at least touch by one of its parts."""
    lex = snapshot.lexical
    return tuple(
        t
        for t in info.terms
        if stem(t) not in lex.vocab
        and "-" not in t
        and t not in lex.analyzer.abbreviations
        and (lex.analyzer.split(t) or len(t) >= LONG_WORD)
    )


def touched(
    coined: tuple[str, ...],
    text: str,
    abbreviations: dict[str, str],
    split: Callable[[str], tuple[str, ...]],
) -> bool:
    """Each coined compound, or one of its parts, is in the text."""
    if not coined:
        return True
    stems, lower = {stem(w) for w in words(text)}, text.lower()
    return all(
        any(_found(part, stems, lower, abbreviations) for part in (t, *split(t))) for t in coined
    )


def names_present(
    info: QuestionInfo,
    text: str,
    abbreviations: dict[str, str] | None = None,
    split: Callable[[str], tuple[str, ...]] | None = None,
) -> bool:
    """Every name or abbreviation in the question occurs in the text (either form of a known
    abbreviation counts). A name compounded with a common word ("Täbyavtalet") counts when its
    name part ("täby") occurs; `split` is the corpus's compound splitter."""
    lower = text.lower()
    known = abbreviations or {}

    def found(name: str) -> bool:
        return _mentions(lower, stem(name)) or (name in known and known[name] in lower)

    parts = split or (lambda _: ())
    return all(found(name) or found(next(iter(parts(name)), name)) for name in info.names)


def _mentions(lower: str, name: str) -> bool:
    """The name occurs as the start of a word ("täby" in "täbys"); a short abbreviation must
    stand alone ("ki" in "KI:s", not in "kliniska")."""
    if len(name) <= 3:
        return re.search(rf"(?<!\w){re.escape(name)}(?![^\W\d_]{{2}})", lower) is not None
    return re.search(rf"(?<!\w){re.escape(name)}", lower) is not None


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
    asked = beyond_names(info)
    split = snapshot.lexical.analyzer.split
    coined = coined_compounds(info, snapshot)
    out = []
    for i, (hit, pos) in enumerate(zip(hits[:depth], positions[:depth], strict=False)):
        context = f"{hit.doc.title} {hit.chunk.section}"
        local = f"{hit.doc.title} {hit.doc.path} {hit.chunk.section} {hit.chunk.text}"
        names_ok = names_present(info, local, abbreviations, split)
        rows = by_chunk.get(pos, [])
        texts = [t for _, t in rows] + _next_chunk_sentences(snapshot, hit, pos, rows)
        before = [" ".join(e) for e in earlier_in_paragraph([t for _, t in rows], hit.chunk.text)]
        for n, (sid, raw) in enumerate(rows):
            sentence = with_list(raw, texts[n + 1 :])
            cos = float(np.dot(vectors[sid], query_vector))
            out.append(
                Candidate(
                    sentence=sentence,
                    hit=i,
                    dense=min(max((cos - DENSE_FLOOR) / DENSE_SPAN, 0.0), 1.0),
                    coverage=coverage(info, sentence, idf, abbreviations, split),
                    context=coverage(
                        info, f"{context} {before[n]} {sentence}", idf, abbreviations, split
                    ),
                    kind_ok=has_kind(sentence, info.kind)
                    and (not info.party_type or has_party_type(sentence, info.party_type)),
                    own_reference=bool(hit.doc.reference) and hit.doc.reference in sentence,
                    kind=info.kind,
                    coined_ok=touched(coined, f"{context} {sentence}", abbreviations, split),
                    topic_ok=not asked
                    or coverage(asked, f"{context} {sentence}", idf, abbreviations) > 0,
                    names_ok=names_ok
                    if not TABLE_ROW.match(sentence)  # a row is a record: names must be in it
                    else names_present(info, f"{context} {sentence}", abbreviations, split),
                )
            )
    return out


# a table row as ingestion writes it: "Organisation: KSL; Namn: Jonas Ek; Roll: Utredare"
TABLE_ROW = re.compile(r"^[^:;]{1,40}: [^;]+(?:; [^:;]{1,40}: [^;]*)+$")
COLUMN_NAME = re.compile(r"(?:^|; )[^:;]{1,40}: ")
KIND_SHARE = 0.9
PROSE_SHARE = 0.7  # of a table row's score a prose sentence needs to go before it
# kinds whose answer must hold what is asked (a "när" answer without a time is declined), so a
# sentence holding it goes first from further down
STRICT_KINDS = ("date", "day", "reference", "amount", "cost")
STRICT_KIND_SHARE = 0.6
LONG_WORD = 9  # letters of a word the documents never use that names a thing of its own
MIN_STEM = 4  # letters a stem needs to be found inside a compound
HEAD_SHARE = 0.5  # of a compound's weight, when only its last part is in the text
CLOSE = 0.8  # normalised sentence similarity that stands in for the question's own words
CAPPED = 0.3  # confidence of evidence that lacks what was asked: below any sane threshold
BULLET = re.compile(r"^\s*(?:[•◦▪\-–*]|\d{1,2}[.)])\s+")
LIST_LIMIT = 6  # list items joined to the sentence that introduces them
LONG_ITEM = 100  # characters; a longer item is shortened to its part before the first comma


def _next_chunk_sentences(
    snapshot: IndexSnapshot, hit: ScoredChunk, pos: int, rows: list[tuple[int, str]]
) -> list[str]:
    """The next chunk's sentences when this chunk ends inside a list that a sentence of it
    introduces ("… fyra delar:" with the items running on), else []."""
    tail = [t for _, t in rows[-LIST_LIMIT:]]
    if not any(t.rstrip().endswith(":") for t in tail):
        return []
    following = snapshot.chunks([pos + 1]).get(pos + 1)
    if following is None or following.doc_path != hit.chunk.doc_path:
        return []
    return [t for _, t in snapshot.sentences([pos + 1]).get(pos + 1, [])]


def clean(sentence: str) -> str:
    """A sentence as shown in an answer: no leading bullet, no trailing comma."""
    text = BULLET.sub("", sentence).strip()
    return text[:-1] + "." if text.endswith((",", ";")) else text


def with_list(sentence: str, following: list[str], limit: int = LIST_LIMIT) -> str:
    """A sentence that introduces a list ("... fyra delar:") with the list items after it;
    a long item is cut at its first comma ("Avsiktsförklaring, som är generell …" ->
    "Avsiktsförklaring")."""
    if not sentence.rstrip().endswith(":"):
        return clean(sentence)
    items: list[str] = []
    for n, text in enumerate(following[: limit * 2]):
        if len(items) >= limit:
            break
        if not BULLET.match(text) and items:
            if any(BULLET.match(t) for t in following[n + 1 : n + 3]):
                continue  # a further sentence of the item before: the list goes on
            break
        item = clean(text).rstrip(".")
        head = item.split(",", 1)[0]
        items.append(head if len(item) > LONG_ITEM and len(head) >= 3 else item)
    return f"{sentence.rstrip()} {'; '.join(items)}." if items else sentence


def choose(
    cands: list[Candidate], w: Weights, limit: int, margin: float = 0.85, kind_first: bool = False
) -> list[Candidate]:
    """The best sentence and up to limit-1 more scoring within `margin` of it, no near-repeats.

    With kind_first (a question asking for a date, party or amount) a sentence that holds one
    goes first when it scores at least KIND_SHARE (STRICT_KIND_SHARE for kinds an answer must
    hold) of the best sentence. A reference number question prefers a document's own number.
    """
    ranked = sorted(cands, key=lambda c: -c.score(w))
    if kind_first and ranked:
        top = ranked[0].score(w)
        share = STRICT_KIND_SHARE if ranked[0].kind in STRICT_KINDS else KIND_SHARE
        fitting = [c for c in ranked if c.kind_ok and c.score(w) >= share * top]
        if ranked[0].kind == "reference":  # "ärendets dnr" is the document's own number
            fitting.sort(key=lambda c: not c.own_reference)
        elif ranked[0].kind_ok:
            fitting = []  # the best sentence already holds what was asked
        if fitting:
            ranked = [fitting[0]] + [c for c in ranked if c is not fitting[0]]
    if ranked and TABLE_ROW.match(ranked[0].sentence):
        # a sentence saying it in prose reads better than "Nr: 3; Indikator: …; Mått: …"
        top, values = ranked[0].score(w), _key_values(ranked[0].sentence)
        prose = [
            c
            for c in ranked[1:]
            if not TABLE_ROW.match(c.sentence)
            and (c.kind_ok or not ranked[0].kind_ok)
            and c.score(w) >= PROSE_SHARE * top
            and values & set(words(c.sentence))
        ]
        if prose:
            ranked = [prose[0]] + [c for c in ranked if c is not prose[0]]
    chosen: list[Candidate] = []
    for cand in ranked:
        if len(chosen) >= limit:
            break
        if chosen and (
            cand.score(w) < margin * chosen[0].score(w)
            or _repeats(cand, chosen)
            or (cand.kind != "general" and not cand.kind_ok)  # adds nothing that was asked for
        ):
            continue
        chosen.append(cand)
    return chosen


def _repeats(cand: Candidate, chosen: list[Candidate]) -> bool:
    """The sentence says much the same as one already chosen (table rows compared by their
    values, since rows of one table share every column name)."""
    a = _said(cand.sentence)
    return any(len(a & (b := _said(c.sentence))) / max(len(a | b), 1) > 0.6 for c in chosen)


def _key_values(row: str) -> set[str]:
    """The numbers and abbreviations among a table row's values ("60", "cku"): a prose sentence
    that holds one of them says what the row says."""
    values = COLUMN_NAME.sub(" ", row)
    return {
        t.lower()
        for t in re.findall(r"[\w,.-]+", values)
        if any(ch.isdigit() for ch in t) or (len(t) >= 2 and t.isupper())
    } & set(words(values))


def _said(sentence: str) -> set[str]:
    if TABLE_ROW.match(sentence):
        sentence = COLUMN_NAME.sub(" ", sentence)
    return set(words(sentence))


def unknown_share(info: QuestionInfo, snapshot: IndexSnapshot) -> float:
    """Share of the question's topic words that the corpus never uses: not as a word, not as
    part of a compound, not as an abbreviation ("konferensrum", "gymkort"). A question that is
    mostly about such words cannot be answered from these documents."""
    lex = snapshot.lexical
    known = lex.analyzer.abbreviations

    def unknown(word: str) -> bool:
        return not (
            word.isdigit()
            or stem(word) in lex.vocab
            or word in known
            or lex.analyzer.split(word)
            or alternatives(word)
        )

    terms = [t for t in info.terms if t and t not in info.added]  # the asker's own words
    missing = [t for t in terms if all(unknown(p) for p in t.split("-") if p)]
    return len(missing) / len(terms) if terms else 0.0


def confidence(best: Candidate) -> float:
    """0..1: how well the best sentence answers. A missing name or kind caps it."""
    value = 0.45 * best.context + 0.2 * best.coverage + 0.2 * best.kind_ok + 0.15 * best.dense
    if (
        not best.names_ok
        or (not (best.topic_ok and best.coined_ok) and best.dense < CLOSE)
        or (best.kind in STRICT_KINDS and not best.kind_ok)
    ):
        return min(value, CAPPED)  # a name, the asked-for topic or a date it lacks: no answer
    return value
