"""Make extracted PDF page text read like the page: no running headers/footers, no hyphen breaks."""

from __future__ import annotations

import re
from collections import Counter

PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:sida|page|s\.)\s*\d+(?:\s*(?:av|of|/)\s*\d+)?|-?\s*\d{1,3}\s*-?|\d+\s*/\s*\d+)\s*$",
    re.IGNORECASE,
)
# "samverkans-\navtal" -> "samverkansavtal"; "hälso-\noch sjukvård" keeps its hyphen
HYPHEN_BREAK = re.compile(r"(\w)-\n(\s*)(?!(?:och|eller|samt|respektive)\b)([a-zåäö])")
EDGE_LINES = 3  # lines at the top and bottom of a page that can be a header or footer


def normalise(line: str) -> str:
    """A line with its digits masked, so "Sida 2 av 5" and "Sida 3 av 5" compare equal."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.strip().lower()))


def running_lines(pages: list[str]) -> set[str]:
    """Normalised lines found at the top or bottom of at least half the pages (min 2)."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for text in pages:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        edges = lines[:EDGE_LINES] + lines[-EDGE_LINES:]
        counts.update({normalise(ln) for ln in edges})
    needed = max(2, (len(pages) + 1) // 2)
    return {line for line, n in counts.items() if n >= needed and line}


def strip_running_lines(text: str, running: set[str]) -> str:
    """Drop header/footer lines and page numbers at the top or bottom of one page."""
    lines = text.splitlines()
    keep = [True] * len(lines)
    idx = [i for i, ln in enumerate(lines) if ln.strip()]
    for i in idx[:EDGE_LINES] + idx[-EDGE_LINES:]:
        line = lines[i]
        if normalise(line) in running or PAGE_NUMBER.match(line):
            keep[i] = False
    return "\n".join(ln for ln, k in zip(lines, keep, strict=True) if k)


def clean_text(text: str) -> str:
    """Join words hyphenated across lines, collapse runs of spaces, drop soft hyphens."""
    text = text.replace("\u00ad", "").replace("\u00a0", " ").replace("\r", "")
    text = HYPHEN_BREAK.sub(r"\1\3", text)
    text = re.sub(r"[ \t\f\v]+", " ", text)
    return "\n".join(line.strip() for line in text.splitlines())


def clean_pages(pages: list[str]) -> list[str]:
    """Clean every page of one PDF's plain text (OCR'd pages: see ingest.ocr)."""
    running = running_lines(pages)
    return [clean_text(strip_running_lines(p, running)) for p in pages]
