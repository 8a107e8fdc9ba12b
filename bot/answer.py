"""question -> Answer: hybrid retrieval, the best evidence sentences, or a reasoned decline.

No generative model runs offline, so an answer is the one to three sentences of the corpus
that best answer the question, each with a citation marker. The answer is given only when the
evidence covers the question's topic words and contains what the question asks for (a date for
"när", a party for "vem", an amount for "hur mycket").
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot import texts
from bot.question import QuestionInfo, analyse, has_kind, is_follow_up
from config.settings import Settings
from retrieval.embedder import Embedder, load_embedder
from retrieval.index import IndexSnapshot, current_version, open_current
from retrieval.search import FusionWeights, HybridSearcher
from retrieval.sentences import split_sentences
from retrieval.text import stem, words
from retrieval.types import Answer, Citation, ScoredChunk

log = logging.getLogger(__name__)
MAX_QUOTE = 400


@dataclass(frozen=True)
class Evidence:
    """A candidate answer sentence with the scores that chose it."""

    sentence: str
    hit: int  # index into the search hits
    coverage: float  # idf-weighted share of the question's topic words found (0-1)
    kind_ok: bool
    score: float


class Answerer:
    """Loads the model and the index once; reloads the index when a new version is published."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        emb = settings.embedding
        self.embedder = embedder or load_embedder(emb.model, emb.batch_size, emb.threads)
        self._lock = threading.Lock()
        self._folder: Path | None = None
        self._searcher: HybridSearcher | None = None
        self.searcher()  # fail at start-up, not at the first question

    def searcher(self) -> HybridSearcher:
        """The searcher for the published version, reloaded when CURRENT moved."""
        folder = current_version(self.settings.index_dir)
        with self._lock:
            if self._searcher is None or folder != self._folder:
                snapshot = open_current(self.settings.index_dir)
                r = self.settings.retrieval
                weights = FusionWeights(r.dense_weight, r.lexical_weight, r.rrf_k)
                self._searcher = HybridSearcher(snapshot, self.embedder, weights, r.candidates)
                self._folder = snapshot.folder
                log.info("using index version %s", snapshot.version)
            return self._searcher

    @property
    def snapshot(self) -> IndexSnapshot:
        """The index version in use."""
        return self.searcher().snapshot

    def answer(self, question: str, history: Sequence[str] = ()) -> Answer:
        """Answer one question; `history` holds earlier questions of the same conversation."""
        question = " ".join(question.split())
        if not question:
            return Answer(question, False, texts.EMPTY_QUESTION, reason="empty")
        info = analyse(question)
        query = question
        if history and is_follow_up(question):
            query = f"{history[-1]} {question}"
            info = QuestionInfo(question, info.kind, analyse(query).terms)
        searcher = self.searcher()
        hits = searcher.search(query, self.settings.retrieval.top_k)
        return self._compose(question, info, hits, searcher)

    def _compose(
        self, question: str, info: QuestionInfo, hits: list[ScoredChunk], searcher: HybridSearcher
    ) -> Answer:
        if not hits:
            return Answer(question, False, texts.DECLINE_NO_RELEVANT, reason="no_relevant")
        idf = _idf_lookup(searcher)
        evidence = select_evidence(info, hits, idf, self.settings.answer.max_sentences)
        confidence = _confidence(info, hits, evidence)
        debug = {"confidence": confidence, "dense": hits[0].dense,
                 "coverage": evidence[0].coverage if evidence else 0.0}
        if not evidence or confidence < self.settings.answer.threshold:
            reason = "no_relevant" if hits[0].dense < 0.80 or debug["coverage"] < 0.34 else "not_stated"
            text = (texts.DECLINE_NO_RELEVANT if reason == "no_relevant"
                    else texts.DECLINE_NOT_STATED.format(what=texts.WHAT_BY_KIND[info.kind]))
            cites = _citations(hits, [], MAX_QUOTE)
            return Answer(question, False, text, cites, reason, debug)
        cites = _citations(hits, evidence, MAX_QUOTE)
        order = {c.chunk_id: c.n for c in cites}
        parts = [f"{e.sentence} [{order[hits[e.hit].chunk.chunk_id]}]" for e in evidence]
        return Answer(question, True, " ".join(parts), cites, "", debug)


def _idf_lookup(searcher: HybridSearcher) -> dict[str, float]:
    lex = searcher.snapshot.lexical
    n = max(lex.size, 1)
    cache: dict[str, float] = getattr(lex, "_idf_cache", {})
    if not cache:
        for term, col in lex.vocab.items():
            df = float(lex.doc_freq[col])
            cache[term] = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        lex._idf_cache = cache  # type: ignore[attr-defined]  # memo on the snapshot's index
    return cache


def _term_weight(term: str, idf: dict[str, float]) -> float:
    """Idf of a topic word; a word the corpus never uses weighs the most."""
    max_idf = max(idf.values(), default=1.0)
    return idf.get(stem(term), max_idf * 1.2)


def _matches(term: str, stems: set[str], text_lower: str) -> bool:
    """A topic word is found when its stem or the word itself (inside compounds) appears."""
    return stem(term) in stems or (len(term) >= 5 and stem(term) in text_lower)


def coverage(info: QuestionInfo, text: str, idf: dict[str, float]) -> float:
    """Idf-weighted share of the question's topic words present in the text."""
    if not info.terms:
        return 0.0
    lower = text.lower()
    stems = {stem(w) for w in words(text)}
    total = sum(_term_weight(t, idf) for t in info.terms)
    found = sum(_term_weight(t, idf) for t in info.terms if _matches(t, stems, lower))
    return found / total if total else 0.0


def select_evidence(
    info: QuestionInfo, hits: list[ScoredChunk], idf: dict[str, float], limit: int
) -> list[Evidence]:
    """The best sentences of the top hits, best first, at most `limit`, no near-duplicates."""
    candidates: list[Evidence] = []
    for i, hit in enumerate(hits[:4]):
        context = f"{hit.doc.title} {hit.chunk.section}"
        for sentence in split_sentences(hit.chunk.text):
            if len(sentence) < 15 or sentence == hit.chunk.section:
                continue
            cov = coverage(info, sentence, idf)
            ctx = coverage(info, f"{context} {sentence}", idf)
            kind_ok = has_kind(sentence, info.kind)
            score = (0.55 * cov + 0.25 * ctx + 0.25 * (1 if kind_ok else 0)
                     + 0.15 / (1 + i) + 0.3 * max(hit.dense - 0.8, 0))
            candidates.append(Evidence(sentence, i, ctx, kind_ok, score))
    candidates.sort(key=lambda e: -e.score)
    chosen: list[Evidence] = []
    for cand in candidates:
        if len(chosen) >= limit:
            break
        if chosen and (cand.score < 0.8 * chosen[0].score or _similar(cand, chosen)):
            continue
        chosen.append(cand)
    return chosen


def _similar(cand: Evidence, chosen: list[Evidence]) -> bool:
    a = set(words(cand.sentence))
    for other in chosen:
        b = set(words(other.sentence))
        if len(a & b) / max(len(a | b), 1) > 0.6:
            return True
    return False


def _confidence(info: QuestionInfo, hits: list[ScoredChunk], evidence: list[Evidence]) -> float:
    """0-1: how well the best evidence answers the question."""
    if not evidence:
        return 0.0
    best = evidence[0]
    dense = min(max((hits[best.hit].dense - 0.78) / 0.12, 0.0), 1.0)
    kind = 1.0 if best.kind_ok else 0.0
    return 0.55 * best.coverage + 0.25 * kind + 0.20 * dense


def _citations(hits: list[ScoredChunk], evidence: list[Evidence], max_quote: int) -> tuple[Citation, ...]:
    """Sources numbered in answer order first, then the other hits."""
    quotes: dict[int, list[str]] = {}
    for e in evidence:
        quotes.setdefault(e.hit, []).append(e.sentence)
    order = list(dict.fromkeys([e.hit for e in evidence] + list(range(len(hits)))))
    cites = []
    for n, i in enumerate(order, start=1):
        hit = hits[i]
        quote = " ".join(" ".join(quotes.get(i, [])).split()) or " ".join(hit.chunk.text.split())
        if len(quote) > max_quote:
            quote = quote[: max_quote - 1].rsplit(" ", 1)[0] + "…"
        cites.append(_citation(n, hit, quote))
    return tuple(cites)


def _citation(n: int, hit: ScoredChunk, quote: str) -> Citation:
    doc = hit.doc
    title = f"{doc.body} {doc.date}".strip() if doc.body and doc.date else doc.title
    return Citation(
        n=n, document=doc.name, title=title, page=hit.chunk.page, section=hit.chunk.section,
        quote=quote, score=hit.dense, doc_path=doc.path, date=doc.date,
        reference=doc.reference, chunk_id=hit.chunk.chunk_id, passage=hit.chunk.text,
    )
