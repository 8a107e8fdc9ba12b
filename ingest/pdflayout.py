"""PDF pages read as a reader sees them: lines with their position, size and weight -> blocks.

pypdf's plain text extraction gives one line per visual line and nothing else, so a letterhead
("Handläggare …", "Socialnämnden 2016-12-14"), a title and the first heading ran into the first
sentence of the body. Here every text run comes with its font size, its font's weight and its
place on the page (pypdf's `visitor_text`, read into lines by `ingest.pdflines`), and what the
document itself does decides:

* the body size is the size most of the document's characters are set in;
* a line set larger than the body, or bold in a document whose body is not, and not ending like
  a sentence is a heading (its level by size: the largest is 1); consecutive heading lines of one
  style join when the heading wraps (a title over two lines): the lower line goes on in lower
  case, or the upper one ends with a comma, a hyphen or a short word in lower case ("och"); a
  line that starts with a capital under a heading in sentence case is a heading of its own (a
  heading that wraps after a full phrase before a proper noun is read as two: the cost of
  telling apart stacked one-line headings);
* a line goes on in the next one only when it runs (nearly) the full text width, as a line that
  wraps does, or breaks off mid-sentence where the next goes on in lower case (a column
  narrower than the page's text), the style stays the same and the gap stays a line gap (the
  document's usual distance between the lines of one paragraph of that style); so a short line
  without closing punctuation (a letterhead or meta line: "Handläggare …", "Socialnämnden
  2016-12-14", the last item of a list) never runs into a line that starts with a capital, and
  a list item ("1.", "-", "•") always starts a block;
* running headers, footers and page numbers are dropped as in `ingest.pdfclean`, and so is a
  line at a page's edge set smaller than the body that repeats the title or a heading printed
  larger elsewhere (a running head, even in a document too short for it to repeat);
* a page of two columns of running text is read column by column, also when its lines are
  printed across the columns (`ingest.pdflines`), a paragraph going on from the foot of the
  left column to the head of the right one, each column's lines measured against its own width;
* a table is two or more consecutive lines each printed as several runs that start at the same
  places across the lines (its columns); its rows become lines that read on their own with the
  first row's column names (`ingest.structure.table_lines`), as a Word table's do.

Nothing here is tuned on a document: sizes, gaps and widths are each document's own.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from ingest.pdfclean import PAGE_NUMBER, clean_text, normalise, running_lines
from ingest.pdflines import COLUMN_SLACK, Line
from ingest.structure import (
    LIST_ITEM,
    NUMBERED_HEADING,
    SENTENCE_END,
    Block,
    heading_level,
    looks_like_heading,
    table_lines,
)

# a heading says what follows; it does not end like a sentence, a clause or a list intro. Not
# structure.SENTENCE_END (a line that closes its paragraph: a comma does not) nor
# metadata.SENTENCE_END (a meta line may end with a label's colon): three questions, three sets
CLAUSE_END = re.compile(r"[.,;:!?]\s*$")
EDGE_LINES = 3  # lines at the top and bottom of a page that may be a running header or footer
# a line this long (share of the longest body line, in characters) is one that wraps
FULL_LINE = 0.6


def body_size(lines: list[Line]) -> tuple[float, bool]:
    """The style most of the document's characters are set in."""
    counts: Counter[tuple[float, bool]] = Counter()
    for line in lines:
        counts[line.style] += len(line.text)
    return counts.most_common(1)[0][0] if counts else (0.0, False)


def line_gaps(lines: list[Line]) -> dict[tuple[float, bool], float]:
    """The usual distance between two lines of one paragraph, in points, for each style (this
    document's): measured where a line breaks off mid-sentence and the next line of its style
    goes on in lower case (`_mid_sentence`), so that text set in two sizes with two leadings
    gets each its own; a style without such a pair gets the usual distance between any two
    consecutive lines of one style."""
    gaps: Counter[float] = Counter()
    wrapped: dict[tuple[float, bool], Counter[float]] = {}
    for prev, line in pairwise(lines):
        if prev.page == line.page and prev.style == line.style and prev.y > line.y:
            distance = round(prev.y - line.y, 1)
            gaps[distance] += 1
            if _mid_sentence(prev, line):
                wrapped.setdefault(line.style, Counter())[distance] += 1
    usual = gaps.most_common(1)[0][0] if gaps else 0.0
    return {
        line.style: wrapped[line.style].most_common(1)[0][0] if line.style in wrapped else usual
        for line in lines
    }


def drop_running(lines: list[Line]) -> list[Line]:
    """Without running headers, footers and page numbers (see `_running_head`)."""
    pages: dict[int, list[Line]] = {}
    for line in lines:
        pages.setdefault(line.page, []).append(line)
    running = running_lines(["\n".join(ln.text for ln in page) for page in pages.values()])
    body = body_size(lines)[0]
    printed = _printed_texts(lines)
    out: list[Line] = []
    for page in pages.values():
        edges = {id(ln) for ln in page[:EDGE_LINES] + page[-EDGE_LINES:]}
        out += [
            ln
            for ln in page
            if id(ln) not in edges
            or not (
                normalise(ln.text) in running
                or PAGE_NUMBER.match(ln.text)
                or _running_head(ln, body, printed)
            )
        ]
    return out


def _printed_texts(lines: list[Line]) -> dict[str, float]:
    """Each run of consecutive lines of one style on a page (a title over two lines, a
    heading), normalised, with the size it is printed in (the largest if printed twice)."""
    printed: dict[str, float] = {}
    group: list[Line] = []
    for line in [*lines, None]:
        if group and (line is None or line.page != group[-1].page or line.style != group[-1].style):
            text = normalise(" ".join(ln.text for ln in group))
            printed[text] = max(printed.get(text, 0.0), group[0].size)
            group = []
        if line is not None:
            group.append(line)
    return printed


def _running_head(line: Line, body: float, printed: dict[str, float]) -> bool:
    """An edge line set smaller than the body that repeats text printed larger elsewhere in the
    document: the title or a heading as a running head, maybe cut short to fit (at least half
    of it). Found by its look, so also in a document whose running head is printed on one page
    only (too few to repeat)."""
    if line.size >= body:
        return False
    head = normalise(line.text).rstrip(".… ")
    return any(
        size > line.size and text.startswith(head) and 2 * len(head) >= len(text)
        for text, size in printed.items()
    )


def _joined(texts: list[str]) -> str:
    """Lines of one block as one text: hyphenation across lines undone, spaces folded."""
    return " ".join(clean_text("\n".join(texts)).split())


def lines_to_blocks(lines: list[Line]) -> list[Block]:
    """Headings, paragraphs, list items and lines of their own, from a document's lines."""
    lines = drop_running(lines)
    if not lines:
        return []
    body, body_bold = body_size(lines)
    gaps = line_gaps(lines)
    body_lines = [len(ln.text) for ln in lines if ln.style == (body, body_bold)]
    width = max(body_lines or [len(ln.text) for ln in lines])  # characters of a full line
    measures: Counter[tuple[int, int, tuple[float, bool]]] = Counter()  # a page's columns' own
    for ln in lines:
        if ln.column:
            key = (ln.page, ln.column, ln.style)
            measures[key] = max(measures[key], len(ln.text))
    headings = _heading_lines(lines, body, body_bold, gaps)
    heading_sizes = sorted({ln.style[0] for ln, h in zip(lines, headings, strict=True) if h})[::-1]
    blocks: list[Block] = []
    texts: list[str] = []
    current: Line | None = None  # the last line of the open block
    heading = False

    def flush() -> None:
        nonlocal current, heading
        if texts and current is not None:
            text = _joined(texts)
            if heading:
                level = heading_level(text) or heading_sizes.index(current.style[0]) + 1
                blocks.append(Block(current.page, text, heading=True, level=level))
            else:
                blocks.append(Block(current.page, text))
        texts.clear()
        current, heading = None, False

    tables = table_spans(lines)
    i = 0
    while i < len(lines):
        table = tables.get(i)
        if table is not None:  # each row a block of its own, read with the column names
            flush()
            blocks += [Block(lines[i].page, row) for row in table.texts()]
            i = table.end
            continue
        line, is_heading = lines[i], headings[i]
        i += 1
        full = current is not None and len(current.text) >= FULL_LINE * (
            measures[(current.page, current.column, current.style)] or width
        )
        if current is not None and not (
            (heading or full or _mid_sentence(current, line))
            and _continues(current, line, heading, is_heading, gaps[line.style])
        ):
            flush()
        if current is None:
            heading = is_heading
        texts.append(line.text)
        current = line
    flush()
    return blocks


def _marker(cell: str) -> bool:
    """A list marker alone ("•", "-", "1.", "a)")."""
    return bool(LIST_ITEM.fullmatch(cell + " "))


@dataclass(frozen=True)
class Table:
    """A table found among a page's lines: the line after it, its rows' cell texts and whether
    the first row names the columns."""

    end: int
    rows: list[list[str]]
    header: bool

    def texts(self) -> list[str]:
        """Each data row as a line that reads on its own: with the column names of a header
        ("Moment: …; Ansvarig part: …"), else a label and its value ("Handläggare: Eva Strand")."""
        if self.header:
            return table_lines(self.rows)
        return [": ".join(c for c in row if c) for row in self.rows if any(row)]


def table_spans(lines: list[Line]) -> dict[int, Table]:
    """The tables among the lines, by their first line (see `table_at`)."""
    spans: dict[int, Table] = {}
    i = 0
    while i < len(lines):
        table = table_at(lines, i)
        if table is None:
            i += 1
        else:
            spans[i] = table
            i = table.end
    return spans


def table_at(lines: list[Line], start: int) -> Table | None:
    """The table whose first row is `lines[start]`, or None.

    A line printed as two or more runs (not a list marker and its text) gives the columns: the
    runs' left edges. The lines after it belong to the table while every run of theirs starts
    at a column (to COLUMN_SLACK points). Tables are printed row by row, each row's cells left
    to right, so a run in a column left of the last one starts a new row, and a run in the same
    column continues its cell (a cell that wraps). Rows at the end with only a first cell are
    the text after the table. A table has a data row with two or more cells besides its first.
    Its first row names the columns when there are more than two, or when it is set apart from
    the others (bold where they are not); two columns without that are labels and values.
    """
    head = lines[start]
    if len(head.runs) < 2 or _marker(head.runs[0][1]):
        return None
    columns = [x for x, _ in head.runs]

    def column(x: float) -> int | None:
        near = [c for c, cx in enumerate(columns) if abs(cx - x) <= COLUMN_SLACK]
        return near[0] if near else None

    rows: list[tuple[int, dict[int, list[str]]]] = [
        (start, {c: [text] for c, (_, text) in enumerate(head.runs)})
    ]
    last = len(columns) - 1
    end = start + 1
    while end < len(lines) and lines[end].page == head.page:
        placed = [column(x) for x, _ in lines[end].runs]
        if not placed or None in placed or _marker(lines[end].runs[0][1]):
            break
        for c, (_, text) in zip(placed, lines[end].runs, strict=True):
            assert c is not None
            if c < last:
                rows.append((end, {}))
            rows[-1][1].setdefault(c, []).append(text)
            last = c
        end += 1
    while len(rows) > 1 and set(rows[-1][1]) == {0}:
        end = rows.pop()[0]
    if sum(len(cells) >= 2 for _, cells in rows[1:]) == 0:
        return None
    texts = [[" ".join(cells.get(c, [])) for c in range(len(columns))] for _, cells in rows]
    apart = head.bold and not any(lines[first].bold for first, _ in rows[1:])
    return Table(end, texts, header=len(columns) > 2 or apart)


def _heading_lines(
    lines: list[Line], body: float, body_bold: bool, gaps: dict[tuple[float, bool], float]
) -> list[bool]:
    """Whether each line is a heading's: `_is_heading`, or a heading's line that ends with a
    comma where the heading wraps into the next line ("Kartläggning av hemlösheten i Lund," over
    "oktober 2019"): a comma there ends no clause. A line that breaks off mid-sentence into a
    line of its style that is no heading (it ends like a sentence) is the first line of a
    paragraph set larger than the body, not a heading."""
    flags = [_is_heading(line, body, body_bold) for line in lines]
    for k in range(len(lines) - 2, -1, -1):  # bottom up: a heading may wrap at two commas
        line, below = lines[k], lines[k + 1]
        goes_on = _continues(line, below, False, False, gaps[line.style])
        if flags[k] and not flags[k + 1] and goes_on and _mid_sentence(line, below):
            flags[k] = False
        elif (
            not flags[k]
            and flags[k + 1]
            and line.text.rstrip().endswith(",")
            and _is_heading(line, body, body_bold, wraps=True)
            and _continues(line, below, True, True, 0.0)
        ):
            flags[k] = True
    return flags


def _is_heading(line: Line, body: float, body_bold: bool, wraps: bool = False) -> bool:
    """Set larger than the body, or bold where the body is not; short; not a sentence. With
    `wraps` (the heading goes on in the next line) a comma at the end is allowed."""
    text = line.text.rstrip()
    text = text.removesuffix(",") if wraps else text
    if CLAUSE_END.search(text):
        return False
    if line.style[0] < body:
        return False  # letterhead, captions, footnotes
    larger = line.style[0] >= body + 1.0
    bolder = line.bold and not body_bold
    # numbered ("4.2 Kommunens åtaganden", "§ 5 …") and capitals headings in the body's style
    return ((larger or bolder) and len(line.text.split()) <= 15) or looks_like_heading(line.text)


def _mid_sentence(prev: Line, line: Line) -> bool:
    """`line` goes on with the sentence `prev` breaks off: `prev` ends with no sentence's or
    list intro's punctuation and `line` starts with a word in lower case (a sentence does not),
    as a line that wraps in a column narrower than the document's text width does."""
    first = line.text.split(maxsplit=1)[0].rstrip(".,;:!?)")
    return not SENTENCE_END.search(prev.text) and first.isalpha() and first.islower()


def _continues(prev: Line, line: Line, heading: bool, is_heading: bool, gap: float) -> bool:
    """Whether `line` goes on in the block that `prev` ends: same page and style, and no more
    than a line's distance below it (the body's measured line gap; a heading's own leading), or
    at the head of the right column after the foot of the left one."""
    if line.page != prev.page or line.style != prev.style or heading != is_heading:
        return False
    if heading and not _wraps(prev, line):
        return False
    distance = prev.y - line.y
    limit = 1.5 * line.size if heading or not gap else 1.3 * gap
    across = prev.column == 1 and line.column == 2  # the left column's foot to the right's head
    if not across and (distance <= 0 or distance > limit):
        return False
    return heading or not LIST_ITEM.match(line.text)


def _wraps(upper: Line, lower: Line) -> bool:
    """Whether heading line `lower` goes on with the heading that `upper` ends, rather than
    starting a heading of its own: it goes on in lower case or with a number ("oktober 2019"),
    or `upper` leaves its phrase open, breaking off at a comma or hyphen or after a short word in
    lower case (a conjunction, preposition or article: "… mellan kommunen och" over "Sjöstads
    högskola …"). Otherwise a line that starts with a capital (or a section
    number) under a heading in sentence case starts a new one; when both are in capitals, case
    tells nothing."""
    if NUMBERED_HEADING.match(lower.text):
        return False
    first = next((c for c in lower.text if c.isalpha()), "")
    last = upper.text.split()[-1]
    # a guard, not a fit: Swedish conjunctions, prepositions and articles ("och", "av", "för",
    # "ett") are at most three letters, and a heading's last content word seldom is
    open_end = last.isalpha() and last.islower() and len(last) <= 3
    if not first.isupper() or open_end or upper.text.rstrip().endswith((",", "-", "–", "&")):
        return True
    return not any(c.islower() for c in upper.text + lower.text)
