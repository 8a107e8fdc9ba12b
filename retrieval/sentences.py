"""Swedish sentence splitting that knows common abbreviations (t.ex., bl.a., fr.o.m.)."""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    """
    t.ex bl.a s.k m.m dvs d.v.s o.s.v osv fr.o.m t.o.m p.g.a pga enl kap nr ca jfr resp
    st s f.d inkl exkl mom st.f obs prop sfs ang m.fl t.ex.
    """.split()
)
ENUMERATOR = re.compile(r"\(?(?:\d{1,2}(?:\.\d{1,2})*|[a-zA-Z])[.)]")
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[\"'(«»]?[A-ZÅÄÖ0-9§])")


def split_sentences(text: str) -> list[str]:
    """Sentences of the text, in order; lines are never joined across a line break."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        start = 0
        for match in _BOUNDARY.finditer(line):
            candidate = line[start : match.start()]
            last = candidate.rsplit(None, 1)[-1].lower().rstrip(".") if candidate else ""
            if last in ABBREVIATIONS or re.fullmatch(r"[a-zåäö]", last):
                continue
            if ENUMERATOR.fullmatch(candidate.strip()):
                continue  # "1. Avsiktsförklaring ...": the number belongs to its item
            out.append(candidate.strip())
            start = match.end()
        tail = line[start:].strip()
        if tail:
            out.append(tail)
    return out


def earlier_in_paragraph(sentences: list[str], text: str) -> list[tuple[str, ...]]:
    """For each of the text's sentences (in order, some may be left out), the sentences before it
    in its own paragraph (a line of the text): what "Tjänsten omfattar …" or "Kombinationstjänsten
    ska vara tillsatt …" is about is often said there."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    out: list[tuple[str, ...]] = []
    line, so_far = -1, list[str]()
    for sentence in sentences:
        key = " ".join(sentence.split())[:40]
        at = next((i for i in range(max(line, 0), len(lines)) if key in lines[i]), line)
        if at != line:
            line, so_far = at, []
        out.append(tuple(so_far))
        so_far.append(sentence)
    return out
