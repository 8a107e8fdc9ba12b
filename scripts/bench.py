"""Benchmark: prints figures, asserts nothing. `make bench` runs it.

    python scripts/bench.py [--chunks 100000] [--skip-large] [--write docs/benchmarks.md]

Measures on this machine: ingestion throughput of the sample corpus, re-ingest time of the
unchanged corpus, warm question latency p50/p95 on the sample corpus and on a synthetic index
of N chunks (HNSW above the threshold), and peak RSS of `python -m ingest` and
`python -m bot ask` as separate processes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.answer import Answerer  # noqa: E402
from config.collections import DEFAULT_COLLECTION, EVERYONE  # noqa: E402
from config.settings import Settings  # noqa: E402
from evaluation.evaluate import load_items  # noqa: E402
from ingest.writer import IndexedChunk, SentenceRow, publish, write_version  # noqa: E402
from retrieval.embedder import load_embedder  # noqa: E402
from retrieval.types import Chunk, DocumentMeta  # noqa: E402

QUESTIONS = ROOT / "tests" / "eval" / "qa.jsonl"
RESTRICTED = "ledning"  # the synthetic index's collection that a general channel may not see


# Run `python -m MODULE ...` and report the peak resident memory of the process itself: VmHWM
# of its own address space, read at exit. ru_maxrss from wait4 is not that: Linux carries the
# parent's resident size over into a child's maxrss when it execs, so a bench holding a 100k-chunk
# index reported its own size for `bot ask` (1.9 GB where the process peaked at 1.2-1.3 GB).
HWM_WRAPPER = """
import atexit, runpy, sys
def _report():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stderr.write(f"\\nVMHWM_KB {line.split()[1]}\\n")
atexit.register(_report)
module = sys.argv[1]
sys.argv = [module, *sys.argv[2:]]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def run_measured(args: list[str], env: dict[str, str], stdin: str = "") -> tuple[float, int, str]:
    """Run `python -m MODULE ...`; return (seconds, its own peak RSS in MB, stdout)."""
    if args[1:2] != ["-m"]:
        raise ValueError("run_measured runs `python -m MODULE ...` commands")
    wrapped = [args[0], "-c", HWM_WRAPPER, *args[2:]]
    with (
        tempfile.TemporaryFile("w+") as fin,
        tempfile.TemporaryFile("w+") as fout,
        tempfile.TemporaryFile("w+") as ferr,
    ):
        fin.write(stdin)
        fin.seek(0)
        start = time.perf_counter()
        subprocess.run(wrapped, cwd=ROOT, env=env, stdin=fin, stdout=fout, stderr=ferr, check=False)
        elapsed = time.perf_counter() - start
        fout.seek(0)
        ferr.seek(0)
        peaks = [line.split()[1] for line in ferr if line.startswith("VMHWM_KB ")]
        return elapsed, int(peaks[-1]) // 1024 if peaks else -1, fout.read()


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def latency(
    answerer: Answerer,
    questions: list[str],
    rounds: int = 1,
    collections: frozenset[str] | None = None,
) -> tuple[float, float]:
    # the 60 questions' wall time with an ingest beside is also reported by the caller
    """Warm latency in ms: one warm-up pass, then `rounds` timed passes (answers from the
    documents of `collections`, None: all)."""
    for q in questions[:5]:
        answerer.answer(q, collections=collections)
    times = []
    for _ in range(rounds):
        for q in questions:
            start = time.perf_counter()
            answerer.answer(q, collections=collections)
            times.append((time.perf_counter() - start) * 1000)
    return percentile(times, 50), percentile(times, 95)


def bench_sample(tmp: Path, figures: dict[str, object]) -> None:
    index = tmp / "sample-index"
    env = {**os.environ, "INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1"}
    ingest = [sys.executable, "-m", "ingest", "--json"]
    seconds, rss, out = run_measured(ingest, env)
    summary = json.loads(out)
    figures["ingest_seconds"] = round(seconds, 1)
    figures["ingest_chunks"] = summary["chunks"]
    figures["ingest_embedded_passages"] = summary["embedded"]
    figures["ingest_chunks_per_s"] = round(summary["chunks"] / seconds, 2)
    figures["ingest_passages_per_s"] = round(summary["embedded"] / seconds, 2)
    figures["ingest_peak_rss_mb"] = rss
    seconds, _, out = run_measured(ingest, env)
    figures["reingest_unchanged_seconds"] = round(seconds, 2)
    figures["reingest_unchanged_embedded"] = json.loads(out)["embedded"]
    questions = [i.question for i in load_items(QUESTIONS)]
    ask = [sys.executable, "-m", "bot", "ask", "--json"]
    seconds, rss, _ = run_measured(ask, env, "\n".join(questions[:20]) + "\n")
    figures["ask_20_questions_process_seconds"] = round(seconds, 1)
    figures["ask_peak_rss_mb"] = rss
    answerer = Answerer(Settings(index_dir=index))
    p50, p95 = latency(answerer, questions, rounds=2)
    figures["sample_latency_ms_p50"] = round(p50, 1)
    figures["sample_latency_ms_p95"] = round(p95, 1)
    bench_beside_ingest(tmp, answerer, questions, figures)


# (bot's query threads, ingestion environment) tried beside each other: as configured, and with
# the bot on all cores and ingestion not niced (the settings before they were measured)
BESIDE = {
    "configured": (1, {}),
    "bot_all_threads_ingest_nice0": (0, {"INGEST_NICE": "0"}),
}


def bench_beside_ingest(
    tmp: Path, answerer: Answerer, questions: list[str], figures: dict[str, object]
) -> None:
    """Answering latency while `python -m ingest` runs on the same cores (what happens after
    new decisions arrive): ingestion of the sample corpus into a fresh index, repeated for the
    whole measurement (at most 30 runs), under each setting of BESIDE."""
    index = answerer.settings.index_dir
    for label, (threads, extra) in BESIDE.items():
        answerer = Answerer(Settings(index_dir=index, embedding={"query_threads": threads}))
        p50, p95 = latency(answerer, questions[:60])
        figures[f"idle_{label}_latency_ms_p95"] = round(p95, 1)
        target = tmp / f"beside-{label}"
        env = {**os.environ, "HF_HUB_OFFLINE": "1", **extra}
        loop = (
            f"for i in $(seq 30); do rm -rf '{target}'; "
            f"'{sys.executable}' -m ingest --index '{target}' >/dev/null 2>&1; done"
        )
        proc = subprocess.Popen(["bash", "-c", loop], cwd=ROOT, env=env, start_new_session=True)
        try:
            time.sleep(8)  # past the model load, into embedding
            start = time.perf_counter()
            p50, p95 = latency(answerer, questions[:60])
            figures[f"beside_ingest_{label}_60_questions_s"] = round(time.perf_counter() - start, 1)
            figures[f"beside_ingest_{label}_latency_ms_p50"] = round(p50, 1)
            figures[f"beside_ingest_{label}_latency_ms_p95"] = round(p95, 1)
        finally:
            os.killpg(proc.pid, 15)
            proc.wait()


def synthetic_index(index: Path, n: int, model: str, dim: int, ann_threshold: int) -> float:
    """Write an index of n synthetic Swedish chunks with random unit vectors; seconds taken."""
    rng = np.random.default_rng(7)
    words = (
        "kommunen lärosätet ska senast handledare student VFU platser avtal uppföljning "
        "forum dialog rapport ersättning termin samordnare nämnden beslut plan"
    ).split()
    start = time.perf_counter()
    docs, entries, sentences = [], [], []
    per_doc = 100
    for d in range(n // per_doc):
        path = f"syntetisk/dok{d:05d}.md"
        # every tenth document in a collection that most channels may not see
        collection = RESTRICTED if d % 10 == 0 else DEFAULT_COLLECTION
        docs.append(
            DocumentMeta(path, f"Syntetiskt dokument {d}", f"{d:064x}", "md", collection=collection)
        )
        for c in range(per_doc):
            text = " ".join(rng.choice(words, 25)).capitalize() + f" {d}-{c}."
            chunk = Chunk(path, text, 1, f"{c % 9 + 1} Avsnitt", c)
            sentences.append(SentenceRow(len(entries), text, f"s{d}-{c}"))
            entries.append(IndexedChunk(chunk, text, f"k{d}-{c}"))
    vectors = rng.normal(size=(len(entries), dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    version = write_version(
        index, docs, entries, vectors, sentences, vectors, model, ann_threshold, True
    )
    publish(index, version)
    return time.perf_counter() - start


def bench_large(tmp: Path, n: int, figures: dict[str, object]) -> None:
    settings = Settings()
    emb = settings.embedding
    embedder = load_embedder(emb.model, emb.batch_size, emb.query_threads, emb.query_adapter)
    index = tmp / "large-index"
    build = synthetic_index(index, n, embedder.name, embedder.dim, settings.retrieval.ann_threshold)
    figures["large_chunks"] = n
    figures["large_build_seconds"] = round(build, 1)
    answerer = Answerer(Settings(index_dir=index), embedder=embedder)
    figures["large_index_approximate"] = answerer.snapshot.manifest.approximate
    questions = [i.question for i in load_items(QUESTIONS)]
    p50, p95 = latency(answerer, questions)
    figures["large_latency_ms_p50"] = round(p50, 1)
    figures["large_latency_ms_p95"] = round(p95, 1)
    env = {**os.environ, "INDEX_DIR": str(index), "HF_HUB_OFFLINE": "1"}
    ask = [sys.executable, "-m", "bot", "ask", "--json"]
    _, rss, _ = run_measured(ask, env, "\n".join(questions[:20]) + "\n")
    figures["large_ask_peak_rss_mb"] = rss
    # a channel limited by SLACK_CHANNEL_COLLECTIONS: 90 % of the chunks, and 10 %
    for name, seen in (("general", EVERYONE), ("restricted", frozenset({RESTRICTED}))):
        p50, p95 = latency(answerer, questions, collections=seen)
        figures[f"large_{name}_channel_latency_ms_p50"] = round(p50, 1)
        figures[f"large_{name}_channel_latency_ms_p95"] = round(p95, 1)
    figures.update(exact_vs_hnsw(answerer, questions))


def exact_vs_hnsw(answerer: Answerer, questions: list[str]) -> dict[str, object]:
    """Dense search alone at the large size: exact flat index against HNSW, and HNSW recall."""
    from retrieval.vectorstore import FaissStore

    snapshot = answerer.snapshot
    vectors_all = np.asarray(snapshot.vectors())
    exact = FaissStore.build(vectors_all, ann_threshold=10**9)
    hnsw = FaissStore.build(vectors_all, ann_threshold=0)
    vectors = [answerer.embedder.embed_query(q) for q in questions]
    out: dict[str, object] = {}
    for name, store in (("exact", exact), ("hnsw", hnsw)):
        times = []
        for vec in vectors:
            start = time.perf_counter()
            store.search(vec, 40)
            times.append((time.perf_counter() - start) * 1000)
        out[f"large_dense_{name}_ms_p50"] = round(percentile(times, 50), 2)
        out[f"large_dense_{name}_ms_p95"] = round(percentile(times, 95), 2)
    overlap = [
        len({p for p, _ in hnsw.search(v, 10)} & {p for p, _ in exact.search(v, 10)}) / 10
        for v in vectors
    ]
    out["large_hnsw_recall_at_10"] = round(sum(overlap) / len(overlap), 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--write", type=Path, help="append the figures to this Markdown file")
    args = parser.parse_args()
    figures: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        bench_sample(Path(tmp), figures)
        if not args.skip_large:
            bench_large(Path(tmp), args.chunks, figures)
    width = max(len(k) for k in figures)
    lines = [f"{k:<{width}}  {v}" for k, v in figures.items()]
    print("\n".join(lines))
    if args.write:
        with open(args.write, "a", encoding="utf-8") as fh:
            fh.write("\n```\n$ python scripts/bench.py\n" + "\n".join(lines) + "\n```\n")


if __name__ == "__main__":
    main()
