"""Document collections: ingestion puts each file in its first folder's collection, and a view
of a version searches, lists and returns only the documents of the collections it may see."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from config.collections import DEFAULT_COLLECTION, EVERYONE
from ingest.pipeline import IngestOptions, collection_of, ingest
from retrieval.collections import CollectionView, scoped
from retrieval.embedder import HashEmbedder
from retrieval.index import open_current
from retrieval.lexical import LexicalIndex
from retrieval.vectorstore import FaissStore

SECRET = "Ledningsgruppen föreslår att handledarersättningen sänks till 1234 kronor per vecka."


def write(path: Path, title: str, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {title}\n\n{body}\n", "utf-8")


def corpus(root: Path) -> Path:
    """A general agreement at the top and a confidential draft in ledning/."""
    write(
        root / "avtal.md",
        "Samverkansavtal om VFU",
        "Lärosätet betalar handledarersättning per student och vecka. "
        "Kommunen ska lämna sin rapport senast den 15 mars 2027.",
    )
    write(
        root / "Ledning" / "budgetutkast.md",
        "Konfidentiellt budgetutkast",
        f"{SECRET} Ekonomichefen ska lämna besked senast den 1 april 2027.",
    )
    return root


def build(root: Path, index: Path, paths: list[Path] | None = None) -> None:
    emb = HashEmbedder()
    opts = IngestOptions(index_dir=index, corpus_dir=root)
    report = ingest(paths or [root], opts, emb.name, lambda: emb)
    assert not report.failed, report.failed


def test_collection_is_the_first_folder_below_the_corpus_or_the_given_folder(tmp_path: Path):
    """corpus/ledning/x -> ledning (also when corpus/ledning is given alone), corpus/x ->
    allmänt; outside the corpus folder the folder given to ingest counts; names are folded."""
    root, other = tmp_path / "corpus", tmp_path / "other"
    deep = root / "Ledning" / "2026" / "x.md"
    assert collection_of(deep, root, root) == "ledning"
    assert collection_of(deep, root / "Ledning", root) == "ledning"
    assert collection_of(root / "x.md", root, root) == DEFAULT_COLLECTION
    assert collection_of(other / "hr" / "x.md", other, root) == "hr"
    assert collection_of(other / "x.md", other, root) == DEFAULT_COLLECTION


def test_ingestion_stores_each_documents_collection(tmp_path: Path):
    """The index holds the collection of every document; re-ingesting only the subfolder
    changes nothing."""
    root = corpus(tmp_path / "corpus")
    build(root, tmp_path / "index")
    docs = open_current(tmp_path / "index").documents
    assert {p: d.collection for p, d in docs.items()} == {
        "avtal.md": DEFAULT_COLLECTION,
        "Ledning/budgetutkast.md": "ledning",
    }
    build(root, tmp_path / "index", [root / "Ledning"])
    again = open_current(tmp_path / "index").documents
    assert again["Ledning/budgetutkast.md"].collection == "ledning"


def test_a_view_never_returns_another_collections_text(tmp_path: Path):
    """The default collection's view: no document, chunk, sentence, search hit or register
    entry of ledning; the ledning view holds both; a view of every collection is the version."""
    root = corpus(tmp_path / "corpus")
    build(root, tmp_path / "index")
    snapshot = open_current(tmp_path / "index")
    secret_doc = "Ledning/budgetutkast.md"
    secret_pos = {pos for pos, _, _ in snapshot.chunks_of(secret_doc)}
    assert secret_pos

    view = scoped(snapshot, EVERYONE)
    assert isinstance(view, CollectionView)
    assert list(view.documents) == ["avtal.md"]
    assert view.chunks_of(secret_doc) == [] and view.chunks(secret_pos) == {}
    assert all(rows == [] for rows in view.sentences(secret_pos).values())
    question = "hur mycket sänks handledarersättningen enligt ledningsgruppen"
    vec = HashEmbedder().embed_query(question)
    assert {p for p, _ in snapshot.lexical.search(question, 10)} & secret_pos  # it is findable
    assert not {p for p, _ in view.lexical.search(question, 10)} & secret_pos
    assert not {p for p, _ in view.dense.search(vec, 10)} & secret_pos
    assert view.dense.search(vec, 10)  # the allowed ones are still found
    assert [d.doc_path for d in view.deadlines()] == ["avtal.md"]
    assert all(SECRET not in t for t in view.passage_texts())

    both = scoped(snapshot, frozenset({"ledning", DEFAULT_COLLECTION}))
    assert both is snapshot


@pytest.mark.parametrize("approximate", [False, True])
def test_faiss_search_inside_the_allowed_positions(approximate: bool):
    """With `allowed`, flat and HNSW stores give the k best allowed vectors (as an exact scan
    of them), also when the allowed ones are a sliver of the store."""
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((3000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store = FaissStore.build(vectors, ann_threshold=0 if approximate else 10_000)
    assert store.approximate is approximate
    for allowed in (np.arange(1000, 1600), np.array([5, 2999, 1234])):
        query = vectors[1500] + 0.1 * vectors[5]
        query /= np.linalg.norm(query)
        found = store.search(query, 10, allowed=allowed)
        exact = sorted(allowed, key=lambda i: -float(vectors[i] @ query))[: min(10, len(allowed))]
        assert [p for p, _ in found] == [int(i) for i in exact]


def test_lexical_search_inside_the_allowed_rows():
    """BM25 ranks only the allowed rows, keeping their scores."""
    lex = LexicalIndex.build(["avtal om vfu", "vfu vfu handledare", "budget", "vfu budget"])
    everything = dict(lex.search("vfu", 10))
    assert set(everything) == {0, 1, 3}
    inside = lex.search("vfu", 10, allowed=np.array([0, 2, 3]))
    assert [p for p, _ in inside] == sorted([0, 3], key=lambda p: -everything[p])
    assert dict(inside) == {p: everything[p] for p in (0, 3)}


def test_chunk_positions_are_asked_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """More documents than one query's batch give the same positions, ascending."""
    import retrieval.index

    root = corpus(tmp_path / "corpus")
    build(root, tmp_path / "index")
    snapshot = open_current(tmp_path / "index")
    paths = list(snapshot.documents)
    whole = snapshot.chunk_positions(paths)
    assert whole == sorted(whole) and len(whole) >= 2
    monkeypatch.setattr(retrieval.index, "PATH_BATCH", 1)
    assert snapshot.chunk_positions(list(reversed(paths))) == whole
