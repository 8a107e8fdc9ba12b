"""Plain text -> blocks (headings and paragraphs) with the page they are on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph of a document."""

    page: int
    text: str
    heading: bool = False
    level: int = 0  # 1 = top level; 0 for paragraphs
    ocr: bool = False  # read from the page's image by OCR (ingest.ocr), not from a text layer
    # a line of the page header a Word document prints its letterhead in: read for the
    # document's metadata (ingest.metadata), not part of its text
    letterhead: bool = False


# "4.2 Kommunens åtaganden", "3. Avtalstid", "§ 5 Samverkansavtal", "Bilaga 1 ..."
NUMBERED_HEADING = re.compile(r"^(?:§\s*\d+[a-z]?|\d{1,2}(?:\.\d{1,2}){0,3}\.?)\s+[A-ZÅÄÖ§(\"]")
SECTION_MARK = re.compile(r"^(§\s*\d+[a-z]?|\d{1,2}(?:\.\d{1,2}){0,3})\.?(?=\s)")
LIST_ITEM = re.compile(r"^(?:[-•–*]\s+|\(?[a-z0-9]{1,2}[.)]\s+)")
# a line that closes its paragraph: a sentence, a list intro (":") or a list item (";"); a line
# ending with a comma goes on (compare pdflayout.CLAUSE_END and metadata.SENTENCE_END)
SENTENCE_END = re.compile(r"[.!?:;]\s*$")
# "Ordförande: Anders Lind (M)", "För Täby kommun: Karin Holmqvist, socialchef", "Dnr SN 2016/1"
LABEL_LINE = re.compile(r"^(?:[A-ZÅÄÖ][\wåäöÅÄÖ]*(?:\s+[\wåäöÅÄÖ-]+){0,5}:\s+\S|Dnr\b)")


# an entry of a table of contents: a title, a leader of dots (or "…", spaced dots, underscores)
# and the page number it points at: "Syfte....... 3", "Avtalstid . . . . 12"
CONTENTS_ENTRY = re.compile(r"\S[^\n]{0,150}?\s*(?:\.{3,}|…+|(?:\s?\.){4,}|_{3,})\s*\d{1,4}(?!\S)")
CONTENTS_SHARE = 0.8  # of a block's characters in entries for it to be part of a contents list
CONTENTS_MIN_ENTRIES = 3  # entries that make a list of contents rather than one odd line


def contents_entries(text: str) -> int:
    """How many table-of-contents entries the text is made of; 0 when it says anything else
    (entries cover less than CONTENTS_SHARE of its characters)."""
    found = CONTENTS_ENTRY.findall(text)
    covered = sum(len(f) for f in found)
    return len(found) if found and covered >= CONTENTS_SHARE * len(text.strip()) else 0


def drop_contents(blocks: list[Block]) -> list[Block]:
    """The blocks without the document's table of contents: a run of consecutive paragraphs
    made of CONTENTS_MIN_ENTRIES entries or more ("Syfte... 3 Lärandemål... 3 ..."). A list of
    titles and page numbers says nothing; searched, it matches every topic of the document and
    is given as the answer instead of the section it points at."""
    counted = [(b, 0 if b.heading or b.letterhead else contents_entries(b.text)) for b in blocks]
    out: list[Block] = []
    for is_entry, group in groupby(counted, key=lambda bc: bc[1] > 0):
        run = list(group)
        if not is_entry or sum(n for _, n in run) < CONTENTS_MIN_ENTRIES:
            out.extend(b for b, _ in run)
    return out


def heading_level(line: str) -> int:
    """Level of a numbered heading ("4.2 ..." -> 2, "§ 5 ..." -> 1), else 0."""
    mark = SECTION_MARK.match(line)
    if not mark:
        return 0
    token = mark.group(1)
    return 1 if token.startswith("§") else token.count(".") + 1


def looks_like_heading(line: str) -> bool:
    """A short line that names a part of the document rather than saying something."""
    text = line.strip()
    if not text or len(text) > 90 or text.endswith((".", ",", ";", "?", "!")):
        return False
    if NUMBERED_HEADING.match(text):
        words = text.split()
        # "3. Kommunen ska ..." is a list item, not a heading: headings are short noun phrases
        return len(words) <= 12 and not re.search(r"\b(ska|skall|har|är)\b", text)
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters) and len(text.split()) <= 8


def text_to_blocks(text: str, page: int = 1, split_lines: bool = False) -> list[Block]:
    """Split text into blocks: blank lines end paragraphs; heading lines stand alone.

    With split_lines (PDF text, one visual line per line) a line that ends a sentence and is
    clearly shorter than the page's long lines also ends its paragraph.
    """
    lines = [ln.rstrip() for ln in text.splitlines()]
    width = max((len(ln) for ln in lines), default=0)
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block(page, " ".join(s.strip() for s in para).strip()))
            para.clear()

    for line in lines:
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if looks_like_heading(stripped):
            flush()
            # an unnumbered heading ("ÄRENDET") nests under the numbered one before it ("§ 5 …")
            blocks.append(Block(page, stripped, heading=True, level=heading_level(stripped) or 2))
            continue
        label = bool(LABEL_LINE.match(stripped)) and len(stripped) < 100
        if (LIST_ITEM.match(stripped) or label) and para:
            flush()
        para.append(stripped)
        short = len(stripped) < 0.75 * width
        if label or (split_lines and SENTENCE_END.search(stripped) and short):
            flush()
    flush()
    return [b for b in blocks if b.text]


def table_lines(rows: list[list[str]]) -> list[str]:
    """Table rows as lines that read on their own: with a header row, each row becomes
    "Moment: Besked om VFU-platser; Ansvarig part: Kommunen; Senaste tidpunkt: 15 mars";
    otherwise its cells are joined with " | "."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    header = [c.strip() for c in rows[0]] if len(rows) >= 2 else []
    usable = bool(header) and all(0 < len(h) <= 40 and not h.isdigit() for h in header)
    lines = []
    for row in rows[1:] if usable else rows:
        cells = [c.strip() for c in row]
        if usable and len(cells) == len(header):
            pairs = [f"{h}: {c}" for h, c in zip(header, cells, strict=True) if c]
            lines.append("; ".join(pairs))
        else:
            lines.append(" | ".join(c for c in cells if c))
    return [line for line in lines if line]


TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")


def _pipe_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


# a line that is only bold text, short and without a full stop: "**Bilagor**"
BOLD_LINE = re.compile(r"^(?:\*\*|__)[^*_]{2,80}?[^.*_](?:\*\*|__)$")


def markdown_to_blocks(text: str) -> list[Block]:
    """Markdown: '#' headings by level, other lines through `text_to_blocks`."""
    blocks: list[Block] = []
    buffer: list[str] = []
    table: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.strip().startswith("|"):
            if not TABLE_SEPARATOR.match(line.strip()):
                table.append(_pipe_cells(line))
            continue
        if table:
            blocks.extend(text_to_blocks("\n".join(buffer)))
            buffer = []
            blocks.extend(Block(1, row) for row in table_lines(table))
            table = []
        match = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        bold = BOLD_LINE.match(line.strip())
        if match or bold:
            blocks.extend(text_to_blocks("\n".join(buffer)))
            buffer = []
            title = re.sub(r"[*_`]", "", match.group(2) if match else line).strip()
            level = len(match.group(1)) if match else 6  # a bold line: below every '#' level
            if title:
                blocks.append(Block(1, title, heading=True, level=level))
        else:
            buffer.append(re.sub(r"\*\*|__|`", "", line))
    blocks.extend(text_to_blocks("\n".join(buffer)))
    return blocks
