"""Issue 12 experiment, not kept: collect the labelled questions once through the production path
(Answerer.candidates), then add candidate feature columns per variant (pseudo-relevance
feedback in embedding space and by terms, corpus co-occurrence expansion, query clarity) and run
the same grouped CV (evaluation.learn.cross_validate). Its baseline prints exactly what
`scripts/train_answerer.py --cv` prints (0.449 / 0.756 / 0.312 / 0.635 / 0.438).

    VARIANTS=baseline,cooc_n5_ctx python scripts/screen_features.py
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections import Counter

import numpy as np

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

import bot.model as bm  # noqa: E402
from bot import features  # noqa: E402
from bot.answer import Answerer  # noqa: E402
from config.settings import Settings  # noqa: E402
from evaluation import learn  # noqa: E402
from retrieval.text import stem, words, STOPWORDS  # noqa: E402
from scripts.train_answerer import DEFAULT_SETS, labels  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

_orig = features.candidates


def _stash(q, qv):
    q.qvec = np.asarray(qv, dtype=np.float64)
    return _orig(q, qv)


features.candidates = _stash
import bot.answer  # noqa: E402

bot.answer.features.candidates = _stash

t0 = time.time()
answerer = Answerer(Settings(index_dir="var/eval-index"), load_model=False)
items = labels(list(DEFAULT_SETS))
examples = learn.collect(answerer, items)
print(f"collected {len(examples)} in {time.time() - t0:.0f}s", flush=True)
snap = answerer.snapshot
PV = snap.vectors()
SV = snap.sentence_vectors()
lex = snap.lexical
idf = __import__("bot.evidence", fromlist=["x"]).idf_table(snap)
BASE_NAMES = features.NAMES
BASE_DEC = bm.DECIDER_NAMES


def unit(v):
    n = np.linalg.norm(v)
    return v / n if n else v


# ---- variant features: (found) -> (n_cands, k) -------------------------------------------
def rocchio(k=3, beta=0.5, source="passages"):
    def f(found):
        q = found.query
        qv = q.qvec
        if source == "passages":
            vecs = np.array([PV[h.position] for h in q.hits[:k]])
        else:  # top-k candidate sentences by cosine
            cos = np.array([c.cosine for c in found.cands])
            top = np.argsort(-cos)[:k]
            vecs = np.array([SV[found.cands[i].sid] for i in top])
        qp = unit(qv + beta * unit(vecs.mean(axis=0)))
        s = np.array([float(np.dot(SV[c.sid], qp)) for c in found.cands])
        return np.stack([s, s - s.max()], axis=1)

    return f


def clarity(k=5):
    """per question: mean cosine of the top-k passage vectors to their centroid (coherence),
    and cosine of question to centroid."""

    def f(found):
        q = found.query
        vecs = np.array([PV[h.position] for h in q.hits[:k]], dtype=np.float64)
        cen = unit(vecs.mean(axis=0))
        coh = float((vecs @ cen).mean())
        drift = float(np.dot(unit(q.qvec), cen))
        n = len(found.cands)
        return np.stack([np.full(n, coh), np.full(n, drift)], axis=1)

    return f


CSR = lex.weights.tocsr()
INV_VOCAB = {i: t for t, i in lex.vocab.items()}


def lexical_prf(k=3, m=10, context=False):
    def f(found):
        q = found.query
        qstems = {stem(w) for w in words(" ".join(q.info.terms))}
        for t in q.info.terms:
            qstems.update(stem(p) for p in q.split(t))
        rows = CSR[[h.position for h in q.hits[:k]]]
        w = np.asarray(rows.sum(axis=0)).ravel()
        order = np.argsort(-w)
        exp = {}
        for i in order[: m + 40]:
            if w[i] <= 0:
                break
            t = INV_VOCAB[i]
            if t in qstems or t.isdigit() or len(t) < 3:
                continue
            exp[t] = float(w[i])
            if len(exp) >= m:
                break
        tot = sum(exp.values()) or 1.0
        out = []
        for c in found.cands:
            text = c.sentence
            if context:
                text = f"{features._context(q, c)} {c.before} {c.sentence}"
            terms = set(lex.analyzer.terms(text))
            out.append(sum(v for t, v in exp.items() if t in terms) / tot)
        s = np.array(out)
        return np.stack([s, s - s.max()], axis=1)

    return f


# co-occurrence: binary chunk-term matrix; association of question stem t with term u:
# PPMI over chunks. Expansion of the question: top n associates per question term.
B = (lex.weights > 0).astype(np.float32).tocsc()
BR = B.tocsr()
DF = np.asarray(B.sum(axis=0)).ravel()
NCH = B.shape[0]


def associates(t, n=5, min_df=3):
    col = lex.vocab.get(t)
    if col is None or DF[col] < 2:
        return {}
    rows = B[:, col].nonzero()[0]
    co = np.asarray(BR[rows].sum(axis=0)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log((co * NCH) / (DF[col] * DF))
    pmi[(co < 2) | (DF < min_df)] = 0
    pmi[col] = 0
    pmi = np.maximum(pmi, 0)
    # weight by co-occurrence confidence P(u|t)
    score = pmi * (co / DF[col])
    top = np.argsort(-score)[:n]
    return {INV_VOCAB[i]: float(score[i]) for i in top if score[i] > 0}


_assoc_cache: dict = {}


def cooc(n=5, context=True):
    def f(found):
        q = found.query
        qterms = [stem(t) for t in q.info.terms if t not in STOPWORDS]
        weights = {t: idf.get(t, 1.0) for t in qterms}
        ex = {}
        for t in qterms:
            key = (t, n)
            if key not in _assoc_cache:
                _assoc_cache[key] = associates(t, n)
            ex[t] = _assoc_cache[key]
        tot = sum(weights.values()) or 1.0
        out = []
        for c in found.cands:
            text = f"{features._context(q, c)} {c.before} {c.sentence}" if context else c.sentence
            terms = set(lex.analyzer.terms(text))
            got = 0.0
            for t in qterms:
                if t in terms:
                    got += weights[t]
                elif ex[t]:
                    best = max(ex[t].values())
                    hit = max((v for u, v in ex[t].items() if u in terms), default=0.0)
                    got += weights[t] * 0.5 * hit / best
            out.append(got / tot)
        s = np.array(out)
        return np.stack([s, s - s.max()], axis=1)

    return f


def run(name, cols_fn, colnames, signs):
    t = time.time()
    if cols_fn is None:
        exs = examples
        features.NAMES = BASE_NAMES
    else:
        exs = []
        for e in examples:
            extra = cols_fn(e.found) if len(e.x) else np.zeros((0, len(colnames)))
            x = np.hstack([e.x, extra]) if len(e.x) else np.zeros((0, len(BASE_NAMES) + len(colnames)))
            exs.append(learn.Example(e.label, dataclasses.replace(e.found, x=x), e.gold))
        features.NAMES = BASE_NAMES + tuple(colnames)
    learn.DECIDER_NAMES = features.NAMES + bm.DECIDER_EXTRA
    for c, s in zip(colnames, signs):
        if s:
            learn.SIGNS[c] = s
    outs = learn.cross_validate(exs, lambda e: True)
    dev = [o for o in outs if o.label.source.startswith("eval_")]
    m = learn.metrics(dev)
    y = np.array([o.label.answerable for o in dev])
    p = np.array([o.probability for o in dev])
    auc = roc_auc_score(y, p)
    print(
        f"{name:40s} r@1 {m['recall@1']:.3f} r@5 {m['recall@5']:.3f} gold {m['gold_retrieved']:.3f} "
        f"kw {m['keywords']:.3f} unans_decl {m['unanswerable_declined']:.3f} "
        f"ans_decl {m['answerable_declined']:.3f} auc {auc:.3f}  ({time.time() - t:.0f}s)",
        flush=True,
    )


VARIANTS = {
    "baseline": (None, (), ()),
    "rocchio_p3_b0.5": (rocchio(3, 0.5), ("prf_dense", "prf_dense_rel"), (1, 1)),
    "rocchio_p5_b1": (rocchio(5, 1.0), ("prf_dense", "prf_dense_rel"), (1, 1)),
    "rocchio_s5_b0.5": (rocchio(5, 0.5, "sentences"), ("prf_dense", "prf_dense_rel"), (1, 1)),
    "rocchio_s10_b1": (rocchio(10, 1.0, "sentences"), ("prf_dense", "prf_dense_rel"), (1, 1)),
    "lexprf_k3_m10": (lexical_prf(3, 10), ("prf_terms", "prf_terms_rel"), (1, 1)),
    "lexprf_k3_m10_ctx": (lexical_prf(3, 10, True), ("prf_terms", "prf_terms_rel"), (1, 1)),
    "cooc_n5_ctx": (cooc(5), ("cooc_cov", "cooc_cov_rel"), (1, 1)),
    "clarity_k5": (clarity(5), ("clarity", "drift"), (0, 0)),
}
import os  # noqa: E402

for name in (os.environ.get("VARIANTS") or ",".join(VARIANTS)).split(","):
    fn, cols, signs = VARIANTS[name]
    try:
        run(name, fn, cols, signs)
    except Exception as exc:  # noqa: BLE001
        import traceback

        traceback.print_exc()
        print(name, "failed", exc, flush=True)
