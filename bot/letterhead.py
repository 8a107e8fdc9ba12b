"""Questions for a document's letterhead facts ("Vem handlade ärendet hos KSL?", "Vad har
socialnämndens ärende för dnr?"), answered from its metadata (issue 10, part 2).

Letterhead lines are document metadata, never evidence sentences, so the answer model cannot
quote them; a question that asks for exactly such a fact (`[letterhead_questions]` in
retrieval/lexicon.toml) is answered from the best-matching passage's document when that
document states the fact, with the letterhead line as the cited quote. Otherwise it is answered
as any other question.
"""

from __future__ import annotations

from bot import texts
from retrieval.lexicon import lexicon
from retrieval.snapshot import Snapshot
from retrieval.types import Answer, Citation, ScoredChunk


def asked_fact(question: str) -> str:
    """The letterhead fact the question asks for ("officer", "reference"), else ""."""
    for fact, pattern in lexicon().letterhead_questions.items():
        if pattern.search(question):
            return fact
    return ""


def letterhead_answer(
    question: str, fact: str, hits: list[ScoredChunk], snapshot: Snapshot
) -> Answer | None:
    """The fact of the best hit's document with its letterhead line as the source, or None
    when that document does not state it."""
    if not hits:
        return None
    doc = hits[0].doc
    value = str(getattr(doc, fact, ""))
    if not value:
        return None
    # the shortest line that states the fact (a Word letterhead in the page header is in no
    # passage: then the best hit and the fact itself)
    lines = [(c, ln) for _, c, _ in snapshot.chunks_of(doc.path) for ln in c.text.split("\n")]
    stating = [(c, ln) for c, ln in lines if value in ln]
    chunk, line = min(stating, key=lambda cl: len(cl[1]), default=(hits[0].chunk, value))
    cite = Citation(
        n=1, document=doc.name, title=doc.title, page=chunk.page, section=chunk.section,
        quote=line.strip(), score=hits[0].dense, doc_path=doc.path, date=doc.date,
        reference=doc.reference, chunk_id=chunk.chunk_id, passage=chunk.text, ocr=chunk.ocr,
        paragraph=doc.paragraph, officer=doc.officer,
    )  # fmt: skip
    text = texts.LETTERHEAD_ANSWERS[fact].format(title=doc.title, value=value)
    return Answer(question, True, f"{text} [1]", (cite,))
