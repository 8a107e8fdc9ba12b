"""A PDF page's text runs -> its visual lines in reading order, with position, size and weight.

pypdf's `visitor_text` gives every text run with its font size, its font's weight and its place
on the page. Runs on one baseline make a line; a page of two columns of running text whose
lines are printed across the columns (left line 1, right line 1, …), as some producers do, is
split at its gutter and read column by column (`column_gutter`, `in_columns`), each line
marked with its column so that `ingest.pdflayout` measures it against its column's width and
lets a paragraph go on from the foot of the left column to the head of the right one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
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
    return (
        gutter is not None
        and start < gutter - COLUMN_SLACK
        and abs(round(x) - gutter) <= COLUMN_SLACK  # as `Line.runs` round it
    )


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
    heads = [ln.y for ln in lines if ln.column == 2 and abs(round(ln.x) - gutter) <= COLUMN_SLACK]
    if not heads:
        return [replace(line, column=0) for line in lines]
    top = max(heads)
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
