"""files -> blocks -> chunks -> vectors -> a new index version, published atomically.

Unchanged files (same SHA-256) keep their chunks and vectors without touching the model; a
chunk whose passage text is already in the index reuses its vector. A file that fails keeps
whatever the previous version had of it.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ingest.chunking import chunk_blocks
from ingest.metadata import extract_info
from ingest.readers import kind_of, read_blocks
from retrieval.embedder import Embedder
from retrieval.errors import IndexLockedError, IngestError
from retrieval.index import IndexedChunk, IndexSnapshot, current_version, publish, write_version
from retrieval.types import Chunk, DocumentMeta

log = logging.getLogger(__name__)
EMBED_BATCH = 64


@dataclass
class IngestOptions:
    """What to ingest and how."""

    index_dir: Path
    corpus_dir: Path
    chunk_size: int = 900
    chunk_overlap: int = 120
    max_file_mb: float = 50.0
    ann_threshold: int = 50_000
    decompound: bool = True


@dataclass
class IngestReport:
    """What one run did; `to_json` is the `--json` summary."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    version: str = ""
    published: bool = False

    def to_json(self) -> dict[str, object]:
        """Summary object printed by `python -m ingest --json`."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def passage_text(title: str, chunk: Chunk) -> str:
    """What is embedded and lexically indexed: title and section give the chunk its context."""
    head = " – ".join(p for p in (title, chunk.section) if p)
    return f"{head}\n{chunk.text}" if head else chunk.text


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """Exclusive lock on the index folder; a second ingest gets IndexLockedError at once."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexLockedError(
                f"another ingestion is writing {index_dir} right now; wait for it and run again"
            ) from exc
        yield
    finally:
        os.close(fd)


def doc_key(path: Path, corpus_dir: Path) -> str:
    """How a file is named in the index: relative to the corpus folder, else its full path."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(corpus_dir.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def discover(paths: list[Path], corpus_dir: Path) -> tuple[dict[str, Path], list[str]]:
    """Supported files under the given paths, by key, and the folder prefixes that were scanned."""
    files: dict[str, Path] = {}
    scanned: list[str] = []
    for root in paths:
        if root.is_dir():
            prefix = doc_key(root, corpus_dir)
            scanned.append("" if prefix == "." else prefix.rstrip("/") + "/")
            for item in sorted(root.rglob("*")):
                if item.is_file() and not _hidden(item, root) and kind_of(item):
                    files[doc_key(item, corpus_dir)] = item
                elif item.is_file() and not _hidden(item, root):
                    log.info("%s: not a supported document type; ignored", item)
        elif root.is_file():
            files[doc_key(root, corpus_dir)] = root
        else:
            raise IngestError(f"{root}: no such file or folder")
    return files, scanned


def _hidden(item: Path, root: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in item.relative_to(root).parts)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_document(
    key: str, path: Path, sha: str, opts: IngestOptions
) -> tuple[DocumentMeta, list[Chunk]]:
    """Read and chunk one file; IngestError when it cannot be used."""
    size_mb = path.stat().st_size / 1_048_576
    if size_mb > opts.max_file_mb:
        raise IngestError(
            f"{path}: {size_mb:.1f} MB is over the {opts.max_file_mb:g} MB limit "
            "(INGEST_MAX_FILE_MB); skipped"
        )
    try:
        blocks, pages = read_blocks(path, str(path))
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader crash is this file's problem only
        raise IngestError(f"{path}: could not be read ({type(exc).__name__}: {exc}); skipped") from exc
    info = extract_info(blocks, path)
    kind = kind_of(path) or "txt"
    meta = DocumentMeta(key, info.title, sha, kind, info.date, info.reference, pages, info.body)
    return meta, chunk_blocks(key, blocks, opts.chunk_size, opts.chunk_overlap)


def ingest(
    paths: list[Path],
    opts: IngestOptions,
    model_name: str,
    get_embedder: Callable[[], Embedder],
) -> IngestReport:
    """Bring the index in step with the files under `paths`; publish a new version if changed."""
    with index_lock(opts.index_dir):
        return _ingest_locked(paths, opts, model_name, get_embedder)


def _ingest_locked(
    paths: list[Path], opts: IngestOptions, model_name: str, get_embedder: Callable[[], Embedder]
) -> IngestReport:
    report = IngestReport()
    files, scanned = discover(paths, opts.corpus_dir)
    folder = current_version(opts.index_dir)
    old = IndexSnapshot(folder) if folder else None
    same_model = old is not None and old.manifest.model == model_name
    if old is not None and not same_model:
        log.warning("the embedding model changed (%s -> %s); every chunk is embedded again",
                    old.manifest.model, model_name)
    old_docs = old.documents if old else {}
    docs: dict[str, DocumentMeta] = {}
    fresh: dict[str, list[Chunk]] = {}
    for key, path in tqdm(sorted(files.items()), desc="Läser", unit="fil", disable=None):
        sha = _sha256(path)
        previous = old_docs.get(key)
        if previous is not None and previous.sha256 == sha and same_model:
            docs[key] = previous
            report.unchanged.append(key)
            continue
        try:
            meta, chunks = _read_document(key, path, sha, opts)
        except IngestError as exc:
            log.warning("%s", exc)
            report.failed.append({"file": key, "reason": str(exc)})
            if previous is not None:
                docs[key] = previous  # keep what was indexed before
            continue
        docs[key] = meta
        fresh[key] = chunks
        (report.updated if previous is not None else report.added).append(key)
    for key in old_docs:
        if key in files:
            continue
        if any(key.startswith(p) and (p or not key.startswith("/")) for p in scanned):
            report.removed.append(key)
        else:
            docs[key] = old_docs[key]  # outside what was scanned this time: kept
    changed = report.added or report.updated or report.removed or (old and not same_model)
    if not changed:
        report.chunks = old.manifest.chunks if old else 0
        report.version = old.version if old else ""
        return report
    entries, vectors, embedded = _assemble(docs, fresh, old if same_model else None, get_embedder)
    report.embedded = embedded
    report.chunks = len(entries)
    version = write_version(
        opts.index_dir, list(docs.values()), entries, vectors, model_name,
        opts.ann_threshold, opts.decompound,
    )
    publish(opts.index_dir, version)
    report.version, report.published = version.name, True
    return report


def _assemble(
    docs: dict[str, DocumentMeta],
    fresh: dict[str, list[Chunk]],
    old: IndexSnapshot | None,
    get_embedder: Callable[[], Embedder],
) -> tuple[list[IndexedChunk], np.ndarray, int]:
    """All chunks of the new version in order, and their vectors (reused where possible)."""
    entries: list[IndexedChunk] = []
    texts: list[str] = []
    for key in sorted(docs):
        meta = docs[key]
        if key in fresh:
            chunks = fresh[key]
        else:
            assert old is not None  # an unchanged document exists only with an old version
            chunks = [c for _, c, _ in old.chunks_of(key)]
        for chunk in chunks:
            text = passage_text(meta.title, chunk)
            entries.append(IndexedChunk(chunk, text, _key(text)))
            texts.append(text)
    old_vectors, old_keys = (old.vectors(), old.embed_keys()) if old else (None, {})
    todo = [i for i, e in enumerate(entries) if e.embed_key not in old_keys]
    dim = int(old_vectors.shape[1]) if old_vectors is not None else 0
    new_vecs = _embed([texts[i] for i in todo], get_embedder) if todo else None
    if new_vecs is not None:
        dim = new_vecs.shape[1]
    if not dim:
        dim = get_embedder().dim
    vectors = np.zeros((len(entries), dim), dtype=np.float32)
    for row, i in enumerate(todo):
        vectors[i] = new_vecs[row]  # type: ignore[index]  # new_vecs is set when todo is
    for i, entry in enumerate(entries):
        if entry.embed_key in old_keys and old_vectors is not None:
            vectors[i] = old_vectors[old_keys[entry.embed_key]]
    return entries, vectors, len(todo)


def _embed(texts: list[str], get_embedder: Callable[[], Embedder]) -> np.ndarray:
    embedder = get_embedder()
    parts = []
    with tqdm(total=len(texts), desc="Bäddar in", unit="avsnitt", disable=None) as bar:
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start : start + EMBED_BATCH]
            parts.append(embedder.embed_passages(batch))
            bar.update(len(batch))
    return np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
