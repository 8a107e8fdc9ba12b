"""question -> Answer: hybrid retrieval, a learned ranking of candidate sentences, a learned
decision to answer or decline.

No generative model runs offline, so an answer is the one to three sentences of the corpus
that best answer the question, each with a citation marker. The pipeline has named stages:
analyse the question (`bot.question`) -> retrieve passages (hybrid search, and the register's
deadlines for a 'när' question) -> candidate sentences with one feature vector each
(`bot.features`) -> rank them and decide (`bot.model`, trained by scripts/train_answerer.py).
`Answerer.candidates` is the one code path to the features, used by answering and training.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bot import evidence, features, newer, texts
from bot.letterhead import asked_fact, letterhead_answer
from bot.model import DECIDER_NAMES, AnswerModel, load, sigmoid
from bot.question import Kind, QuestionInfo, analyse, is_follow_up
from bot.register_answer import register_answer
from config.settings import Settings
from retrieval import thesaurus
from retrieval.collections import scoped
from retrieval.embedder import Embedder, load_embedder
from retrieval.register import DEADLINE
from retrieval.search import FusionWeights, HybridSearcher
from retrieval.snapshot import Snapshot, SnapshotSource
from retrieval.sources import source_for
from retrieval.types import Answer, Citation, DocumentMeta, Reason, ScoredChunk

log = logging.getLogger(__name__)
MAX_QUOTE = 400
RERANK_POOL = 12  # passages whose sentences are candidates; the best top_k become the sources
DEADLINE_COVERAGE = 0.34  # share of a "när" question's topic words a register deadline must hold
# a further sentence joins the answer when its ranker log-odds are within this of the best one's
# (a presentation choice, not a decision: the decider has already said the best one answers)
FURTHER_WITHIN = 1.0
# signals that, when they decide a decline, mean the documents touch the topic but lack the detail
DETAIL_SIGNALS = frozenset({"kind_held", "kind_asked", "topic_missing", "coined_missing"})


@dataclass
class Retrieved:
    """A question's candidates and their features: what the model ranks and decides on."""

    info: QuestionInfo
    hits: list[ScoredChunk]
    query: features.Query
    cands: list[features.Candidate]
    x: np.ndarray  # (len(cands), len(features.NAMES))


def deadline_hits(
    info: QuestionInfo, snapshot: Snapshot, seen: set[int], limit: int = 3
) -> list[ScoredChunk]:
    """Chunks holding the register's deadlines that best cover a 'när' question's topic words:
    search may miss a deadline sentence that the register knows. Only entries of kind
    "deadline", as when the answer model was trained (the other kinds of dates are not yet
    measured as evidence)."""
    idf = evidence.idf_table(snapshot)
    abbreviations = snapshot.lexical.analyzer.abbreviations
    scored = sorted(
        (
            (evidence.coverage(info, f"{d.section} {d.quote}", idf, abbreviations), d)
            for d in snapshot.deadlines()
            if d.kind == DEADLINE
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


class Answerer:
    """Loads the model and the index once; reloads the index when a new version is published.

    The index comes from `source` (default: PostgreSQL when DATABASE_URL is set, else the local
    folder INDEX_DIR); answering is the same whichever it is.
    """

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        model: AnswerModel | None = None,
        load_model: bool = True,
        source: SnapshotSource | None = None,
    ) -> None:
        self.settings = settings
        self.source = source or source_for(settings)
        thesaurus.use_file(settings.answer.thesaurus_file)  # a bad file stops start-up
        self._model = model
        emb = settings.embedding
        self.embedder = embedder or load_embedder(
            emb.model, emb.batch_size, emb.query_threads, emb.query_adapter
        )
        self._lock = threading.Lock()
        self._published: object = None
        self._searcher: HybridSearcher | None = None
        # searchers over the collections channels may see, for the version in use
        self._scoped: dict[frozenset[str], HybridSearcher] = {}
        self.searcher()  # fail at start-up, not at the first question
        if model is None and load_model:
            self._model = self._load_model()

    @property
    def model(self) -> AnswerModel:
        """The answer model, read from its file on first use (training needs none)."""
        if self._model is None:
            self._model = self._load_model()
        return self._model

    def _load_model(self) -> AnswerModel:
        """The shipped model; a warning when it was trained with another query adapter than
        the embedder uses (its similarities then read differently, so declines drift)."""
        model = load()
        trained = str(model.info.get("query_adapter", ""))
        used = getattr(self.embedder, "query_adapter", "")
        if trained != used and not self.embedder.name.startswith("hash"):
            log.warning(
                "the answer model was trained with query adapter %r but the embedder uses %r; "
                "set EMBEDDING_QUERY_ADAPTER to the file trained with it",
                trained or "none",
                used or "none",
            )
        return model

    @property
    def threshold(self) -> float:
        """ANSWER_THRESHOLD when set, else the one trained with the model."""
        configured = self.settings.answer.threshold
        return self.model.threshold if configured is None else configured

    def searcher(self, collections: frozenset[str] | None = None) -> HybridSearcher:
        """The searcher for the published version, reloaded when a newer one was published;
        with `collections`, over their documents only (None: every document)."""
        published = self.source.current()
        with self._lock:
            if self._searcher is None or published != self._published:
                snapshot = self.source.open()
                self._searcher = self.searcher_for(snapshot)
                self._scoped = {}
                self._published = published
                log.info("using index version %s", snapshot.version)
            if collections is None:
                return self._searcher
            scoped_searcher = self._scoped.get(collections)
            if scoped_searcher is None:
                view = scoped(self._searcher.snapshot, collections)
                scoped_searcher = self.searcher_for(view)
                self._scoped[collections] = scoped_searcher
            return scoped_searcher

    def searcher_for(self, snapshot: Snapshot) -> HybridSearcher:
        """A hybrid searcher over one index version with the configured fusion weights."""
        r = self.settings.retrieval
        weights = FusionWeights(r.dense_weight, r.lexical_weight, r.rrf_k)
        return HybridSearcher(snapshot, self.embedder, weights, r.candidates)

    @property
    def snapshot(self) -> Snapshot:
        """The index version in use."""
        return self.searcher().snapshot

    def snapshot_for(self, collections: frozenset[str] | None) -> Snapshot:
        """The index version in use, limited to `collections` (None: all of it)."""
        return self.searcher(collections).snapshot

    @staticmethod
    def read_question(
        question: str, history: Sequence[str], snapshot: Snapshot
    ) -> tuple[QuestionInfo, str]:
        """The question's analysis and the text that is embedded and searched for it: words
        typed without å/ä/ö read as the documents write them, chat shorthand written out, and
        a follow-up joined to the question before it."""
        question = evidence.with_accents(question, snapshot)
        info = analyse(question)
        query = info.text  # chat shorthand written out
        if history and is_follow_up(question):
            query = f"{evidence.with_accents(history[-1], snapshot)} {question}"
            merged = analyse(query)
            info = QuestionInfo(question, info.kind, merged.terms, merged.names, merged.added)
        return info, query

    def candidates(
        self,
        question: str,
        history: Sequence[str] = (),
        collections: frozenset[str] | None = None,
    ) -> Retrieved:
        """Analyse, retrieve from the documents of `collections` (None: all), and compute
        every candidate sentence's features. Words typed without å/ä/ö that the documents
        write with them are read as the documents write them."""
        searcher = self.searcher(collections)
        info, query = self.read_question(question, history, searcher.snapshot)
        vector = self.embedder.embed_query(query)
        pool = max(self.settings.retrieval.top_k, RERANK_POOL)
        # the lexical side also searches the documents' words for the question's everyday phrases
        hits = searcher.search(" ".join([query, *info.added]), pool, query_vector=vector)
        if info.kind in (Kind.DATE, Kind.DAY):
            hits += deadline_hits(info, searcher.snapshot, {h.position for h in hits})
        q = features.query(info, hits, searcher.snapshot)
        cands = features.candidates(q, vector)
        return Retrieved(info, hits, q, cands, features.matrix(q, cands))

    def answer(
        self,
        question: str,
        history: Sequence[str] = (),
        collections: frozenset[str] | None = None,
        explain: bool = False,
    ) -> Answer:
        """Answer one question from the documents of `collections` (None: every document);
        `history` holds earlier questions of the same conversation."""
        question = " ".join(question.split())
        if not question:
            return Answer(question, False, texts.EMPTY_QUESTION, reason=Reason.EMPTY)
        snapshot = self.snapshot_for(collections)
        if not history and (routed := register_answer(question, snapshot)):
            return routed
        if not history and (fact := asked_fact(question)):
            searcher = self.searcher(collections)
            hits = searcher.search(question, 1)
            if routed := letterhead_answer(question, fact, hits, searcher.snapshot):
                return routed
        found = self.candidates(question, history, collections)
        if not found.cands:
            return Answer(question, False, texts.DECLINE_NO_RELEVANT, reason=Reason.NO_RELEVANT)
        return self.compose(found, explain)

    def compose(self, found: Retrieved, explain: bool = False) -> Answer:
        """Rank the candidates, decide, and write the answer or the decline."""
        model, hits = self.model, found.hits
        d = decide(model, found, self.settings.answer.max_sentences)
        scores, row, p, chosen, best = d.scores, d.row, d.probability, d.chosen, d.best
        ranked = _rerank(hits, found.cands, scores, self.settings.retrieval.top_k)
        declined = p < self.threshold
        today = dt.date.today().isoformat()  # one date for the whole answer
        # what weighed most against answering: asked for by a decline and by --explain only
        contributions = model.decider.contributions(row) if declined or explain else {}
        signal = min(contributions, key=contributions.__getitem__) if declined else ""
        debug = {
            "confidence": p,  # the decider's probability and the threshold it was held to:
            "threshold": self.threshold,  # the Slack layer asks a human when they are close
            "dense": hits[0].dense,
            "rank": float(sigmoid(scores[best])),
        }
        details: dict[str, object] = {}
        if explain:
            details = {
                "answer_probability": round(p, 4),
                "threshold": self.threshold,
                "decider": _rounded(contributions, row, DECIDER_NAMES),
                "ranker": _rounded(
                    model.ranker.contributions(found.x[best]), found.x[best], features.NAMES
                ),
            }
        if declined:
            related = found.x[best][features.NAMES.index("coverage_context")] >= 0.5
            reason = (
                Reason.NOT_STATED if related or signal in DETAIL_SIGNALS else Reason.NO_RELEVANT
            )
            text = (
                texts.DECLINE_NOT_STATED.format(what=texts.WHAT_BY_KIND[found.info.kind])
                if reason is Reason.NOT_STATED
                else texts.DECLINE_NO_RELEVANT
            )
            top = found.cands[best]
            cites = _citations(ranked, [(hits[top.hit], top.sentence)], today)
            return Answer(found.info.text, False, text, cites, reason, debug, signal, details)
        cites = _citations(ranked, [(hits[c.hit], c.sentence) for c in chosen], today)
        order = {c.chunk_id: c.n for c in cites}
        parts = [f"{c.sentence} [{order[hits[c.hit].chunk.chunk_id]}]" for c in chosen]
        first = hits[chosen[0].hit].doc
        if first.expired(today):
            parts.append(texts.EXPIRED_NOTE.format(date=first.valid_to))
        quoted = [hits[c.hit] for c in chosen]
        pointer, cites = newer_pointer(found.query.snapshot, quoted, cites, today)
        parts += [pointer] if pointer else []
        return Answer(
            found.info.text, True, " ".join(parts), cites, Reason.ANSWERED, debug, "", details
        )


@dataclass(frozen=True)
class Decision:
    """What the model makes of one question's candidates."""

    scores: np.ndarray  # ranker log-odds per candidate
    best: int  # the best-ranked candidate
    row: np.ndarray  # the decider's input
    probability: float  # that the documents answer the question
    chosen: list[features.Candidate]  # the answer's sentences, best first


def decide(model: AnswerModel, found: Retrieved, limit: int) -> Decision:
    """Rank the candidates, take the decider's probability and choose up to `limit` sentences:
    the one path from features to an answer, for answering and for evaluation alike."""
    scores = model.rank(found.x)
    row = model.decision_row(found.x, scores)
    return Decision(
        scores=scores,
        best=int(np.argmax(scores)),
        row=row,
        probability=model.answers(row),
        chosen=choose(found.cands, scores, limit, found.hits),
    )


def _rounded(
    contributions: dict[str, float], row: np.ndarray, names: tuple[str, ...]
) -> list[dict[str, object]]:
    """Each feature's value and contribution, largest contribution (either sign) first."""
    items = [
        {"feature": n, "value": round(float(v), 4), "contribution": round(contributions[n], 4)}
        for n, v in zip(names, row, strict=True)
    ]
    return sorted(items, key=lambda d: -abs(float(d["contribution"])))  # type: ignore[arg-type]


def choose(
    cands: list[features.Candidate],
    scores: np.ndarray,
    limit: int,
    hits: Sequence[ScoredChunk] = (),
) -> list[features.Candidate]:
    """The best candidate and up to limit-1 more scoring within FURTHER_WITHIN of it that do
    not repeat one already chosen. A template never outranks the agreement that says the same:
    a sentence that fills in a template sentence's blanks ("… från och med den 1 mars 2017 …"
    for "… från och med [datum] …") takes its place and score, however they scored; and among
    those within FURTHER_WITHIN of the best, a template's sentence comes after the others."""
    if hits:
        scores = _filled_in(cands, scores, hits)
    order = [int(i) for i in np.argsort(-scores, kind="stable")]
    top = scores[order[0]]
    if hits:
        near = [i for i in order if scores[i] >= top - FURTHER_WITHIN]
        near.sort(key=lambda i: hits[cands[i].hit].doc.is_template)  # stable: score order kept
        order = near + order[len(near) :]
    chosen: list[features.Candidate] = []
    for i in order:
        if len(chosen) >= limit or (chosen and scores[i] < top - FURTHER_WITHIN):
            break
        if not chosen or not evidence.repeats(cands[i].sentence, [c.sentence for c in chosen]):
            chosen.append(cands[i])
    return chosen


def _filled_in(
    cands: list[features.Candidate], scores: np.ndarray, hits: Sequence[ScoredChunk]
) -> np.ndarray:
    """The scores with each template sentence whose blanks another document's candidate fills
    in replaced by that candidate: it takes the template sentence's score (when higher than its
    own) and the template sentence drops out."""
    out = scores.astype(np.float64)  # a copy
    theirs = [j for j, c in enumerate(cands) if not hits[c.hit].doc.is_template]
    for i, c in enumerate(cands):
        if not hits[c.hit].doc.is_template or not (pattern := evidence.filled_in(c.raw)):
            continue
        filled = [j for j in theirs if pattern.match(cands[j].raw)]
        if filled:
            best = max(filled, key=lambda j: scores[j])
            out[best] = max(out[best], scores[i])
            out[i] = -np.inf
    return out


def _rerank(
    hits: list[ScoredChunk], cands: list[features.Candidate], scores: np.ndarray, k: int
) -> list[ScoredChunk]:
    """The k hits whose best sentence scores highest, best first (ties keep search order)."""
    best: dict[int, float] = {}
    for c, s in zip(cands, scores, strict=True):
        best[c.hit] = max(best.get(c.hit, -np.inf), float(s))
    order = sorted(range(len(hits)), key=lambda i: (-best.get(i, -np.inf), i))[:k]
    return [hits[i] for i in order]


def _citations(
    ranked: list[ScoredChunk], quoted: list[tuple[ScoredChunk, str]], today: str
) -> tuple[Citation, ...]:
    """Sources numbered in answer order first, then the other ranked hits (each with what the
    reader must know of it as of `today`, ISO)."""
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
        quote = _shortened(" ".join(quotes.get(chunk_id, [])) or hit.chunk.text)
        cites.append(_citation(n, hit, quote, today))
    return tuple(cites)


def newer_pointer(
    snapshot: Snapshot, quoted: list[ScoredChunk], cites: tuple[Citation, ...], today: str
) -> tuple[str, tuple[Citation, ...]]:
    """ "Det finns ett nyare beslut i samma ärende: …" when a quoted passage is from a decision
    and a later decision on the same matter is indexed (`bot.newer`), with that decision's
    closest passage as a source (numbered after the others, or the source it already is);
    ("", cites) otherwise, and when the answer already quotes the newer decision."""
    quoted_docs = {h.doc.path for h in quoted}
    for hit in quoted:
        found = newer.find(hit.doc, hit.position, snapshot)
        if found is None:
            continue
        if found.doc.path in quoted_docs:
            return "", cites
        n = next((c.n for c in cites if c.chunk_id == found.chunk.chunk_id), len(cites) + 1)
        if n > len(cites):
            later = ScoredChunk(found.chunk, found.doc, 0.0, position=found.position)
            cites += (_citation(n, later, _shortened(found.chunk.text), today),)
        title = found.doc.title.removesuffix(found.doc.date).rstrip(" ,") or found.doc.title
        return texts.NEWER_DECISION.format(title=title, date=found.doc.date, n=n), cites
    return "", cites


def _shortened(text: str) -> str:
    """A quote on one line, cut at a word to at most MAX_QUOTE characters."""
    quote = " ".join(text.split())
    return quote if len(quote) <= MAX_QUOTE else quote[: MAX_QUOTE - 1].rsplit(" ", 1)[0] + "…"


def source_status(doc: DocumentMeta, today: str) -> str:
    """What a reader must know of a source: a template, or an agreement no longer in force."""
    if doc.is_template:
        return texts.STATUS_TEMPLATE
    return texts.STATUS_EXPIRED.format(date=doc.valid_to) if doc.expired(today) else ""


def _citation(n: int, hit: ScoredChunk, quote: str, today: str) -> Citation:
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
        status=source_status(doc, today),
        ocr=hit.chunk.ocr,
        paragraph=doc.paragraph,
        officer=doc.officer,
    )
