"""PDF pages read as a reader sees them: lines with their position, size and weight -> blocks.

pypdf's plain text extraction gives one line per visual line and nothing else, so a letterhead
("Handläggare …", "Socialnämnden 2016-12-14"), a title and the first heading ran into the first
sentence of the body. Here every text run comes with its font size, its font's weight and its
place on the page (pypdf's `visitor_text`), and what the document itself does decides:

* the body size is the size most of the document's characters are set in;
* a line set larger than the body, or bold in a document whose body is not, and not ending like
  a sentence is a heading (its level by size: the largest is 1); consecutive heading lines of one
  style join when the heading wraps (a title over two lines): the lower line goes on in lower
  case or the upper one ends with a comma or hyphen; a line that starts with a capital under a
  heading in sentence case is a heading of its own (a heading that wraps before a proper noun is
  read as two: the cost of telling apart stacked one-line headings);
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
  printed across the columns (`column_gutter`), a paragraph going on from the foot of the left
  column to the head of the right one, each column's lines measured against its own width;
* a table is two or more consecutive lines each printed as several runs that start at the same
  places across the lines (its columns); its rows become lines that read on their own with the
  first row's column names (`ingest.structure.table_lines`), as a Word table's do.

Nothing here is tuned on a document: sizes, gaps and widths are each document's own.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from ingest.pdfclean import PAGE_NUMBER, clean_text, normalise, running_lines
from ingest.structure import (
    LIST_ITEM,
    NUMBERED_HEADING,
    SENTENCE_END,
    Block,
    heading_level,
    looks_like_heading,
    table_lines,
)

BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
# a heading says what follows; it does not end like a sentence, a clause or a list intro. Not
# structure.SENTENCE_END (a line that closes its paragraph: a comma does not) nor
# metadata.SENTENCE_END (a meta line may end with a label's colon): three questions, three sets
CLAUSE_END = re.compile(r"[.,;:!?]\s*$")
EDGE_LINES = 3  # lines at the top and bottom of a page that may be a running header or footer
# a line this long (share of the longest body line, in characters) is one that wraps
FULL_LINE = 0.6
COLUMN_SLACK = 2.0  # points by which the runs of one table column may start apart
# a page in two columns: lines whose runs start at the gutter, and the words of a median line
# on either side of it. A guard, not a fit: label and value cells have one to three words, a
# column of running text five or more even at 40 characters; three rows is the least that says
# a column rather than a line that happens to have a second run
MIN_COLUMN_ROWS = 3
PROSE_WORDS = 4
COLUMN_SHARE = 0.6  # of the lines beside each other: a paragraph's gap in one column is no row
SENTENCE_STOP = re.compile(r"[.!?](?:\s|$)")


@dataclass(frozen=True)
class Line:
    """One visual line of a page."""

    page: int
    text: str
    x: float  # left edge, in points from the page's left
    y: float  # baseline, in points from the page's bottom (larger = higher on the page)
    size: float  # font size in points, as rendered
    bold: bool
    # the line's runs as (left edge rounded to a point, text): table cells when runs of several
    # consecutive lines start at the same places
    runs: tuple[tuple[float, str], ...] = ()
    column: int = 0  # 1 or 2 on a page read in two columns (see `column_gutter`), else 0

    @property
    def style(self) -> tuple[float, bool]:
        """Size (to half a point) and weight: lines of one paragraph share it."""
        return (round(self.size * 2) / 2, self.bold)


def _multiply(tm: list[float], cm: list[float]) -> list[float]:
    """The 2x3 affine matrix product tm x cm (PDF row-vector convention)."""
    a, b, c, d, e, f = tm
    a2, b2, c2, d2, e2, f2 = cm
    return [
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    ]


Run = tuple[str, float, float, float, bool]  # text, x, y, size, bold as pypdf's visitor gives


def page_lines(page: Any, number: int) -> list[Line]:
    """The visual lines of one pypdf page in reading order, with position, size and weight: top
    to bottom, and on a page of two columns of running text the left column before the right
    one, whatever order they are printed in (see `column_gutter`)."""
    runs: list[Run] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text or not text.strip(" \n"):
            if "\n" in text:
                runs.append(("\n", 0.0, 0.0, 0.0, False))
            return
        m = _multiply(list(tm), list(cm))
        scale = math.sqrt(abs(m[0] * m[3] - m[1] * m[2])) or 1.0
        name = str(font.get("/BaseFont", "")) if font else ""
        runs.append((text, m[4], m[5], float(size) * scale, bool(BOLD_FONT.search(name))))

    page.extract_text(visitor_text=visit)
    lines = _assemble(runs, number)
    gutter = column_gutter(lines)
    return lines if gutter is None else in_columns(_assemble(runs, number, gutter), gutter)


def _assemble(runs: list[Run], number: int, gutter: float | None = None) -> list[Line]:
    """The runs of page `number` as lines, in the order printed: a run on another baseline
    starts a new line, and so does one that starts at the `gutter` (a second column)."""
    lines: list[Line] = []
    parts: list[str] = []
    starts: list[tuple[float, str]] = []  # each run's left edge and text
    first: tuple[float, float, float, bool] | None = None
    sizes: list[float] = []

    def close() -> None:
        nonlocal first
        text = " ".join("".join(parts).split())
        if text and first is not None:
            x, y, _, bold = first
            runs = tuple((round(rx), " ".join(t.split())) for rx, t in starts if t.strip())
            column = 0 if gutter is None else 1 + (x >= gutter - COLUMN_SLACK)
            lines.append(Line(number, text, x, y, max(sizes), bold, runs, column))
        parts.clear()
        starts.clear()
        sizes.clear()
        first = None

    for text, x, y, size, bold in runs:
        if text == "\n":
            close()
            continue
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                close()
            if not piece.strip():
                continue
            if (
                first is not None
                and i == 0
                and (
                    (size and abs(y - first[1]) > 0.5 * size)  # a run on another baseline
                    or _at_gutter(first[0], x, gutter)  # the right column's, after the left one's
                )
            ):
                close()
            if first is None:
                first = (x, y if i == 0 else y - 1.2 * size * i, size, bold)
            starts.append((x, piece))
            parts.append(piece)
            sizes.append(size)
    close()
    return lines


def _at_gutter(start: float, x: float, gutter: float | None) -> bool:
    """A run at the gutter, in a line that started left of it."""
    return gutter is not None and start < gutter - COLUMN_SLACK and abs(x - gutter) <= COLUMN_SLACK


def column_gutter(lines: list[Line]) -> float | None:
    """Where the second column of a two-column page of running text starts, when its lines are
    printed across the columns (left line 1, right line 1, left line 2, …) so that the two
    columns' lines share baselines; None otherwise (a page whose columns are printed one after
    the other needs nothing).

    The gutter is a place where a later run of MIN_COLUMN_ROWS or more lines starts; most lines
    between the first and the last of them have a run there (COLUMN_SHARE); the text on either
    side is running prose (`_prose`: label and value cells, "Handläggare" | "Eva Strand", are
    too short and stay a table, `table_at`); and each column's line is printed as one run (the
    median row), as a producer that prints line by line does. A page printed word by word has
    words that start at one place in a few lines by chance: without the words' widths its
    columns cannot be told from that, and it is left as printed."""
    starts = Counter(x for line in lines for x, _ in line.runs[1:])
    for gutter, count in starts.most_common():
        if count < MIN_COLUMN_ROWS:
            break
        rows = [ln for ln in lines if _split_at(ln, gutter)]
        region = [ln for ln in lines if min(r.y for r in rows) <= ln.y <= max(r.y for r in rows)]
        if len(rows) < MIN_COLUMN_ROWS or len(rows) < COLUMN_SHARE * len(region):
            continue
        left = [[t for x, t in ln.runs if x < gutter - COLUMN_SLACK] for ln in rows]
        right = [[t for x, t in ln.runs if x >= gutter - COLUMN_SLACK] for ln in rows]
        if _prose(left) and _prose(right):
            return float(gutter)
    return None


def _split_at(line: Line, gutter: float) -> bool:
    """A line with text left of the gutter and a run starting at it."""
    return any(abs(x - gutter) <= COLUMN_SLACK for x, _ in line.runs[1:])


def _prose(cells: list[list[str]]) -> bool:
    """One column's parts of the rows (each a list of runs) are lines of running text printed
    line by line: the median row is one run of several words, and a sentence ends in one."""
    middle = len(cells) // 2
    runs = sorted(len(cell) for cell in cells)[middle]
    words = sorted(len(" ".join(cell).split()) for cell in cells)[middle]
    return (
        runs == 1
        and words >= PROSE_WORDS
        and any(SENTENCE_STOP.search(" ".join(cell)) for cell in cells)
    )


def in_columns(lines: list[Line], gutter: float) -> list[Line]:
    """The lines of a two-column page in reading order: the lines above the columns, the left
    column top to bottom, the right column, then the lines below (a footer, a paragraph set
    across the page). A line below the right column's last one still belongs to the left column
    while it starts where that column does, is no longer than its lines and follows at no more
    than two lines' distance (the left column is often the longer)."""
    top = max(ln.y for ln in lines if ln.column == 2 and abs(ln.x - gutter) <= COLUMN_SLACK)
    bottom = min(ln.y for ln in lines if ln.column == 2 and ln.y <= top)
    above: list[Line] = []
    left: list[Line] = []
    right: list[Line] = []
    below: list[Line] = []
    for line in lines:
        if line.y > top + 0.5 * line.size:
            above.append(replace(line, column=0))
        elif line.column == 2:
            right.append(line)
        elif line.y >= bottom - 0.5 * line.size:
            left.append(line)
        else:
            below.append(replace(line, column=0))
    if left:
        longest = max(len(ln.text) for ln in left)
        while below and _continues_column(left[-1], below[0], longest):
            left.append(replace(below.pop(0), column=1))
    return above + left + right + below


def _continues_column(prev: Line, line: Line, longest: int) -> bool:
    """Whether `line`, below the right column, still goes on in the left one."""
    return (
        abs(line.x - prev.x) <= COLUMN_SLACK
        and len(line.text) <= longest
        and 0 < prev.y - line.y <= 2 * line.size
    )


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
    or `upper` breaks off at a comma or hyphen. A line that starts with a capital (or a section
    number) under a heading in sentence case starts a new one; when both are in capitals, case
    tells nothing."""
    if NUMBERED_HEADING.match(lower.text):
        return False
    first = next((c for c in lower.text if c.isalpha()), "")
    if not first.isupper() or upper.text.rstrip().endswith((",", "-", "–", "&")):
        return True
    return not any(c.islower() for c in upper.text + lower.text)
