"""Keep cross-fitted examples on disk, so that a change of the answer model is screened in minutes.

Collecting the examples (`adapt.cross_fitted`: an adapter per fold, then every question through
the production path) takes most of `make train`'s time (23 minutes on two cores); fitting and
cross-validating the answer model on them takes about one. The examples depend on the labels,
the index version, the adapter's configuration, the code that computes candidates and features
and the libraries that train and search, but not on how the model is fitted or applied
(`evaluation/learn.py`, `bot/model.py`). A cache file is
therefore stamped with a hash of everything they depend on and used only when the stamp matches,
so a changed feature, label or index can never be screened on stale examples.

The file is a pickle written by this module for the machine that wrote it; never load one from
elsewhere.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from evaluation import learn
from evaluation.adapt import AdapterConfig
from evaluation.labels import REPO, Label
from retrieval.snapshot import Snapshot

FORMAT = 1
# code the examples depend on; the model's fitting and application are left out on purpose
SOURCES = ("bot", "retrieval", "evaluation", "config")
NOT_SOURCES = frozenset({"evaluation/learn.py", "evaluation/cache.py", "bot/model.py"})
LIBRARIES = ("torch", "transformers", "sentence-transformers", "numpy", "faiss-cpu")


def _code() -> list[Path]:
    files = [p for d in SOURCES for p in (REPO / d).rglob("*") if p.suffix in {".py", ".toml"}]
    return sorted(p for p in files if p.relative_to(REPO).as_posix() not in NOT_SOURCES)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def stamp(
    snapshot: Snapshot,
    labels: Sequence[Label],
    extra: Sequence[Label],
    config: AdapterConfig | None,
) -> str:
    """A hash of what cross-fitted examples of `labels` (adapters also trained on `extra`)
    depend on: the index version, the labels, the adapter configuration (None: collected
    without an adapter), the code and the libraries' versions."""
    h = hashlib.sha256(f"format {FORMAT}\n".encode())
    h.update(repr(snapshot.manifest).encode())
    for group in (labels, extra):
        h.update(json.dumps([dataclasses.asdict(lab) for lab in group], sort_keys=True).encode())
    h.update(json.dumps(config and dataclasses.asdict(config), sort_keys=True).encode())
    for name in LIBRARIES:
        h.update(f"{name} {_version(name)}\n".encode())
    for path in _code():
        h.update(path.relative_to(REPO).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def save(path: Path, key: str, examples: Sequence[learn.Example]) -> None:
    """Write the examples with their stamp (the question's `Query`, which holds the open index,
    is left out: fitting and scoring do not read it). Written to a temporary file first, so an
    interrupted write leaves no half file."""
    light = [
        learn.Example(e.label, dataclasses.replace(e.found, query=None), e.gold)  # type: ignore[arg-type]
        for e in examples
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        pickle.dump({"stamp": key, "examples": light}, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


def load(path: Path, key: str) -> list[learn.Example] | None:
    """The examples saved under this stamp, or None when there is no such file, it was written
    for other inputs, or it cannot be read."""
    try:
        with path.open("rb") as f:
            raw: Any = pickle.load(f)  # our own file only: see the module docstring
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    if not isinstance(raw, dict) or raw.get("stamp") != key:
        return None
    return list(raw["examples"])
