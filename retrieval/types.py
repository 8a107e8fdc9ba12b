"""Typed records passed between ingestion, retrieval and answering."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

from config.collections import DEFAULT_COLLECTION


class DocType(StrEnum):
    """What kind of document a file is (read from its own text at ingestion)."""

    AGREEMENT = "avtal"
    TEMPLATE = "mall"
    DECISION = "beslut"
    GUIDELINE = "riktlinje"
    STATUTE = "författning"
    INFORMATION = "information"


@dataclass(frozen=True)
class DocumentMeta:
    """What is known about one source file in the index."""

    path: str  # path relative to the ingested root, with forward slashes (e.g. "beslut.pdf")
    title: str
    sha256: str
    kind: str  # "pdf" | "docx" | "md" | "txt"
    date: str = ""  # ISO date of the document when one is stated, else ""
    reference: str = ""  # diarienummer such as "KSL/16/0049-24", else ""
    pages: int = 1
    body: str = ""  # issuing body when stated ("Socialnämnden"), else ""
    doctype: str = ""  # a DocType value; "" for versions indexed before types were read
    valid_from: str = ""  # ISO date the document says it applies from, else ""
    valid_to: str = ""  # ISO date it says it applies until ("" when open or not stated)
    changed: str = ""  # UTC time (ISO, seconds) ingestion first indexed this content, or ""
    # the collection the document belongs to (its first folder below the ingested folder);
    # a channel sees only the collections SLACK_CHANNEL_COLLECTIONS gives it (retrieval.collections)
    collection: str = DEFAULT_COLLECTION
    paragraph: str = ""  # "§ 5": the paragraph of the minutes a decision is, from its letterhead
    officer: str = ""  # the case officer its letterhead names ("Eva Strand"), else ""

    @property
    def name(self) -> str:
        """File name without folders."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def is_template(self) -> bool:
        """A template to fill in, not an agreement or decision in force."""
        return self.doctype == DocType.TEMPLATE

    def expired(self, today: str) -> bool:
        """True when the document says it applied until a date before `today` (ISO)."""
        return bool(self.valid_to) and self.valid_to < today


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, small enough to embed, with where it came from."""

    doc_path: str
    text: str
    page: int  # 1-based page where the chunk starts (1 for formats without pages)
    section: str = ""  # nearest heading, e.g. "§ 5 Samverkansavtal" or "4.2 Kommunens åtaganden"
    ordinal: int = 0  # position of the chunk within its document
    ocr: bool = False  # read by OCR from a scanned page (ingest.ocr): may hold misread words

    @property
    def chunk_id(self) -> str:
        """Content hash: the same text at the same place gives the same id."""
        key = f"{self.doc_path}\x00{self.page}\x00{self.section}\x00{self.text}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class ScoredChunk:
    """A chunk with the scores retrieval gave it (higher is better)."""

    chunk: Chunk
    doc: DocumentMeta
    score: float  # fused score used for ranking
    dense: float = 0.0  # cosine similarity with the question, 0 when not among dense hits
    lexical: float = 0.0  # BM25 score, 0 when not among lexical hits
    position: int = -1  # row of the chunk in the index version it came from


OCR_LABEL = "OCR-läst"  # after the page of a citation whose passage was read by OCR


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer."""

    n: int
    document: str  # file name
    title: str
    page: int
    section: str
    quote: str  # the text the answer rests on
    score: float
    doc_path: str = ""  # path relative to the corpus root, for building links
    date: str = ""
    reference: str = ""
    chunk_id: str = ""
    passage: str = ""  # the whole chunk the quote comes from
    status: str = ""  # "mall", "gällde till 2019-12-31": what the reader must know of the source
    ocr: bool = False  # the passage was read by OCR from a scanned page
    paragraph: str = ""  # the decision's § from its letterhead ("§ 5"), else ""
    officer: str = ""  # the case officer named in the document's letterhead, else ""

    def label(self) -> str:
        """Human-readable source, e.g. "Socialnämnden 2016-12-14, § 5, s. 2" (with ", OCR-läst"
        after the page when the passage was read by OCR from a scan). The decision's § comes
        from its letterhead when the section is not a § heading of its own."""
        parts = [self.title]
        if self.paragraph and not self.section.startswith("§"):
            parts.append(self.paragraph)
        if self.section and self.section != self.title:
            parts.append(self.section)
        parts.append(f"s. {self.page}")
        if self.ocr:
            parts.append(OCR_LABEL)
        label = ", ".join(p for p in parts if p)
        return f"{label} ({self.status})" if self.status else label


class Reason(StrEnum):
    """Why a question was declined ("" when it was answered)."""

    ANSWERED = ""
    EMPTY = "empty"
    NO_RELEVANT = "no_relevant"
    NOT_STATED = "not_stated"


@dataclass(frozen=True)
class Answer:
    """The reply to a question: text with [n] markers and the numbered citations."""

    question: str
    answered: bool
    text: str  # the answer with [n] markers, or the Swedish decline message
    citations: tuple[Citation, ...] = ()
    reason: Reason = Reason.ANSWERED  # why it was declined
    debug: dict[str, float] = field(default_factory=dict, compare=False)
    signal: str = ""  # the feature that weighed most against answering, for a decline
    explain: dict[str, object] = field(default_factory=dict, compare=False)  # --explain

    def to_json(self) -> dict[str, object]:
        """The `--json` shape: question, answered, answer, reason, signal, citations (and the
        features' contributions when the answer was made with explain)."""
        out: dict[str, object] = {
            "question": self.question,
            "answered": self.answered,
            "answer": self.text,
            "reason": self.reason,
            "signal": self.signal,
            "citations": [
                {
                    "n": c.n,
                    "document": c.document,
                    "title": c.title,
                    "page": c.page,
                    "section": c.section,
                    "quote": c.quote,
                    "score": round(c.score, 4),
                    "status": c.status,
                    "ocr": c.ocr,
                    "paragraph": c.paragraph,
                    "officer": c.officer,
                }
                for c in self.citations
            ],
        }
        if self.explain:
            out["explain"] = self.explain
        return out
