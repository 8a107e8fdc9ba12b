"""A query adapter: the embedding model's top layers tuned for staff's questions.

Passages (and so every index) are embedded by the base model; only questions go through the
adapted layers, so an adapter can change without re-embedding anything. The file
(`bot/query_adapter.npz`, written by `scripts/train_answerer.py`) holds, for each adapted
parameter of the encoder, its change from the base weights: a matrix as a low-rank pair
`<name>.a @ <name>.b`, a vector in full, all float16; `meta` is a JSON string with the format,
the model it was trained from and how. The query model shares every unchanged module with the
base model, so it costs only the adapted layers' memory.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.errors import ConfigError

FORMAT = 1


@dataclass(frozen=True)
class QueryAdapter:
    """Changes to some encoder parameters, by name below the transformer (`encoder.layer.11...`)."""

    deltas: dict[str, np.ndarray]  # full float32 change of each adapted parameter
    meta: dict[str, Any]
    identity: str  # hash of the file's content: recorded by the answer model trained with it

    @classmethod
    def load(cls, path: Path) -> QueryAdapter:
        """Read an adapter file; ConfigError naming the file when it is missing or not one."""
        try:
            raw = path.read_bytes()
            with np.load(io.BytesIO(raw), allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                arrays = {k: data[k] for k in data.files if k != "meta"}
        except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise ConfigError(
                f"EMBEDDING_QUERY_ADAPTER={path} is not a readable query adapter ({exc}); "
                "run scripts/train_answerer.py to write one, or set it empty to use none"
            ) from exc
        if meta.get("format") != FORMAT:
            raise ConfigError(
                f"EMBEDDING_QUERY_ADAPTER={path} has format {meta.get('format')!r}, "
                f"this code reads {FORMAT}"
            )
        return cls.from_arrays(arrays, meta, hashlib.sha256(raw).hexdigest()[:12])

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, np.ndarray], meta: dict[str, Any], identity: str
    ) -> QueryAdapter:
        """The adapter that arrays as `to_arrays` writes them describe."""
        deltas: dict[str, np.ndarray] = {}
        for key, value in arrays.items():
            name, _, part = key.rpartition(".")
            if part == "a":
                b = arrays[f"{name}.b"].astype(np.float32)
                deltas[name] = value.astype(np.float32) @ b
            elif part == "d":
                deltas[name] = value.astype(np.float32)
        return cls(deltas, meta, identity)

    def to_arrays(self, rank: int) -> dict[str, np.ndarray]:
        """The changes as stored: each matrix cut to its `rank` largest singular directions
        (a low-rank pair), each vector in full, all float16."""
        arrays: dict[str, np.ndarray] = {}
        for name, delta in sorted(self.deltas.items()):
            if delta.ndim == 2:
                u, s, vt = np.linalg.svd(delta.astype(np.float64), full_matrices=False)
                arrays[f"{name}.a"] = (u[:, :rank] * s[:rank]).astype(np.float16)
                arrays[f"{name}.b"] = vt[:rank].astype(np.float16)
            else:
                arrays[f"{name}.d"] = delta.astype(np.float16)
        return arrays

    def _stored_meta(self, rank: int) -> dict[str, Any]:
        return {**self.meta, "format": FORMAT, "rank": rank}

    def cut(self, rank: int) -> QueryAdapter:
        """This adapter as it reads back after `save(path, rank)`."""
        return QueryAdapter.from_arrays(
            self.to_arrays(rank), self._stored_meta(rank), self.identity
        )

    def save(self, path: Path, rank: int) -> None:
        """Write the adapter (see `to_arrays`); `load` reads it back."""
        meta = np.array(json.dumps(self._stored_meta(rank), sort_keys=True))
        with path.open("wb") as f:
            np.savez_compressed(f, allow_pickle=False, meta=meta, **self.to_arrays(rank))


def query_model(model: Any, adapter: QueryAdapter) -> Any:
    """A copy of a sentence-transformers `model` with the adapter's changes added, sharing
    the tokenizer and every parameter the adapter does not change with `model` (no copy of
    those)."""
    transformer = model[0].auto_model
    params = dict(transformer.named_parameters())
    unknown = sorted(set(adapter.deltas) - set(params))
    if unknown:
        raise ConfigError(f"the query adapter changes parameters the model lacks: {unknown[:3]}")
    memo: dict[int, Any] = {id(p): p for name, p in params.items() if name not in adapter.deltas}
    for module in model:  # a copied tokenizer would cost about 270 MB
        tokenizer = getattr(module, "tokenizer", None)
        if tokenizer is not None:
            memo[id(tokenizer)] = tokenizer
    out = copy.deepcopy(model, memo)
    import torch

    with torch.no_grad():
        for name, p in out[0].auto_model.named_parameters():
            if name in adapter.deltas:
                delta = adapter.deltas[name]
                if tuple(delta.shape) != tuple(p.shape):
                    raise ConfigError(
                        f"the query adapter's {name} has shape {delta.shape}, the model's "
                        f"{tuple(p.shape)}"
                    )
                p.add_(torch.from_numpy(delta))
    out.eval()
    return out
