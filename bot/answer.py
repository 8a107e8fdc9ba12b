"""question -> Answer: hybrid retrieval, the best evidence sentences, or a reasoned decline.

No generative model runs offline, so an answer is the one to three sentences of the corpus
that best answer the question, each with a citation marker. The answer is given only when the
evidence covers the question's topic words and contains what the question asks for (a date for
"när", a party for "vem", an amount for "hur mycket").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot import evidence, texts
from bot.question import QuestionInfo, analyse, is_follow_up
from bot.register_answer import register_answer
from config.settings import Settings
from retrieval import thesaurus
from retrieval.embedder import Embedder, load_embedder
from retrieval.index import IndexSnapshot, current_version, open_current
from retrieval.search import FusionWeights, HybridSearcher
from retrieval.types import Answer, Citation, ScoredChunk

log = logging.getLogger(__name__)
MAX_QUOTE = 400
WEIGHTS = evidence.Weights()  # chosen with scripts/tune_answer.py
RERANK_POOL = 10  # hits whose sentences are scored; the best top_k become the sources
UNKNOWN_SHARE = 0.5  # share of topic words unknown to the corpus above which nothing is answered
DEADLINE_COVERAGE = 0.34  # share of a "när" question's topic words a register deadline must hold


def deadline_hits(
    info: QuestionInfo, snapshot: IndexSnapshot, seen: set[int], limit: int = 3
) -> list[ScoredChunk]:
    """Chunks holding the register's deadlines that best cover a 'när' question's topic words:
    search may miss a deadline sentence that the register knows."""
    idf = evidence.idf_table(snapshot)
    abbreviations = snapshot.lexical.analyzer.abbreviations
    scored = sorted(
        (
            (evidence.coverage(info, f"{d.section} {d.quote}", idf, abbreviations), d)
            for d in snapshot.deadlines()
        ),
        key=lambda pair: -pair[0],
    )
    out: list[ScoredChunk] = []
    for cov, deadline in scored:
        if cov < DEADLINE_COVERAGE or len(out) >= limit:
            break
        for pos, chunk, _ in snapshot.chunks_of(deadline.doc_path):
            if pos not in seen and deadline.quote[:60] in " ".join(chunk.text.split()):
                seen.add(pos)
                doc = snapshot.documents[chunk.doc_path]
                out.append(ScoredChunk(chunk, doc, 0.0, position=pos))
                break
    return out


def _rerank(hits: list[ScoredChunk], cands: list[evidence.Candidate], k: int) -> list[ScoredChunk]:
    """The k hits whose best sentence scores highest, best first (ties keep search order)."""
    best: dict[int, float] = {}
    for c in cands:
        best[c.hit] = max(best.get(c.hit, 0.0), c.score(WEIGHTS))
    order = sorted(range(len(hits)), key=lambda i: (-best.get(i, 0.0), i))[:k]
    return [hits[i] for i in order]


class Answerer:
    """Loads the model and the index once; reloads the index when a new version is published."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        thesaurus.use_file(settings.answer.thesaurus_file)  # a bad file stops start-up
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
                self._searcher = self.searcher_for(snapshot)
                self._folder = snapshot.folder
                log.info("using index version %s", snapshot.version)
            return self._searcher

    def searcher_for(self, snapshot: IndexSnapshot) -> HybridSearcher:
        """A hybrid searcher over one index version with the configured fusion weights."""
        r = self.settings.retrieval
        weights = FusionWeights(r.dense_weight, r.lexical_weight, r.rrf_k)
        return HybridSearcher(snapshot, self.embedder, weights, r.candidates)

    @property
    def snapshot(self) -> IndexSnapshot:
        """The index version in use."""
        return self.searcher().snapshot

    def answer(self, question: str, history: Sequence[str] = ()) -> Answer:
        """Answer one question; `history` holds earlier questions of the same conversation."""
        question = " ".join(question.split())
        if not question:
            return Answer(question, False, texts.EMPTY_QUESTION, reason="empty")
        if not history and (routed := register_answer(question, self.snapshot)):
            return routed
        info = analyse(question)
        query = question
        if history and is_follow_up(question):
            query = f"{history[-1]} {question}"
            merged = analyse(query)
            info = QuestionInfo(question, info.kind, merged.terms, merged.names, merged.added)
        searcher = self.searcher()
        vector = self.embedder.embed_query(query)
        pool = max(self.settings.retrieval.top_k, RERANK_POOL)
        # the lexical side also searches the documents' words for the question's everyday phrases
        hits = searcher.search(" ".join([query, *info.added]), pool, query_vector=vector)
        if info.kind in ("date", "day"):
            hits += deadline_hits(info, searcher.snapshot, {h.position for h in hits})
        return self._compose(info, hits, searcher, vector)

    def _compose(
        self,
        info: QuestionInfo,
        hits: list[ScoredChunk],
        searcher: HybridSearcher,
        vector: np.ndarray,
    ) -> Answer:
        question = info.text
        if not hits:
            return Answer(question, False, texts.DECLINE_NO_RELEVANT, reason="no_relevant")
        positions = [h.position for h in hits]
        cands = evidence.candidates(info, hits, positions, searcher.snapshot, vector, len(hits))
        chosen = evidence.choose(
            cands, WEIGHTS, self.settings.answer.max_sentences, kind_first=info.kind != "general"
        )
        ranked = _rerank(hits, cands, self.settings.retrieval.top_k)
        conf = evidence.confidence(chosen[0]) if chosen else 0.0
        if evidence.unknown_share(info, searcher.snapshot) >= UNKNOWN_SHARE:
            conf = min(conf, evidence.CAPPED)  # mostly words the documents never use
        debug = {
            "confidence": conf,
            "dense": hits[0].dense,
            "context": chosen[0].context if chosen else 0.0,
        }
        if conf < self.settings.answer.threshold:
            return _decline(info, hits, ranked, chosen, debug)
        cites = _citations(ranked, [(hits[c.hit], c.sentence) for c in chosen])
        order = {c.chunk_id: c.n for c in cites}
        parts = [f"{c.sentence} [{order[hits[c.hit].chunk.chunk_id]}]" for c in chosen]
        return Answer(question, True, " ".join(parts), cites, "", debug)


def _decline(
    info: QuestionInfo,
    hits: list[ScoredChunk],
    ranked: list[ScoredChunk],
    chosen: list[evidence.Candidate],
    debug: dict[str, float],
) -> Answer:
    """A decline that says why, with the closest passages (the best sentence's first)."""
    related = bool(chosen) and chosen[0].context >= 0.5
    reason = "not_stated" if related else "no_relevant"
    text = (
        texts.DECLINE_NOT_STATED.format(what=texts.WHAT_BY_KIND[info.kind])
        if related
        else texts.DECLINE_NO_RELEVANT
    )
    cites = _citations(ranked, [(hits[chosen[0].hit], chosen[0].sentence)] if chosen else [])
    return Answer(info.text, False, text, cites, reason, debug)


def _citations(
    ranked: list[ScoredChunk], quoted: list[tuple[ScoredChunk, str]]
) -> tuple[Citation, ...]:
    """Sources numbered in answer order first, then the other ranked hits."""
    quotes: dict[str, list[str]] = {}
    by_id = {h.chunk.chunk_id: h for h in ranked}
    for hit, sentence in quoted:
        quotes.setdefault(hit.chunk.chunk_id, []).append(sentence)
        by_id.setdefault(hit.chunk.chunk_id, hit)
    order = list(
        dict.fromkeys([h.chunk.chunk_id for h, _ in quoted] + [h.chunk.chunk_id for h in ranked])
    )
    cites = []
    for n, chunk_id in enumerate(order[: max(len(ranked), len(quotes))], start=1):
        hit = by_id[chunk_id]
        quote = " ".join(" ".join(quotes.get(chunk_id, [])).split())
        quote = quote or " ".join(hit.chunk.text.split())
        if len(quote) > MAX_QUOTE:
            quote = quote[: MAX_QUOTE - 1].rsplit(" ", 1)[0] + "…"
        cites.append(_citation(n, hit, quote))
    return tuple(cites)


def _citation(n: int, hit: ScoredChunk, quote: str) -> Citation:
    doc = hit.doc
    return Citation(
        n=n,
        document=doc.name,
        title=doc.title,
        page=hit.chunk.page,
        section=hit.chunk.section,
        quote=quote,
        score=hit.dense,
        doc_path=doc.path,
        date=doc.date,
        reference=doc.reference,
        chunk_id=hit.chunk.chunk_id,
        passage=hit.chunk.text,
    )
