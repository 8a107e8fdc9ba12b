"""Labelled questions: the sample corpus's sets (with quotes) and the real-document sets (with
character spans into files that stay in ../shared and are never copied into the repository).

A line is {"id", "question", "kind", "answer", "doc"} plus either "quote" (the supporting text,
for documents written here) or "span": [start, end] (offsets into the document's text, read
from the folders given). Optional: "style" (how the question is written), "history" (earlier
questions of a follow-up), "near_doc" (the document an unanswerable question is close to).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from evaluation.evaluate import holds_keywords
from retrieval.errors import ConfigError
from retrieval.text import stem, words

KINDS = (
    "fact",
    "deadline",
    "obligation",
    "party",
    "amount",
    "definition",
    "duration",
    "unanswerable",
)
REPO = Path(__file__).resolve().parent.parent
# where the real documents are: ../shared beside the checkout (as laid out for sessions and CI)
SHARED = REPO.parent / "shared"
REAL_DOCS = (SHARED / "real-corpus" / "docs", SHARED / "domain")
# more questions written apart from the others that only train the query adapter (as training
# rows of the answer model they made it worse on held-out documents, docs/benchmarks.md);
# reserve/unused/ holds sets measured and not used, so it is not read here
ADAPTER_SETS = tuple(sorted((REPO / "tests" / "eval" / "real" / "reserve").glob("train_*.jsonl")))
SENTENCE_SHARE = 0.6  # of a sentence's words that must be in the gold text for it to be gold
GOLD_SHARE = 0.3  # of the gold text's words that a gold sentence must hold


class MissingDocuments(ConfigError):
    """A label points at a document whose folder is not on this machine."""


@dataclass(frozen=True)
class Label:
    """One labelled question and the text that answers it ("" when nothing does)."""

    id: str
    question: str
    kind: str
    answer: str
    doc: str  # file name of the answering document, "" for unanswerable
    gold: str  # the supporting text
    style: str = ""
    history: tuple[str, ...] = ()
    group: str = ""  # the document the question is about, for grouped cross-validation
    source: str = ""  # the set it comes from (file stem)

    @property
    def answerable(self) -> bool:
        return bool(self.doc)


def _document_text(name: str, folders: tuple[Path, ...]) -> str:
    for folder in folders:
        path = folder / name
        if path.is_file():
            return path.read_text("utf-8")
    raise MissingDocuments(
        f"document {name!r} is in none of {', '.join(str(f) for f in folders)}; "
        "the real-document sets need ../shared/real-corpus beside the checkout"
    )


def load(path: Path, folders: tuple[Path, ...] = REAL_DOCS) -> list[Label]:
    """The labels of one JSONL file; a bad line is a ConfigError naming file and line."""
    out = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            doc = raw.get("doc") or ""
            if doc and "span" in raw:
                start, end = raw["span"]
                gold = _document_text(doc, folders)[start:end]
            else:
                gold = raw.get("quote", "")
            label = Label(
                id=raw["id"],
                question=raw["question"],
                kind=raw["kind"],
                answer=raw.get("answer", ""),
                doc=doc,
                gold=gold,
                style=raw.get("style", ""),
                history=tuple(raw.get("history") or ()),
                group=doc or raw.get("near_doc") or f"none:{raw['id']}",
                source=path.stem,
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}:{number}: not a valid question line ({exc})") from exc
        if label.kind not in KINDS:
            raise ConfigError(f"{path}:{number}: kind {label.kind!r} is not one of {KINDS}")
        if label.doc and not label.gold.strip():
            raise ConfigError(f"{path}:{number}: the supporting text is empty")
        out.append(label)
    return out


def _stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)}


def is_gold(sentence: str, doc_name: str, label: Label) -> bool:
    """The sentence is from the answering document and says (most of) what the gold text says:
    most of its words are in the gold text, and it holds a fair part of the gold text."""
    if not label.doc or doc_name != label.doc:
        return False
    s, g = _stems(sentence), _stems(label.gold)
    if not s or not g:
        return False
    shared = len(s & g)
    return shared / len(s) >= SENTENCE_SHARE and shared / len(g) >= GOLD_SHARE


def keywords_found(answer_text: str, label: Label) -> bool:
    """The answer holds most of the expected answer's key words (as `bot eval` counts them)."""
    return holds_keywords(answer_text, label.answer)
