"""Incremental, atomic, locked ingestion into a versioned index (hash embedder: fast)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import IngestOptions, index_lock, ingest
from retrieval.embedder import HashEmbedder
from retrieval.errors import IndexLockedError
from retrieval.index import current_version, open_current
from tests.pdfs import make_pdf

ROOT = Path(__file__).resolve().parents[2]


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting how many passages it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        return super().embed_passages(texts)


def _corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "avtal.md").write_text(
        "# Lokalt avtal\n\n## 4.2 Kommunens åtaganden\n\nKommunen ska erbjuda 40 platser.\n",
        "utf-8",
    )
    (folder / "beslut.txt").write_text("Socialnämnden beslutar att anta modellen.\n", "utf-8")
    make_pdf(
        folder / "plan.pdf",
        [
            ["1 Syfte", "Planen beskriver uppföljningen."],
            ["2 Rapport", "Rapporten lämnas senast den 30 april."],
        ],
    )
    return folder


def _run(corpus: Path, index: Path, emb: HashEmbedder, paths: list[Path] | None = None):
    opts = IngestOptions(index_dir=index, corpus_dir=corpus)
    return ingest(paths or [corpus], opts, emb.name, lambda: emb)


def test_first_ingest_indexes_all_files(tmp_path: Path) -> None:
    """Every supported file is added; chunks keep their pages."""
    corpus = _corpus(tmp_path / "corpus")
    report = _run(corpus, tmp_path / "index", CountingEmbedder())
    assert sorted(report.added) == ["avtal.md", "beslut.txt", "plan.pdf"]
    snap = open_current(tmp_path / "index")
    pages = {c.page for _, c, _ in snap.chunks_of("plan.pdf")}
    assert pages == {1, 2}
    assert snap.manifest.chunks == report.chunks > 0


def test_unchanged_reingest_embeds_nothing_and_publishes_nothing(tmp_path: Path) -> None:
    """A second run over the same files embeds zero passages and keeps the version."""
    corpus = _corpus(tmp_path / "corpus")
    _run(corpus, tmp_path / "index", CountingEmbedder())
    before = current_version(tmp_path / "index")
    emb = CountingEmbedder()
    report = _run(corpus, tmp_path / "index", emb)
    assert emb.calls == 0
    assert sorted(report.unchanged) == ["avtal.md", "beslut.txt", "plan.pdf"]
    assert not report.published and current_version(tmp_path / "index") == before


def test_changed_file_replaced_and_deleted_file_removed(tmp_path: Path) -> None:
    """An edited file is re-read (only its new text embedded); a deleted one leaves the index."""
    corpus = _corpus(tmp_path / "corpus")
    _run(corpus, tmp_path / "index", CountingEmbedder())
    (corpus / "avtal.md").write_text(
        "# Lokalt avtal\n\n## 4.2 Kommunens åtaganden\n\nKommunen ska erbjuda 40 platser.\n\n"
        "## 5 Nytt\n\nEn ny paragraf om handledare.\n",
        "utf-8",
    )
    (corpus / "beslut.txt").unlink()
    emb = CountingEmbedder()
    report = _run(corpus, tmp_path / "index", emb)
    assert report.updated == ["avtal.md"] and report.removed == ["beslut.txt"]
    assert (
        emb.calls == 2
    )  # the new chunk and its one sentence; the unchanged section kept its vectors
    snap = open_current(tmp_path / "index")
    assert set(snap.documents) == {"avtal.md", "plan.pdf"}
    texts = [c.text for _, c, _ in snap.chunks_of("avtal.md")]
    assert any("ny paragraf" in t for t in texts)


def test_documents_record_when_their_content_last_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`changed` is the time a document's content was first indexed: an edit renews it, an
    unchanged file and a reread by newer code keep it."""
    import ingest.pipeline as pipeline

    corpus = _corpus(tmp_path / "corpus")
    _run(corpus, tmp_path / "index", CountingEmbedder())
    first = {p: d.changed for p, d in open_current(tmp_path / "index").documents.items()}
    assert all(c.endswith("+00:00") for c in first.values()), first
    time.sleep(1.1)  # `changed` has whole seconds
    (corpus / "avtal.md").write_text("# Lokalt avtal\n\nKommunen ska erbjuda 41 platser.\n")
    _run(corpus, tmp_path / "index", CountingEmbedder())
    second = {p: d.changed for p, d in open_current(tmp_path / "index").documents.items()}
    assert second["avtal.md"] > first["avtal.md"]
    assert second["plan.pdf"] == first["plan.pdf"] and second["beslut.txt"] == first["beslut.txt"]
    monkeypatch.setattr(pipeline, "READER_VERSION", "a-newer-reader")
    assert _run(corpus, tmp_path / "index", CountingEmbedder()).published
    third = {p: d.changed for p, d in open_current(tmp_path / "index").documents.items()}
    assert third == second


def test_bad_file_is_reported_and_previous_content_kept(tmp_path: Path) -> None:
    """A file that turns corrupt is listed as failed, and its indexed text is not lost."""
    corpus = _corpus(tmp_path / "corpus")
    _run(corpus, tmp_path / "index", CountingEmbedder())
    (corpus / "plan.pdf").write_bytes(b"%PDF-1.4 trasig")
    (corpus / "ny.md").write_text("# Ny\n\nEn ny fil.\n", "utf-8")
    report = _run(corpus, tmp_path / "index", CountingEmbedder())
    assert [f.file for f in report.failed] == ["plan.pdf"]
    assert "plan.pdf" in report.failed[0].reason
    assert report.added == ["ny.md"]
    snap = open_current(tmp_path / "index")
    assert "plan.pdf" in snap.documents and snap.chunks_of("plan.pdf")


def test_second_ingest_is_refused_while_one_holds_the_lock(tmp_path: Path) -> None:
    """Two ingests at once: the second gets a clear message instead of corrupting the index."""
    corpus = _corpus(tmp_path / "corpus")
    with index_lock(tmp_path / "index"), pytest.raises(IndexLockedError, match="another ingestion"):
        _run(corpus, tmp_path / "index", CountingEmbedder())


def _cli(args: list[str], index: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "EMBEDDING_MODEL": "hash", "INDEX_DIR": str(index), **env}
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_exit_codes_and_json_summary(tmp_path: Path) -> None:
    """Exit 0 when all is well, 1 when a file failed (rest published), 2 on a usage error."""
    corpus = _corpus(tmp_path / "corpus")
    ok = _cli([str(corpus), "--json"], tmp_path / "index", CORPUS_DIR=str(corpus))
    assert ok.returncode == 0, ok.stderr
    summary = json.loads(ok.stdout)
    assert set(summary) >= {"added", "updated", "unchanged", "removed", "failed", "chunks"}
    (corpus / "skräp.txt").write_bytes(os.urandom(2000).replace(b"\x00", b"\x01") + b"\x00")
    bad = _cli([str(corpus), "--json"], tmp_path / "index", CORPUS_DIR=str(corpus))
    assert bad.returncode == 1
    assert "skräp.txt" in bad.stderr and "binary" in bad.stderr
    assert json.loads(bad.stdout)["failed"][0]["file"] == "skräp.txt"
    assert set(json.loads(bad.stdout)["failed"][0]) == {"file", "reason"}
    usage = _cli([str(tmp_path / "finns-inte")], tmp_path / "index")
    assert usage.returncode == 2 and "no such file" in usage.stderr
    config = _cli([str(corpus)], tmp_path / "index", INGEST_CHUNK_SIZE="tio")
    assert config.returncode == 2 and "chunk_size" in config.stderr


def test_sigkill_mid_ingest_leaves_previous_index_usable(tmp_path: Path) -> None:
    """A real SIGKILL at several moments of a large ingest never breaks the published index."""
    corpus = _corpus(tmp_path / "corpus")
    assert _cli([str(corpus)], tmp_path / "index", CORPUS_DIR=str(corpus)).returncode == 0
    published = current_version(tmp_path / "index")
    big = corpus / "stor"
    big.mkdir()
    for i in range(1500):
        (big / f"dok{i:03d}.md").write_text(
            f"# Dokument {i}\n\n" + f"Kommunen ska rapportera punkt {i}. " * 40 + "\n", "utf-8"
        )
    env = {
        **os.environ,
        "EMBEDDING_MODEL": "hash",
        "INDEX_DIR": str(tmp_path / "index"),
        "CORPUS_DIR": str(corpus),
    }

    def wait_for(what: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if what == "reading" or any((tmp_path / "index" / "versions").glob(".tmp-*")):
                return
            time.sleep(0.002)

    # kill while files are read and embedded, and while the new version is being written
    for moment, delay in (("reading", 0.5), ("reading", 1.0), ("writing", 0), ("writing", 0.02)):
        proc = subprocess.Popen(
            [sys.executable, "-m", "ingest", str(corpus)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(moment)
        time.sleep(delay)
        killed = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert killed, f"ingest finished before the kill ({moment}); the test proves nothing"
        snap = open_current(tmp_path / "index")
        assert snap.folder == published or len(snap.documents) == 1503  # old, or new and whole
        assert "avtal.md" in snap.documents
        assert snap.dense.size == snap.manifest.chunks == snap.lexical.size
        assert snap.lexical.search("kommunen erbjuda platser", 3)
        snap.close()
    done = _cli([str(corpus)], tmp_path / "index", CORPUS_DIR=str(corpus))
    assert done.returncode == 0, done.stderr
    assert len(open_current(tmp_path / "index").documents) == 1503


def test_file_over_the_size_limit_is_skipped_with_its_size(tmp_path: Path) -> None:
    """A file above INGEST_MAX_FILE_MB is reported with its size and the limit; others indexed."""
    corpus = _corpus(tmp_path / "corpus")
    (corpus / "stor.txt").write_text("Kommunen ska rapportera. " * 60_000, "utf-8")
    opts = IngestOptions(index_dir=tmp_path / "index", corpus_dir=corpus, max_file_mb=1.0)
    emb = CountingEmbedder()
    report = ingest([corpus], opts, emb.name, lambda: emb)
    assert [f.file for f in report.failed] == ["stor.txt"]
    assert "over the 1 MB limit" in report.failed[0].reason
    assert sorted(report.added) == ["avtal.md", "beslut.txt", "plan.pdf"]


def test_changed_reading_code_rereads_documents_without_reembedding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the ingestion code changes, unchanged files are read again; their vectors are kept."""
    import ingest.pipeline as pipeline

    corpus = _corpus(tmp_path / "corpus")
    _run(corpus, tmp_path / "index", CountingEmbedder())
    monkeypatch.setattr(pipeline, "READER_VERSION", "a-newer-reader")
    emb = CountingEmbedder()
    report = _run(corpus, tmp_path / "index", emb)
    assert report.published and sorted(report.updated) == ["avtal.md", "beslut.txt", "plan.pdf"]
    assert emb.calls == 0
    assert open_current(tmp_path / "index").manifest.reader.startswith("a-newer-reader")


def test_a_title_carried_into_the_first_section_is_no_evidence_sentence(tmp_path: Path) -> None:
    """A committee paper is cited by its body and date ("Omsorgsnämnden 2024-03-20"), so its
    printed bold title is neither the document's title nor a section; chunking carries it into
    the first section's chunk, and it must still not be stored as a sentence to quote."""
    from tests.pdfs import make_letter_pdf

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_letter_pdf(corpus / "brev.pdf")
    embedder = HashEmbedder()
    ingest([corpus], IngestOptions(tmp_path / "index", corpus), embedder.name, lambda: embedder)
    snapshot = open_current(tmp_path / "index")
    try:
        assert snapshot.documents["brev.pdf"].title == "Omsorgsnämnden 2024-03-20"
        chunks = snapshot.chunks_of("brev.pdf")
        title = "Avtal om praktikplatser mellan kommunen och högskolan i länet"
        assert any(title in chunk.text for _, chunk, _ in chunks)  # kept in the passage
        by_chunk = snapshot.sentences([pos for pos, _, _ in chunks])
        stored = [text for rows in by_chunk.values() for _, text in rows]
        assert title not in stored and "Sammanfattning" not in stored
        assert any(text.startswith("Nämnden föreslås godkänna") for text in stored)
    finally:
        snapshot.close()


def test_a_sentence_is_embedded_after_its_title_and_section(tmp_path: Path) -> None:
    """A sentence's vector carries what it is about: the document's title and the section
    heading come before it in the embedded text, and the sentence before it does not."""

    class Recording(HashEmbedder):
        def __init__(self) -> None:
            super().__init__()
            self.texts: list[str] = []

        def embed_passages(self, texts: list[str]) -> np.ndarray:
            self.texts += texts
            return super().embed_passages(texts)

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "avtal.md").write_text(
        "# Lokalt avtal\n\n## 7 Ekonomi\n\n"
        "Ersättningen betalas per termin. Den uppgår till 1 150 kronor per vecka.\n",
        "utf-8",
    )
    embedder = Recording()
    _run(corpus, tmp_path / "index", embedder)
    assert "Lokalt avtal – 7 Ekonomi: Den uppgår till 1 150 kronor per vecka." in embedder.texts
    assert not any(
        t.endswith("per termin. Den uppgår till 1 150 kronor per vecka.")
        for t in embedder.texts
        if t.startswith("Lokalt avtal – 7 Ekonomi:")
    )
