"""Blocks -> chunks that follow sections and paragraphs and keep their page and heading."""

from __future__ import annotations

from collections.abc import Iterator

from ingest.structure import SECTION_MARK, Block
from retrieval.sentences import split_sentences
from retrieval.types import Chunk

MAX_SECTION_LABEL = 70


def section_label(heading: str) -> str:
    """A heading as cited: "4.2 Kommunens åtaganden", "§ 5 Samverkansavtal ..." (shortened)."""
    text = " ".join(heading.split())
    if len(text) <= MAX_SECTION_LABEL:
        return text
    cut = text[:MAX_SECTION_LABEL].rsplit(" ", 1)[0]
    return cut + " …"


def _cited_heading(stack: list[tuple[int, str]]) -> str:
    """The innermost heading; numbered headings win over unnumbered ones below them."""
    if not stack:
        return ""
    numbered = [h for _, h in stack if SECTION_MARK.match(h)]
    innermost = stack[-1][1]
    if SECTION_MARK.match(innermost) or not numbered:
        return section_label(innermost)
    return section_label(numbered[-1])


def split_long(text: str, size: int, overlap: int) -> list[str]:
    """Pieces of at most ~size characters, cut between sentences, neighbours sharing ~overlap."""
    if len(text) <= size:
        return [text]
    sentences = split_sentences(text) or [text]
    pieces: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        while len(sentence) > size:  # one enormous "sentence": cut at a space
            cut = sentence.rfind(" ", 0, size)
            cut = cut if cut > size // 2 else size
            sentence_head, sentence = sentence[:cut].strip(), sentence[cut:].strip()
            if current:
                pieces.append(" ".join(current))
                current = []
            pieces.append(sentence_head)
        if current and len(" ".join(current)) + len(sentence) + 1 > size:
            pieces.append(" ".join(current))
            current = _tail_for_overlap(current, overlap)
            while current and len(" ".join(current)) + len(sentence) + 1 > size:
                current.pop(0)  # the overlap must not push the piece over the size
        current.append(sentence)
    if current:
        pieces.append(" ".join(current))
    return [p for p in pieces if p]


def _tail_for_overlap(sentences: list[str], overlap: int) -> list[str]:
    """The last sentences of a piece whose length fits in `overlap`, repeated in the next one."""
    tail: list[str] = []
    for sentence in reversed(sentences):
        if sum(len(s) + 1 for s in tail) + len(sentence) > overlap:
            break
        tail.insert(0, sentence)
    return tail


def chunk_blocks(doc_path: str, blocks: list[Block], size: int, overlap: int) -> list[Chunk]:
    """Group blocks into chunks: a new chunk at every heading and page; long paragraphs split.
    A chunk of a page read by OCR is marked `ocr`."""
    if overlap >= size:
        raise ValueError(f"chunk overlap ({overlap}) must be smaller than chunk size ({size})")
    chunks: list[Chunk] = []
    scanned = {b.page for b in blocks if b.ocr}  # a page is read by OCR whole or not at all
    for page, section, texts in _sections([b for b in blocks if not b.letterhead]):
        for text in _pack(texts, size, overlap):
            chunks.append(Chunk(doc_path, text, page, section, len(chunks), page in scanned))
    return chunks


def _sections(blocks: list[Block]) -> Iterator[tuple[int, str, list[str]]]:
    """(page, cited heading, texts) runs: one per heading and page.

    A heading directly followed by another heading on the same page is carried into the next
    run instead of becoming a chunk of its own.
    """
    stack: list[tuple[int, str]] = []
    texts: list[str] = []
    page = blocks[0].page if blocks else 1
    section = ""
    only_headings = True
    for block in blocks:
        new_page = block.page != page
        if (block.heading and not only_headings) or new_page:
            if texts:
                yield page, section, texts
            texts, only_headings = [], True
            page = block.page
        if block.heading:
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, block.text))
            section = _cited_heading(stack)
        else:
            only_headings = False
        texts.append(block.text)
    if texts:
        yield page, section, texts


def _pack(texts: list[str], size: int, overlap: int) -> Iterator[str]:
    """Join paragraphs (one per line) up to `size` characters; split ones that are longer."""
    current: list[str] = []
    for text in texts:
        for piece in split_long(text, size, overlap):
            if current and sum(len(t) + 1 for t in current) + len(piece) > size:
                yield "\n".join(current)
                current = []
            current.append(piece)
    if current:
        yield "\n".join(current)
