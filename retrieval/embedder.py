"""Text -> vectors. The default embedder is a sentence-transformers model loaded from disk."""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import re
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from retrieval.adapter import QueryAdapter, query_model
from retrieval.errors import ConfigError

log = logging.getLogger(__name__)


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str  # identifies the model; recorded in the index and checked on load
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Return an array of shape (len(texts), dim), row i for texts[i], unit length.

        An empty list gives shape (0, dim). Raises on model failure; never returns partial rows.
        """
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Return one unit vector of shape (dim,) for a search question."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model on disk, used offline with `query: `/`passage: ` prompts."""

    def __init__(
        self, model_path: str, batch_size: int = 16, threads: int = 0, query_adapter: str = ""
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = Path(model_path).expanduser()
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise ConfigError(
                f"EMBEDDING_MODEL={model_path} is not a sentence-transformers model folder; "
                "run `make setup` (converts the bundled model) or point EMBEDDING_MODEL at one"
            )
        import torch
        from sentence_transformers import SentenceTransformer

        # process-wide: the last embedder loaded in a process sets it
        torch.set_num_threads(threads or os.cpu_count() or 1)
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._batch_size = batch_size
        prompts = getattr(self._model, "prompts", {}) or {}
        self._has_prompts = "query" in prompts and "passage" in prompts
        get_dim = getattr(self._model, "get_embedding_dimension", None)
        get_dim = get_dim or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        self.dim = int(dim) if dim else int(self._model.encode(["x"]).shape[1])
        self.name = _model_identity(path)
        # questions go through the adapted top layers when a query adapter is configured
        self._query_model = self._model
        self.query_adapter = ""  # identity of the adapter in use, "" for none
        if query_adapter:
            self._use(QueryAdapter.load(Path(query_adapter).expanduser()))

    def _use(self, adapter: QueryAdapter | None) -> None:
        self._query_model = query_model(self._model, adapter) if adapter else self._model
        self.query_adapter = adapter.identity if adapter else ""

    def with_adapter(self, adapter: QueryAdapter | None) -> SentenceTransformerEmbedder:
        """This embedder with questions going through `adapter` (None: the base model); the
        model's unchanged parameters are shared, not copied."""
        out = copy.copy(self)
        out._use(adapter)
        return out

    @property
    def model(self) -> Any:
        """The sentence-transformers model that embeds passages (the base model)."""
        return self._model

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Embed document passages (prompt `passage: ` when the model defines it)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
            prompt_name="passage" if self._has_prompts else None,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one question (prompt `query: ` when the model defines it), through the query
        adapter when there is one."""
        vec = self._query_model.encode(
            [text],
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
            prompt_name="query" if self._has_prompts else None,
        )[0]
        return np.ascontiguousarray(vec, dtype=np.float32)


def _model_identity(path: Path) -> str:
    """Folder name plus a hash of its configs and file sizes: cheap, and changes with them."""
    digest = hashlib.sha256()
    for item in sorted(path.rglob("*")):
        if item.is_file() and item.suffix in {".json", ".safetensors", ".bin", ".txt"}:
            digest.update(item.relative_to(path).as_posix().encode())
            digest.update(str(item.stat().st_size).encode())
            if item.suffix == ".json" and item.stat().st_size < 1_000_000:
                digest.update(item.read_bytes())
    return f"{path.name}@{digest.hexdigest()[:12]}"


class HashEmbedder:
    """Deterministic bag-of-words vectors, for fast tests of code that ignores meaning."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.name = f"hash-{dim}"
        self.query_adapter = ""

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little")
            vec[h % self.dim] += 1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Hash each word into a bucket; unit length."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._one(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        """Same as a passage."""
        return self._one(text)


def model_name(model: str) -> str:
    """The name an index records for this EMBEDDING_MODEL, computed without loading it."""
    if model.startswith("hash"):
        return HashEmbedder().name
    path = Path(model).expanduser()
    if not path.is_dir():
        raise ConfigError(
            f"EMBEDDING_MODEL={model} does not exist; run `make setup` to convert the bundled "
            "model, or point EMBEDDING_MODEL at a sentence-transformers folder"
        )
    return _model_identity(path)


def load_embedder(
    model: str, batch_size: int = 16, threads: int = 0, query_adapter: str = ""
) -> Embedder:
    """The embedder named by the EMBEDDING_MODEL setting (`hash` gives the test embedder, which
    takes no query adapter)."""
    if model.startswith("hash"):
        return HashEmbedder()
    return SentenceTransformerEmbedder(model, batch_size, threads, query_adapter)
