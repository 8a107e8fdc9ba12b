"""Retrieval alone, method by method: dense-only, lexical-only and fused, on a labelled set.

Used by `python -m bot eval FILE --compare` to choose fusion weights and the lexical analyser
by measurement. Question vectors are computed once and shared by every variant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evaluation.evaluate import Item, load_items, supports
from retrieval.lexical import LexicalIndex
from retrieval.search import FusionWeights, HybridSearcher, fuse
from retrieval.snapshot import Snapshot
from retrieval.types import Citation, ScoredChunk


@dataclass(frozen=True)
class Variant:
    """One retrieval configuration."""

    name: str
    weights: FusionWeights
    lexical: str = "compounds"  # "compounds" | "stems" | "ngrams"


VARIANTS = [
    Variant("dense only", FusionWeights(1.0, 0.0)),
    Variant("lexical only (stems + compounds)", FusionWeights(0.0, 1.0)),
    Variant("lexical only (stems, no compounds)", FusionWeights(0.0, 1.0), "stems"),
    Variant("lexical only (stems + char 4-grams)", FusionWeights(0.0, 1.0), "ngrams"),
    Variant("fused RRF 1:1", FusionWeights(1.0, 1.0)),
    Variant("fused RRF 1:1, no compounds", FusionWeights(1.0, 1.0), "stems"),
    Variant("fused RRF 1:1, char 4-grams", FusionWeights(1.0, 1.0), "ngrams"),
    Variant("fused RRF 1.5:1", FusionWeights(1.5, 1.0)),
    Variant("fused RRF 2:1", FusionWeights(2.0, 1.0)),
    Variant("fused RRF 1:1.5", FusionWeights(1.0, 1.5)),
    Variant("fused RRF 1:2", FusionWeights(1.0, 2.0)),
    Variant("fused RRF 1:1, k=20", FusionWeights(1.0, 1.0, 20)),
]


def _as_citation(n: int, hit: ScoredChunk) -> Citation:
    return Citation(
        n,
        hit.doc.name,
        hit.doc.title,
        hit.chunk.page,
        hit.chunk.section,
        hit.chunk.text,
        hit.score,
        passage=hit.chunk.text,
        ocr=hit.chunk.ocr,
    )


def _rank(hits: list[ScoredChunk], item: Item) -> int:
    return next((n for n, h in enumerate(hits, 1) if supports(_as_citation(n, h), item)), 0)


def compare(path: Path, searcher: HybridSearcher, k: int = 5) -> list[dict[str, object]]:
    """recall@1, recall@k and MRR of each variant on the answerable questions."""
    items = [i for i in load_items(path) if i.doc]
    vectors = {i.id: searcher.embedder.embed_query(i.question) for i in items}
    snapshot = searcher.snapshot
    lexicals = _lexical_variants(snapshot)
    rows = []
    for variant in VARIANTS:
        lexical = lexicals[variant.lexical]
        ranks = []
        for item in items:
            dense = snapshot.dense.search(vectors[item.id], searcher.candidates)
            lex = lexical.search(item.question, searcher.candidates)
            fused = fuse(dense, lex, variant.weights)[:k]
            chunks = snapshot.chunks(p for p, _ in fused)
            hits = [
                ScoredChunk(chunks[p], snapshot.documents[chunks[p].doc_path], s) for p, s in fused
            ]
            ranks.append(_rank(hits, item))
        n = len(ranks) or 1
        rows.append(
            {
                "variant": variant.name,
                "recall@1": round(sum(r == 1 for r in ranks) / n, 3),
                f"recall@{k}": round(sum(0 < r <= k for r in ranks) / n, 3),
                "mrr": round(sum(1 / r for r in ranks if r) / n, 3),
            }
        )
    return rows


def _lexical_variants(snapshot: Snapshot) -> dict[str, LexicalIndex]:
    from retrieval.text import NgramAnalyzer

    texts = snapshot.passage_texts()
    return {
        "compounds": snapshot.lexical,
        "stems": LexicalIndex.build(texts, decompound=False),
        "ngrams": LexicalIndex.build(texts, analyzer=NgramAnalyzer(decompound=False)),
    }


def format_rows(rows: list[dict[str, object]]) -> str:
    """A fixed-width table."""
    keys = list(rows[0])
    lines = [" | ".join(f"{k:>36s}" if i == 0 else f"{k:>9s}" for i, k in enumerate(keys))]
    for row in rows:
        cells = [f"{row[k]!s:>36s}" if i == 0 else f"{row[k]!s:>9s}" for i, k in enumerate(keys)]
        lines.append(" | ".join(cells))
    return "\n".join(lines)
