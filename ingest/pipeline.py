"""files -> blocks -> chunks -> vectors -> a new index version, published atomically.

Unchanged files (same SHA-256) keep their chunks and vectors without touching the model; a
chunk whose passage text is already in the index reuses its vector. A file that fails keeps
whatever the previous version had of it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from config.collections import DEFAULT_COLLECTION, collection_name
from ingest import ocr
from ingest.chunking import chunk_blocks
from ingest.doctype import doc_type, validity
from ingest.metadata import extract_info, is_letterhead
from ingest.readers import embedded_title, kind_of, read_blocks
from ingest.register import extract_register
from ingest.structure import looks_like_heading
from ingest.writer import IndexedChunk, SentenceRow, publish, write_version
from retrieval.embedder import Embedder
from retrieval.errors import IndexLockedError, IngestError
from retrieval.index import LocalSnapshot, current_version
from retrieval.register import Register
from retrieval.sentences import split_sentences
from retrieval.snapshot import passage_text
from retrieval.types import Chunk, DocumentMeta

log = logging.getLogger(__name__)


def _reader_version() -> str:
    """A hash of the ingest package's source: when reading or chunking code changes, every
    document is read again (vectors are still reused where the text did not change)."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


READER_VERSION = _reader_version()


def reader_version() -> str:
    """READER_VERSION, marked when OCR can run here: once Tesseract is installed (or removed),
    PDFs whose scanned pages were left out (or read by OCR) are read again."""
    return READER_VERSION + ("" if ocr.missing() else "+ocr")


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


@dataclass(frozen=True)
class IngestFailure:
    """A file that could not be ingested, and why (the IngestError's message)."""

    file: str  # the file's key in the index, as `added` and `updated` list it
    reason: str


@dataclass
class IngestReport:
    """What one run did; `to_json` is the `--json` summary."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[IngestFailure] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    version: str = ""
    published: bool = False
    collections: dict[str, str] = field(default_factory=dict)  # of every file found, by key

    def to_json(self) -> dict[str, object]:
        """Summary object printed by `python -m ingest --json`."""
        out: dict[str, object] = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["failed"] = [asdict(f) for f in self.failed]  # [{"file", "reason"}]
        return out


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


def collection_of(item: Path, root: Path, corpus_dir: Path) -> str:
    """The collection of a file: its first folder below the corpus folder when it lies inside
    it (so ingesting `corpus/ledning` alone keeps `ledning`), else its first folder below the
    folder given to ingest; files at the top, and files given one by one outside the corpus
    folder, are in DEFAULT_COLLECTION."""
    resolved = item.resolve()
    for base in (corpus_dir, root):
        try:
            parts = resolved.relative_to(base.resolve()).parts
        except ValueError:
            continue
        return collection_name(parts[0]) if len(parts) > 1 else DEFAULT_COLLECTION
    return DEFAULT_COLLECTION


@dataclass
class Found:
    """The supported files under the paths given to ingest: by key, their collection by key,
    and the folder prefixes that were scanned."""

    files: dict[str, Path] = field(default_factory=dict)
    collections: dict[str, str] = field(default_factory=dict)
    scanned: list[str] = field(default_factory=list)

    def add(self, item: Path, root: Path, corpus_dir: Path) -> None:
        key = doc_key(item, corpus_dir)
        self.files[key] = item
        self.collections[key] = collection_of(item, root, corpus_dir)


def discover(paths: list[Path], corpus_dir: Path) -> Found:
    """Supported files under the given paths, with their collections and the scanned folders."""
    found = Found()
    for root in paths:
        if root.is_dir():
            prefix = doc_key(root, corpus_dir)
            found.scanned.append("" if prefix == "." else prefix.rstrip("/") + "/")
            for item in sorted(root.rglob("*")):
                if item.is_file() and not _hidden(item, root) and kind_of(item):
                    found.add(item, root, corpus_dir)
                elif item.is_file() and not _hidden(item, root):
                    log.info("%s: not a supported document type; ignored", item)
        elif root.is_file():
            found.add(root, root.parent, corpus_dir)
        else:
            raise IngestError(f"{root}: no such file or folder")
    return found


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
    except Exception as exc:
        raise IngestError(
            f"{path}: could not be read ({type(exc).__name__}: {exc}); skipped"
        ) from exc
    info = extract_info(blocks, path, embedded_title(path))
    kind = kind_of(path) or "txt"
    text = "\n".join(b.text for b in blocks)
    in_force = validity(text)
    meta = DocumentMeta(
        key, info.title, sha, kind, info.date, info.reference, pages, info.body,
        doc_type(info.title, text), in_force.valid_from, in_force.valid_to,
        paragraph=info.paragraph, officer=info.officer,
    )  # fmt: skip
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
    found = discover(paths, opts.corpus_dir)
    files, scanned = found.files, found.scanned
    report.collections = found.collections
    folder = current_version(opts.index_dir)
    old = LocalSnapshot(folder) if folder else None
    same_model = old is not None and old.manifest.model == model_name
    reader = reader_version()
    same_reader = old is not None and old.manifest.reader == reader
    if old is not None and same_model and not same_reader:
        log.info("the ingestion code or OCR changed since the last run; all documents are reread")
    if old is not None and not same_model:
        log.warning(
            "the embedding model changed (%s -> %s); every chunk is embedded again",
            old.manifest.model,
            model_name,
        )
    old_docs = old.documents if old else {}
    docs: dict[str, DocumentMeta] = {}
    fresh: dict[str, list[Chunk]] = {}
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")  # `changed` of what is read now
    for key, path in tqdm(sorted(files.items()), desc="Läser", unit="fil", disable=None):
        sha = _sha256(path)
        previous = old_docs.get(key)
        collection = found.collections[key]
        if previous is not None and previous.sha256 == sha and same_model and same_reader:
            docs[key] = replace(previous, collection=collection)
            # the same file ingested from another folder may land in another collection
            (report.unchanged if previous.collection == collection else report.updated).append(key)
            continue
        try:
            meta, chunks = _read_document(key, path, sha, opts)
        except IngestError as exc:
            log.warning("%s", exc)
            report.failed.append(IngestFailure(key, str(exc)))
            if previous is not None:
                docs[key] = previous  # keep what was indexed before
            continue
        # reread with the same content (a new reader or model) is not a change
        same = previous is not None and previous.sha256 == sha
        changed_at = previous.changed if previous and same else now
        docs[key] = replace(meta, changed=changed_at, collection=collection)
        fresh[key] = chunks
        (report.updated if previous is not None else report.added).append(key)
    for key in old_docs:
        if key in files:
            continue
        if any(key.startswith(p) and (p or not key.startswith("/")) for p in scanned):
            report.removed.append(key)
        else:
            docs[key] = old_docs[key]  # outside what was scanned this time: kept
    changed = bool(report.added or report.updated or report.removed) or (
        old is not None and not (same_model and same_reader)
    )
    if not changed:
        report.chunks = old.manifest.chunks if old else 0
        report.version = old.version if old else ""
        return report
    built = _assemble(docs, fresh, old if same_model else None, get_embedder)
    report.embedded = built.embedded
    report.chunks = len(built.entries)
    version = write_version(
        opts.index_dir,
        list(docs.values()),
        built.entries,
        built.vectors,
        built.sentences,
        built.sentence_vectors,
        model_name,
        opts.ann_threshold,
        opts.decompound,
        built.register,
        reader,
    )
    publish(opts.index_dir, version)
    report.version, report.published = version.name, True
    return report


def sentence_passage(title: str, chunk: Chunk, sentence: str) -> str:
    """What is embedded for one sentence: the document's title and the section heading say what
    it is about ("Ersättning" in which agreement). On held-out real documents (grouped CV,
    2026-12-02) sentence recall@1 went 0.460 -> 0.494 against the section and the sentence
    before it in its paragraph, which was embedded until then (docs/benchmarks.md)."""
    head = " – ".join(p for p in (title, chunk.section) if p)
    return f"{head}: {sentence}" if head else sentence


@dataclass
class Assembled:
    """Everything of the new version except documents."""

    entries: list[IndexedChunk]
    vectors: np.ndarray
    sentences: list[SentenceRow]
    sentence_vectors: np.ndarray
    embedded: int
    register: Register


def _assemble(
    docs: dict[str, DocumentMeta],
    fresh: dict[str, list[Chunk]],
    old: LocalSnapshot | None,
    get_embedder: Callable[[], Embedder],
) -> Assembled:
    """All chunks and sentences of the new version, with vectors reused where possible."""
    entries: list[IndexedChunk] = []
    sentences: list[SentenceRow] = []
    sentence_texts: list[str] = []
    by_doc: dict[str, list[Chunk]] = {}
    for key in sorted(docs):
        meta = docs[key]
        if key in fresh:
            chunks = fresh[key]
        else:
            assert old is not None  # an unchanged document exists only with an old version
            chunks = [c for _, c, _ in old.chunks_of(key)]
        by_doc[key] = chunks
        headings = {meta.title} | {c.section.removesuffix(" …") for c in chunks if c.section}
        headings |= {line for c in chunks for line in carried_headings(c)}
        for chunk in chunks:
            text = passage_text(meta.title, chunk)
            split = split_sentences(chunk.text)
            for sentence in split:
                if _is_heading(sentence, headings) or is_letterhead(sentence, meta):
                    continue  # a heading or a letterhead line is not evidence
                embedded = sentence_passage(meta.title, chunk, sentence)
                sentences.append(SentenceRow(len(entries), sentence, _key(embedded)))
                sentence_texts.append(embedded)
            entries.append(IndexedChunk(chunk, text, _key(text)))
    chunk_old = (old.vectors(), old.embed_keys()) if old else None
    sent_old = (old.sentence_vectors(), old.sentence_keys()) if old else None
    chunk_todo = _missing([e.embed_key for e in entries], chunk_old)
    sent_todo = _missing([r.embed_key for r in sentences], sent_old)
    texts = [entries[i].passage for i in chunk_todo] + [sentence_texts[i] for i in sent_todo]
    new = _embed(texts, get_embedder) if texts else None
    dim = _dim(new, chunk_old, get_embedder)
    vectors = _fill([e.embed_key for e in entries], chunk_todo, new, 0, chunk_old, dim)
    sent_vectors = _fill(
        [r.embed_key for r in sentences], sent_todo, new, len(chunk_todo), sent_old, dim
    )
    register = extract_register(docs, by_doc)  # from every document: stays in step with them
    return Assembled(entries, vectors, sentences, sent_vectors, len(texts), register)


def carried_headings(chunk: Chunk) -> list[str]:
    """Headings that open a chunk above its own section: chunking carries a heading directly
    followed by another into the next run ("Avtal om …" then "Sammanfattning"), so every line
    before the line of the chunk's section heading is a heading too. A decision cited by its
    body and date ("Socialnämnden 2016-12-14") has its printed title only here."""
    if not chunk.section:
        return []
    label = chunk.section.removesuffix(" …")
    lines = chunk.text.split("\n")
    for n, line in enumerate(lines):
        if line == label or (label != chunk.section and line.startswith(label)):
            return lines[:n]
    return []


def _is_heading(sentence: str, headings: set[str]) -> bool:
    """A line that is one of the document's headings (cited sections, maybe shortened, or the
    title) or has a heading's shape ("ÄRENDET", "4.2 Kommunens åtaganden")."""
    return looks_like_heading(sentence) or any(
        sentence == h or (len(h) > 20 and len(sentence) <= 90 and sentence.startswith(h))
        for h in headings
    )


Previous = tuple[np.ndarray, dict[str, int]]


def _missing(keys: list[str], old: Previous | None) -> list[int]:
    """Indexes of keys that have no vector in the previous version."""
    have = old[1] if old else {}
    return [i for i, k in enumerate(keys) if k not in have]


def _dim(new: np.ndarray | None, old: Previous | None, get_embedder: Callable[[], Embedder]) -> int:
    if new is not None:
        return int(new.shape[1])
    if old is not None:
        return int(old[0].shape[1])
    return get_embedder().dim


def _fill(
    keys: list[str],
    todo: list[int],
    new: np.ndarray | None,
    offset: int,
    old: Previous | None,
    dim: int,
) -> np.ndarray:
    """Vectors for `keys`: rows `todo` from `new[offset:]`, the others from the old version."""
    out = np.zeros((len(keys), dim), dtype=np.float32)
    for row, i in enumerate(todo):
        out[i] = new[offset + row]  # type: ignore[index]  # new is set whenever todo is
    if old is not None:
        old_vectors, old_keys = old
        for i, key in enumerate(keys):
            if key in old_keys:
                out[i] = old_vectors[old_keys[key]]
    return out


def _embed(texts: list[str], get_embedder: Callable[[], Embedder]) -> np.ndarray:
    embedder = get_embedder()
    parts = []
    with tqdm(total=len(texts), desc="Bäddar in", unit="avsnitt", disable=None) as bar:
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start : start + EMBED_BATCH]
            parts.append(embedder.embed_passages(batch))
            bar.update(len(batch))
    return np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
