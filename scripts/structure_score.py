"""How well ingestion reads the structure of realistic PDFs: a printed structure score.

    python scripts/structure_score.py [--docs FILE ...] [--keep DIR]

Each source text (default: the committee document in ../shared/domain and two real decisions
from ../shared/real-corpus) is cut into blocks (letterhead lines, title, headings, paragraphs,
list intros and items) and printed to a PDF the way case-management systems print papers: the
letterhead in small type, a bold title, bold headings, wrapped paragraphs, numbered items, a
running header and a "Sida N av M" footer from page 2, the last part of the body set in two
columns on its own page, and a final page that is only a scanned image (rasterised, no text
layer) of the paragraphs that end the document. The PDFs are ingested by the production
pipeline (`ingest.pipeline.ingest`, the test embedder: meaning does not matter here) and the
stored chunks and sentences are compared with the blocks that were printed:

- headings recovered: printed headings that are the section of some stored chunk;
- headings as sentences: stored sentences that are only a heading (target 0);
- lists kept: list intros whose items all stay within an answer's reach of the intro (its
  chunk and the next one, as `bot.evidence.next_chunk_sentences` attaches them);
- mixed sentences: stored sentences with text from two printed blocks (target 0), counted
  separately on the two-column page;
- OCR character accuracy on the scanned page: characters of the printed text matched in order
  (difflib's longest matching blocks) over its length (target >= 0.95; needs Tesseract).

Skips with the reason when ../shared is absent. Fonts are fpdf2's core Helvetica, so text is
written in Latin-1 (dashes and quotes outside it are replaced). Not covered: tables,
hyphenation at line ends.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest.pipeline import IngestOptions, ingest  # noqa: E402
from retrieval.embedder import HashEmbedder  # noqa: E402
from retrieval.index import open_current  # noqa: E402
from tests.pdfs import join_pdfs, make_scanned_pdf  # noqa: E402

SHARED = REPO.parent / "shared"
DEFAULT_DOCS = (
    SHARED / "domain" / "003_3c2aa2b72a8a41a7.txt",
    SHARED
    / "real-corpus"
    / "docs"
    / "11_falkenbergs-kommun_protokollsutdrag-halso-och-sjukvardsavtal.txt",
    SHARED / "real-corpus" / "docs" / "12_lunds-kommun_socialnamnden-beslut-januari-2020.txt",
)
LATIN1 = str.maketrans({"–": "-", "—": "-", "“": '"', "”": '"', "„": '"', "’": "'", "•": "-",
                        "…": "...", "\u00ad": "", "\u00a0": " "})  # fmt: skip
LIST_ITEM = re.compile(r"^(?:\d{1,2}[.)]?|[-*])\s+\S")
HEADING_MAX = 70  # a line this short without closing punctuation is printed as a heading
LETTERHEAD_MAX = 3  # short lines before the title are the letterhead
SHINGLE = 3  # words in a run that ties a sentence to a block


@dataclass
class Block:
    kind: str  # letterhead, title, heading, paragraph, intro, item
    text: str
    place: str = "body"  # body, columns, scanned
    items: list[str] = field(default_factory=list)  # an intro's items


@dataclass
class Score:
    headings: int = 0
    recovered: int = 0
    heading_sentences: int = 0
    lists: int = 0
    lists_kept: int = 0
    sentences: int = 0
    mixed: int = 0
    mixed_columns: int = 0
    ocr_chars: int = 0
    ocr_matched: int = 0
    examples: list[str] = field(default_factory=list)


def blocks_of(text: str) -> list[Block]:
    """The source text as printed blocks: Markdown marks where present, else short lines
    without closing punctuation are headings; "1." and "-" lines are items of the paragraph
    before them when it ends with a colon."""
    # Markdown emphasis is printed as what it marks (a paper shows no "**")
    lines = [
        " ".join(line.replace("**", "").split()).translate(LATIN1) for line in text.splitlines()
    ]
    lines = [line for line in lines if line]
    out: list[Block] = []
    titled = False
    for line in lines:
        plain = line.lstrip("#").strip()
        if line.startswith("##") or (not titled and line.startswith("#")):
            kind = "title" if not titled else "heading"
            titled = True
            out.append(Block(kind, plain))
        elif not titled and len(out) < LETTERHEAD_MAX and len(line) <= HEADING_MAX:
            out.append(Block("letterhead", line))
        elif LIST_ITEM.match(line):
            intro = out[-1] if out and out[-1].kind == "intro" else None
            if intro is None and out and out[-1].kind == "item":
                intro = next((b for b in reversed(out) if b.kind == "intro"), None)
            out.append(Block("item", line))
            if intro is not None:
                intro.items.append(line)
        elif len(line) <= HEADING_MAX and not line.endswith((".", ":", ";", ",", "?", "!")):
            if not titled:
                titled = True
                out.append(Block("title", line))
            else:
                out.append(Block("heading", line))
        else:
            out.append(Block("intro" if line.endswith(":") else "paragraph", line))
    body = [b for b in out if b.kind not in ("letterhead", "title")]
    # the last third of the body on a two-column page; the paragraphs that end it (up to two)
    # scanned, so that the pages print the text in its order, as a real paper's last page does
    for block in body[::-1][:2]:
        if block.kind != "paragraph":
            break
        block.place = "scanned"
    rest = [b for b in body if b.place == "body"]
    for block in rest[len(rest) * 2 // 3 :]:
        block.place = "columns"
    return out


def print_pdf(path: Path, blocks: list[Block], running: str) -> None:
    """The blocks as a paper with letterhead, headings, footer "Sida N av M" and running header,
    the "columns" blocks on a two-column page, the "scanned" ones on an image-only page."""
    from fpdf import FPDF

    class Paper(FPDF):
        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font("Helvetica", size=8)
                self.cell(0, 5, running, new_x="LMARGIN", new_y="NEXT")
                self.ln(3)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, f"Sida {self.page_no()} av {{nb}}", align="C")

    def write(pdf: FPDF, block: Block) -> None:
        if block.kind == "letterhead":
            pdf.set_font("Helvetica", size=8)
            pdf.cell(0, 5, block.text, new_x="LMARGIN", new_y="NEXT")
        elif block.kind == "title":
            pdf.ln(5)
            pdf.set_font("Helvetica", "B", size=16)
            pdf.multi_cell(120, 8, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        elif block.kind == "heading":
            pdf.ln(2)
            pdf.set_font("Helvetica", "B", size=12)
            pdf.multi_cell(0, 7, block.text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("Helvetica", size=11)
            indent = 6 if block.kind == "item" else 0
            pdf.set_x(pdf.l_margin + indent)
            pdf.multi_cell(0, 6, block.text, new_x="LMARGIN", new_y="NEXT")
            if block.kind != "item" and block.kind != "intro":
                pdf.ln(2)

    paper = Paper()
    paper.alias_nb_pages()
    paper.set_auto_page_break(True, margin=20)
    paper.add_page()
    for block in blocks:
        if block.place == "body":
            write(paper, block)
    columns = [b for b in blocks if b.place == "columns"]
    if columns:
        paper.add_page()
        paper.set_font("Helvetica", size=10)
        with paper.text_columns(ncols=2, gutter=8, text_align="LEFT") as cols:
            for block in columns:
                if block.kind == "heading":
                    paper.set_font("Helvetica", "B", size=11)
                    cols.write(block.text + "\n")
                    paper.set_font("Helvetica", size=10)
                else:
                    cols.write(block.text + "\n\n")
    text_pdf = path.with_suffix(".text.pdf")
    paper.output(str(text_pdf))
    scanned = [b.text for b in blocks if b.place == "scanned"]
    parts = [text_pdf]
    if scanned:  # an image-only page, rasterised at the resolution Tesseract is trained for
        parts.append(make_scanned_pdf(path.with_suffix(".scan.pdf"), [scanned], dpi=300))
    join_pdfs(path, parts)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w§%]+", " ", text.lower()).split())


def _shingles(text: str) -> set[str]:
    tokens = _norm(text).split()
    return {" ".join(tokens[i : i + SHINGLE]) for i in range(max(len(tokens) - SHINGLE + 1, 0))}


def score(blocks: list[Block], stored: list[tuple[str, bool, list[str]]], score: Score) -> None:
    """Add one document's figures: `stored` is (section, read by OCR, sentences) per chunk."""
    headings = [b.text for b in blocks if b.kind == "heading"]
    sections = {_norm(section) for section, _, _ in stored if section}
    score.headings += len(headings)
    score.recovered += sum(any(_norm(h) in s for s in sections) for h in headings)
    heading_texts = {_norm(h) for h in headings} | {
        _norm(b.text) for b in blocks if b.kind == "title"
    }
    printed = [(b, _norm(b.text), _shingles(b.text)) for b in blocks]
    for _section, _ocr, sentences in stored:
        for sentence in sentences:
            norm = _norm(sentence)
            if not norm:
                continue
            score.sentences += 1
            if norm in heading_texts:
                score.heading_sentences += 1
            if any(norm in text for _, text, _ in printed):
                continue
            own = _shingles(sentence)
            sources = [b for b, _, sh in printed if own & sh]
            if len(sources) > 1:
                if any(b.place == "columns" for b in sources):
                    score.mixed_columns += 1
                else:
                    score.mixed += 1
                if len(score.examples) < 6:
                    score.examples.append(sentence[:160])
    for intro in (b for b in blocks if b.kind == "intro" and b.items and b.place == "body"):
        score.lists += 1
        for n, (_section, _ocr, sentences) in enumerate(stored):
            if any(_norm(intro.text) in _norm(t) for t in sentences):
                # an answer quoting the intro shows the items of its chunk and of the next one
                # (bot.evidence.next_chunk_sentences): the items must be within that reach
                reach = sentences + (stored[n + 1][2] if n + 1 < len(stored) else [])
                text = _norm(" ".join(reach))
                score.lists_kept += all(_norm(item) in text for item in intro.items)
                break
    truth = " ".join(b.text for b in blocks if b.place == "scanned")
    read = " ".join(" ".join(s) for _, ocr, s in stored if ocr)
    if truth:
        matcher = difflib.SequenceMatcher(
            None, " ".join(truth.split()), " ".join(read.split()), autojunk=False
        )
        score.ocr_chars += len(" ".join(truth.split()))
        score.ocr_matched += sum(m.size for m in matcher.get_matching_blocks())


def stored_of(index: Path) -> Iterator[tuple[str, list[tuple[str, bool, list[str]]]]]:
    """(file name, [(section, OCR, sentences) per chunk]) of every ingested document."""
    snapshot = open_current(index)
    try:
        for path, meta in snapshot.documents.items():
            chunks = snapshot.chunks_of(path)
            by_chunk = snapshot.sentences([pos for pos, _, _ in chunks])
            yield (
                meta.name,
                [
                    (chunk.section, chunk.ocr, [t for _, t in by_chunk[pos]])
                    for pos, chunk, _ in chunks
                ],
            )
    finally:
        snapshot.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, nargs="*", default=list(DEFAULT_DOCS))
    parser.add_argument("--keep", type=Path, help="also write the PDFs to this folder")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.docs if not p.is_file()]
    if missing:
        print(f"skipped: {', '.join(missing)} absent (the documents live in ../shared)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index = Path(tmp) / "pdfs", Path(tmp) / "index"
        corpus.mkdir()
        printed: dict[str, list[Block]] = {}
        for source in args.docs:
            blocks = blocks_of(source.read_text("utf-8"))
            name = f"{source.stem[:40]}.pdf"
            running = next((b.text for b in blocks if b.kind == "title"), source.stem)[:60]
            print_pdf(corpus / name, blocks, running)
            printed[name] = blocks
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / name).write_bytes((corpus / name).read_bytes())
        embedder = HashEmbedder()
        report = ingest(
            [corpus], IngestOptions(index, corpus, 400, 60), embedder.name, lambda: embedder
        )
        for failure in report.failed:
            print(f"not read: {failure}")
        total = Score()
        for name, stored in stored_of(index):
            one = Score()
            score(printed[name], stored, one)
            score(printed[name], stored, total)
            _print(name, one)
    _print("all documents", total)
    return 0


def _print(title: str, s: Score) -> None:
    share = lambda a, b: f"{a / b:.3f} ({a}/{b})" if b else "- (0/0)"  # noqa: E731
    print(f"{title}:")
    print(f"  headings recovered        {share(s.recovered, s.headings)}")
    print(f"  headings as sentences     {s.heading_sentences}  (target 0)")
    print(f"  lists kept with intro     {share(s.lists_kept, s.lists)}")
    print(f"  mixed sentences           {s.mixed} of {s.sentences}  (target 0)")
    print(f"  mixed, two-column page    {s.mixed_columns}")
    print(f"  OCR character accuracy    {share(s.ocr_matched, s.ocr_chars)}  (target >= 0.95)")
    for example in s.examples:
        print(f"    mixed: {example}")


if __name__ == "__main__":
    raise SystemExit(main())
