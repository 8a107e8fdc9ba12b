"""Choose the evidence weights and the abstention threshold by measurement on a labelled set.

    python scripts/tune_answer.py tests/eval/qa.jsonl [--index DIR]

Signals are computed once per question; the grid then only re-ranks them. Prints the best
settings and the metrics they give, so a change to the weights is backed by numbers.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot import evidence
from bot.answer import RERANK_POOL, Answerer
from bot.evaluate import keywords_found, load_items, supports
from bot.question import analyse
from config.settings import Settings
from retrieval.types import Answer, Citation


def collect(path: Path, answerer: Answerer) -> list[tuple]:
    rows = []
    searcher = answerer.searcher()
    for item in load_items(path):
        info = analyse(item.question)
        vec = answerer.embedder.embed_query(item.question)
        pool = max(answerer.settings.retrieval.top_k, RERANK_POOL)
        hits = searcher.search(item.question, pool, query_vector=vec)
        cands = evidence.candidates(
            info, hits, [h.position for h in hits], searcher.snapshot, vec, len(hits)
        )
        rows.append((item, hits, cands))
    return rows


def outcome(item, hits, cands, w: evidence.Weights, limit: int):
    chosen = evidence.choose(cands, w, limit)
    if not chosen:
        return False, False, 0.0
    hit = hits[chosen[0].hit]
    cite = Citation(1, hit.doc.name, "", 0, "", "", 0.0, passage=hit.chunk.text)
    top1 = bool(item.doc) and supports(cite, item)
    text = " ".join(c.sentence for c in chosen)
    kw = bool(item.doc) and keywords_found(Answer(item.question, True, text), item)
    return top1, kw, evidence.confidence(chosen[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--index", type=Path)
    args = parser.parse_args()
    settings = Settings()
    if args.index:
        settings = settings.model_copy(update={"index_dir": args.index})
    rows = collect(args.file, Answerer(settings))
    answerable = [r for r in rows if r[0].doc]
    grid = itertools.product(
        [0.5, 1.0, 1.5],
        [0.0, 0.5, 1.0],
        [0.0, 0.3, 0.6],
        [0.0, 0.3, 0.6],
        [0.0, 0.2, 0.4],
        [0.0, 0.5],
    )
    results = []
    for d, c, x, k, p, nm in grid:
        w = evidence.Weights(d, c, x, k, p, nm)
        outs = [outcome(*r, w, settings.answer.max_sentences) for r in answerable]
        r1 = sum(o[0] for o in outs) / len(outs)
        kw = sum(o[1] for o in outs) / len(outs)
        results.append((r1 + kw, r1, kw, w))
    results.sort(key=lambda t: -t[0])
    for _, r1, kw, w in results[:8]:
        print(f"recall@1={r1:.3f} keywords={kw:.3f}  {w}")
    best = results[0][3]
    print("\nabstention with", best)
    confs = [(bool(r[0].doc), outcome(*r, best, settings.answer.max_sentences)[2]) for r in rows]
    for t in [x / 100 for x in range(30, 81, 2)]:
        ans_declined = sum(1 for a, cf in confs if a and cf < t) / max(1, len(answerable))
        un = [cf for a, cf in confs if not a]
        un_declined = sum(1 for cf in un if cf < t) / max(1, len(un))
        print(
            f"threshold {t:.2f}: unanswerable declined {un_declined:.2f}, "
            f"answerable declined {ans_declined:.2f}"
        )


if __name__ == "__main__":
    main()
