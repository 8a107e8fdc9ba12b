"""A newer decision on the same matter (issue 10, part 4): when an answer quotes a decision and
the index holds a later decision on the same matter, the answer points to it.

Two decisions are on the same matter when they share a case number (the diarienummer without
its document serial: "ON 2024/31" of "ON 2024/31-3"), or when the same committee took them and
their documents say much the same: the cosine of the two documents' mean chunk vectors is at
least SAME_MATTER. The vectors are the index's own (no model call), so this works the same on a
local index and on PostgreSQL, and on versions indexed before letterheads were read.
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass

import numpy as np

from retrieval.snapshot import Snapshot
from retrieval.types import Chunk, DocType, DocumentMeta

# Mean-chunk cosines measured by `python scripts/same_matter.py` (docs/benchmarks.md) on the
# sample corpus with the real documents and the domain document, and on the generated decisions
# of tests/bot/test_newer.py. One matter: the domain text and the sample minutes of the Täby
# committee's decision on the collaboration model 0.977, two decisions on one agreement 0.984.
# One committee name, other matters: two regional boards 0.959, a fee and an agreement 0.956,
# two social committees 0.944 and lower. The threshold is the midpoint of 0.959 and 0.977; only
# two same-matter pairs back it, so it is a logical guard of one number, set by hand. Across
# committees like matters come as close (0.970: two committees' agreements with one
# university), which is why the committee must be the same.
SAME_MATTER = 0.968
SERIAL = re.compile(r"[-:.]\d{1,4}$")  # the document's number within its case: "-7"


def case_number(reference: str) -> str:
    """The case a diarienummer names, without the document's serial ("SN 2016/0123")."""
    return SERIAL.sub("", " ".join(reference.split())).upper()


@dataclass(frozen=True)
class NewerDecision:
    """The latest decision on the matter of a quoted one, and its passage closest to the quote."""

    doc: DocumentMeta
    chunk: Chunk
    position: int


class _Centroids:
    """Each document's mean chunk vector (unit length), computed once per index version."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._means: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def of(self, path: str) -> np.ndarray | None:
        with self._lock:
            if path not in self._means:
                vectors = self.snapshot.vectors()
                rows = [np.asarray(vectors[pos]) for pos, _, _ in self.snapshot.chunks_of(path)]
                mean = np.mean(rows, axis=0) if rows else np.zeros(self.snapshot.manifest.dim)
                norm = float(np.linalg.norm(mean))
                self._means[path] = mean / norm if norm else mean
            return self._means[path]


_CACHE: weakref.WeakKeyDictionary[object, _Centroids] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def _centroids(snapshot: Snapshot) -> _Centroids:
    with _CACHE_LOCK:
        found = _CACHE.get(snapshot)
        if found is None:
            found = _CACHE[snapshot] = _Centroids(snapshot)
        return found


def similarity(a: str, b: str, snapshot: Snapshot) -> float:
    """Cosine of two documents' mean chunk vectors, in [-1, 1]."""
    means = _centroids(snapshot)
    va, vb = means.of(a), means.of(b)
    return float(va @ vb) if va is not None and vb is not None else 0.0


def same_matter(a: DocumentMeta, b: DocumentMeta, snapshot: Snapshot) -> bool:
    """One case number, or one committee and documents that say much the same."""
    if a.reference and b.reference and case_number(a.reference) == case_number(b.reference):
        return True
    if not a.body or a.body.lower() != b.body.lower():
        return False  # a matter is decided within one committee's or board's case register
    return similarity(a.path, b.path, snapshot) >= SAME_MATTER


def newer_decision(doc: DocumentMeta, snapshot: Snapshot) -> DocumentMeta | None:
    """The latest decision dated after `doc` on the same matter, when `doc` is a decision."""
    if doc.doctype != DocType.DECISION or not doc.date:
        return None
    later = [
        d
        for d in snapshot.documents.values()
        if d.doctype == DocType.DECISION and d.date > doc.date and d.path != doc.path
    ]
    same = [d for d in later if same_matter(doc, d, snapshot)]
    return max(same, key=lambda d: (d.date, d.path)) if same else None


def find(doc: DocumentMeta, position: int, snapshot: Snapshot) -> NewerDecision | None:
    """The newer decision on the matter of `doc` with its chunk closest to the quoted chunk
    at `position` (its first chunk when the position is unknown)."""
    newer = newer_decision(doc, snapshot)
    if newer is None:
        return None
    chunks = snapshot.chunks_of(newer.path)
    if not chunks:
        return None
    if position < 0:
        pos, chunk, _ = chunks[0]
        return NewerDecision(newer, chunk, pos)
    vectors = snapshot.vectors()
    quoted = np.asarray(vectors[position])
    pos, chunk, _ = max(chunks, key=lambda c: float(np.asarray(vectors[c[0]]) @ quoted))
    return NewerDecision(newer, chunk, pos)
