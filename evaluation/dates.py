"""Recall and precision of the register's dates on span-labelled real documents.

A label file (tests/eval/dates/*.jsonl) holds one line per labelled date, {"id", "doc", "type",
"value", "span": [start, end], "what", "derived"?, "unsure"?}, and one {"doc", "type":
"document"} per document that was read, also those with nothing to label (that is what makes
precision measurable). The documents are ingested as `python -m ingest` does (readers, chunks,
register; the hash embedder, since the register does not depend on meaning) and the register is
read as `bot deadlines` reads it, templates left out. An extracted entry and a label match when
they are of the same document and type, have the same value and the entry's sentence overlaps
the labelled span. Recall counts the labels some entry matches, precision the entries that match
some label; a sentence written twice in a document is one entry in the register, located at
both places.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from evaluation.labels import REAL_DOCS, MissingDocuments
from ingest.pipeline import IngestOptions, ingest
from retrieval.embedder import HashEmbedder
from retrieval.errors import ConfigError
from retrieval.index import open_current
from retrieval.register import (
    DEADLINE,
    KINDS,
    MONTH,
    NOTICE,
    RECURRING,
    RENEWAL,
    SEASON,
    VALIDITY_END,
    Deadline,
    in_use,
)


@dataclass(frozen=True)
class DateLabel:
    """One labelled date: document, type, value and the span of its sentence."""

    id: str
    doc: str
    type: str
    value: str
    span: tuple[int, int]
    unsure: bool = False
    derived: str = ""  # a notice's last day to give notice, when the labeller computed it


@dataclass(frozen=True)
class Found:
    """One register entry as the labels write it, with its sentence's span in the document."""

    doc: str
    type: str
    value: str
    spans: tuple[tuple[int, int], ...]  # a sentence written twice in a document is both
    quote: str
    date: str = ""  # the day the entry falls on (a notice's last day to give notice)


@dataclass
class Tally:
    """Counts for one type."""

    expected: int = 0
    recalled: int = 0
    found: int = 0
    correct: int = 0
    derived: int = 0  # notice labels with a derived last day
    derived_right: int = 0  # ... matched by an entry with that day
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Labels found / labels (1.0 when there are none)."""
        return self.recalled / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        """Entries that match a label / entries (1.0 when there are none)."""
        return self.correct / self.found if self.found else 1.0


def load(path: Path) -> tuple[list[str], list[DateLabel]]:
    """(documents read, labels) of a label file; a bad line is a ConfigError naming it."""
    docs: list[str] = []
    labels: list[DateLabel] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if item["type"] == "document":
                docs.append(item["doc"])
                continue
            if item["type"] not in KINDS:
                raise ValueError(f"unknown type {item['type']!r}")
            start, end = item["span"]
            labels.append(DateLabel(item["id"], item["doc"], item["type"], item["value"],
                                    (int(start), int(end)), bool(item.get("unsure")),
                                    item.get("derived", "")))  # fmt: skip
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}:{number}: not a date label ({exc})") from exc
    return docs, labels


def document_path(name: str, folders: tuple[Path, ...] = REAL_DOCS) -> Path:
    """Where a labelled document is; MissingDocuments when ../shared is not beside us."""
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    raise MissingDocuments(
        f"document {name!r} is in none of {', '.join(str(f) for f in folders)}; "
        "the date labels need ../shared/real-corpus beside the checkout"
    )


def extract(paths: list[Path]) -> list[Deadline]:
    """The register of these documents as `bot deadlines` lists it (templates left out)."""
    with tempfile.TemporaryDirectory(prefix="dates-eval-") as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        corpus.mkdir()
        for path in paths:
            shutil.copyfile(path, corpus / path.name)
        embedder = HashEmbedder()
        report = ingest([corpus], IngestOptions(index, corpus), embedder.name, lambda: embedder)
        if report.failed:
            raise ConfigError(f"documents could not be ingested: {report.failed}")
        snapshot = open_current(index)
        try:
            return in_use(snapshot.deadlines(), snapshot.documents)
        finally:
            snapshot.close()


def label_value(entry: Deadline) -> str:
    """An entry's value as the labels write it."""
    if entry.kind == DEADLINE:
        return entry.date or (f"--{entry.month_day}" if entry.month_day else "")
    if entry.kind == VALIDITY_END:
        return entry.date
    if entry.kind in (NOTICE, RENEWAL):
        return entry.duration
    if entry.kind == RECURRING:
        return entry.rule
    if entry.kind in (MONTH, SEASON):
        return entry.approximate
    return ""


def locate(quote: str, text: str) -> tuple[tuple[int, int], ...]:
    """The spans of a quoted sentence in the document text, whitespace aside: every place it
    is written (the register keeps a repeated sentence once), () when it is not found."""
    pattern = r"\s+".join(re.escape(w) for w in quote.split())
    return tuple((m.start(), m.end()) for m in re.finditer(pattern, text))


def found_entries(entries: list[Deadline], texts: dict[str, str]) -> list[Found]:
    """The entries in label form, each with its sentence's span in its document."""
    out = []
    for e in entries:
        doc = e.doc_path.rsplit("/", 1)[-1]
        spans = locate(e.quote, texts.get(doc, ""))
        out.append(Found(doc, e.kind, label_value(e), spans, e.quote, e.date))
    return out


def matches(f: Found, label: DateLabel) -> bool:
    """Same document, type and value, and the sentence overlaps the labelled span."""
    same = (f.doc, f.type, f.value) == (label.doc, label.type, label.value)
    return same and any(s < label.span[1] and label.span[0] < e for s, e in f.spans)


def score(found: list[Found], labels: list[DateLabel]) -> dict[str, Tally]:
    """A tally per type and "all"."""
    tallies = {kind: Tally() for kind in (*KINDS, "all")}
    for label in labels:
        hit = any(matches(f, label) for f in found)
        for key in (label.type, "all"):
            tallies[key].expected += 1
            tallies[key].recalled += hit
        if label.derived:
            tallies[label.type].derived += 1
            tallies[label.type].derived_right += any(
                matches(f, label) and f.date == label.derived for f in found
            )
        if not hit:
            tallies[label.type].misses.append(f"missed {label.id} {label.doc} {label.value}")
    for f in found:
        hit = any(matches(f, label) for label in labels)
        for key in (f.type, "all"):
            tallies[key].found += 1
            tallies[key].correct += hit
        if not hit:
            tallies[f.type].misses.append(f"extra {f.doc} {f.value!r}: {' '.join(f.quote.split())}")
    return tallies


def evaluate(path: Path) -> dict[str, Tally]:
    """Tallies of the register against one label file (MissingDocuments without ../shared)."""
    docs, labels = load(path)
    paths = [document_path(name) for name in docs]
    texts = {p.name: p.read_text("utf-8") for p in paths}
    return score(found_entries(extract(paths), texts), labels)


def report(name: str, tallies: dict[str, Tally], details: bool = False) -> str:
    """The figures per type and overall, with every miss and extra entry when `details`."""
    lines = [f"{name}: recall and precision of the register's dates"]
    for kind, t in tallies.items():
        recall = f"{t.recall:.3f}" if t.expected else "    -"
        precision = f"{t.precision:.3f}" if t.found else "    -"
        lines.append(
            f"  {kind:13} recall {recall} ({t.recalled}/{t.expected})  "
            f"precision {precision} ({t.correct}/{t.found})"
            + (f"  derived day right {t.derived_right}/{t.derived}" if t.derived else "")
        )
        if details:
            lines += [f"      {m}" for m in t.misses]
    return "\n".join(lines)
