"""BM25 over Swedish stems, stored as a sparse matrix with the weights computed at index time."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse

from retrieval.text import Analyzer


class LexicalIndex:
    """Okapi BM25 (k1, b) with eagerly computed term weights; rows are chunk positions."""

    def __init__(
        self,
        analyzer: Analyzer,
        vocab: dict[str, int],
        weights: sparse.csc_matrix,
        doc_freq: np.ndarray,
    ) -> None:
        self.analyzer = analyzer
        self.vocab = vocab
        self.weights = weights  # shape (n_chunks, n_terms)
        self.doc_freq = doc_freq  # shape (n_terms,)

    @property
    def size(self) -> int:
        """Number of indexed chunks."""
        return int(self.weights.shape[0])

    @classmethod
    def build(
        cls,
        texts: list[str],
        decompound: bool = True,
        k1: float = 1.2,
        b: float = 0.75,
        analyzer: Analyzer | None = None,
    ) -> LexicalIndex:
        """Index the texts; position i in results refers to texts[i]."""
        from retrieval.text import corpus_vocabulary, find_abbreviations

        analyzer = analyzer or Analyzer(
            corpus_vocabulary(texts), decompound=decompound, abbreviations=find_abbreviations(texts)
        )
        term_lists = [analyzer.terms(t) for t in texts]
        vocab: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        for row, terms in enumerate(term_lists):
            for term, count in Counter(terms).items():
                rows.append(row)
                cols.append(vocab.setdefault(term, len(vocab)))
                tfs.append(count)
        n = len(texts)
        lengths = np.array([len(t) for t in term_lists], dtype=np.float32)
        avg = float(lengths.mean()) if n and lengths.sum() else 1.0
        tf = np.array(tfs, dtype=np.float32)
        row_idx = np.array(rows, dtype=np.int64)
        col_idx = np.array(cols, dtype=np.int64)
        df = np.bincount(col_idx, minlength=len(vocab)).astype(np.float32)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        norm = k1 * (1.0 - b + b * lengths[row_idx] / avg) if n else tf
        w = idf[col_idx] * tf * (k1 + 1.0) / (tf + norm)
        matrix = sparse.csc_matrix((w, (row_idx, col_idx)), shape=(n, len(vocab)))
        return cls(analyzer, vocab, matrix, df)

    def search(
        self, query: str, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Best k (position, score) pairs with score > 0, best first; with `allowed` (int
        positions), among those rows only."""
        terms = self.analyzer.terms(self.analyzer.expand(query))
        ids = [self.vocab[t] for t in dict.fromkeys(terms) if t in self.vocab]
        if not ids or self.size == 0 or k <= 0:
            return []
        scores = np.asarray(self.weights[:, ids].sum(axis=1)).ravel()
        rows = None if allowed is None else np.asarray(allowed, dtype=np.int64)
        if rows is not None:
            scores = scores[rows]  # index i of the scores is now row rows[i]
        k = min(k, len(scores))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        positions = top if rows is None else rows[top]
        return [
            (int(p), float(scores[i])) for p, i in zip(positions, top, strict=True) if scores[i] > 0
        ]

    def save(self, folder: Path) -> None:
        """Write lexical.npz and lexical.json into folder."""
        sparse.save_npz(folder / "lexical.npz", self.weights.tocsc(), compressed=False)
        meta = {
            "vocab": self.vocab,
            "doc_freq": self.doc_freq.tolist(),
            "decompound": self.analyzer.decompound,
            "dictionary": sorted(self.analyzer.vocabulary),
            "abbreviations": self.analyzer.abbreviations,
        }
        (folder / "lexical.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Read what `save` wrote."""
        meta = json.loads((folder / "lexical.json").read_text("utf-8"))
        weights = sparse.load_npz(folder / "lexical.npz").tocsc()
        analyzer = Analyzer(meta["dictionary"], meta["decompound"], meta.get("abbreviations", {}))
        return cls(analyzer, meta["vocab"], weights, np.array(meta["doc_freq"], dtype=np.float32))
