"""Register questions ("Vilka åtaganden har FoU Nordost?", "Vilka deadlines har vi i mars?")
answered with a cited list from the deadline and obligation register instead of search."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from bot import texts
from bot.register_cli import kind_note
from retrieval.lexicon import fill, lexicon
from retrieval.parties import Parties
from retrieval.register import Deadline, Obligation, RegisterItem, in_use
from retrieval.snapshot import Snapshot
from retrieval.text import STOPWORDS, stem, words
from retrieval.types import Answer, Citation

MONTHS = lexicon().months
# the questions answered from the register, and who "vi" is (retrieval/lexicon.toml)
_ASKED = lexicon().register_questions
_MONTH = "|".join(MONTHS)
OBLIGATIONS_Q = re.compile(_ASKED["obligations"], re.IGNORECASE)
DEADLINES_Q = re.compile(fill(_ASKED["deadlines"], {"MONTH": _MONTH}), re.IGNORECASE)
DUTIES_Q = re.compile(_ASKED["duties"], re.IGNORECASE)
GENERIC_SOURCES = frozenset(_ASKED["generic_sources"])
WE = re.compile(_ASKED["we"], re.IGNORECASE)
OUR_PARTIES = frozenset(_ASKED["our_parties"])
MAX_ITEMS = 10
BULLET = re.compile(r"\s*\n\s*(?:[•\-–*]\s*)?|\s+[•–]\s+|\s+-\s+(?=[a-zåäö])")


def _in_use(items: Sequence[RegisterItem], snapshot: Snapshot, question: str) -> list[RegisterItem]:
    """The register's items, templates' only when the question asks about a template."""
    asked = bool(lexicon().template_question.search(question))
    return in_use(items, snapshot.documents, templates=asked)


def register_answer(
    question: str, snapshot: Snapshot, today: dt.date | None = None
) -> Answer | None:
    """A cited list when the question obviously asks for the register, else None. Deadlines
    come in the order they fall due from `today` (default: today's date)."""
    today = today or dt.date.today()
    if m := (OBLIGATIONS_Q.match(question) or DUTIES_Q.match(question)):
        said = next(g for g in (m.groupdict().get(k) for k in ("party", "party2")) if g)
        we = bool(WE.match(said))
        party = Parties(snapshot.aliases()).normalise("kommunen" if we else said)
        wanted = OUR_PARTIES if we else {party.lower()}
        items = [
            o
            for o in _in_use(snapshot.obligations(), snapshot, question)
            if o.party.lower() in wanted
        ]
        source = m.groupdict().get("source") or m.groupdict().get("source2") or ""
        items = _from_source(items, source, snapshot)
        return _obligations(question, party, items, snapshot) if items else None
    if m := DEADLINES_Q.match(question):
        if not m.group("month"):  # "Vilka deadlines har vi?": all of them
            due = _in_use(snapshot.deadlines(), snapshot, question)
            return _deadlines(question, due, snapshot, today, in_month=False) if due else None
        month = MONTHS.index(m.group("month").lower()) + 1
        year = int(m.group("year")) if m.group("year") else None
        due = [
            d
            for d in _in_use(snapshot.deadlines(), snapshot, question)
            if _in_month(d, month, year)
        ]
        return _deadlines(question, due, snapshot, today) if due else None
    return None


def _from_source(items: list[Obligation], source: str, snapshot: Snapshot) -> list[Obligation]:
    """The obligations of the documents a question names ("enligt avsiktsförklaringen": those
    whose title or file name holds that word, "avtalet med KI": Karolinska Institutet's); all of
    them when it names none."""
    wanted = [w for w in words(source) if w not in GENERIC_SOURCES and w not in STOPWORDS]
    if not wanted:
        return items
    abbreviations = snapshot.lexical.analyzer.abbreviations
    named = {
        path
        for path, doc in snapshot.documents.items()
        if all(_names(w, f"{doc.title} {path}", abbreviations) for w in wanted)
    }
    return [o for o in items if o.doc_path in named] if named else items


def _names(word: str, text: str, abbreviations: dict[str, str]) -> bool:
    """The word (by stem, or an abbreviation by its full name) is in the title or path."""
    lower = text.lower()
    if word in abbreviations and abbreviations[word] in lower:
        return True
    key = stem(word)
    return any(w == word or (len(key) >= 4 and w.startswith(key)) for w in words(lower))


def _in_month(d: Deadline, month: int, year: int | None) -> bool:
    if d.month_day:
        return int(d.month_day[:2]) == month
    if d.date:
        day = dt.date.fromisoformat(d.date)
        return day.month == month and (year is None or day.year == year)
    return False


def _citations(
    snapshot: Snapshot, items: Sequence[Deadline | Obligation]
) -> tuple[list[int], tuple[Citation, ...]]:
    """Each item's source number, and the sources numbered from 1: items quoting the same
    sentence of the same page share one (a sentence that states both a notice period and a
    renewal is two entries but one source); sources on a page read by OCR say so."""
    scanned = {
        path: {c.page for _, c, _ in snapshot.chunks_of(path) if c.ocr}
        for path in {i.doc_path for i in items}
    }
    numbers: dict[tuple[str, int, str], int] = {}
    cites: list[Citation] = []
    for item in items:
        key = (item.doc_path, item.page, item.quote)
        if key not in numbers:
            numbers[key] = len(cites) + 1
            cites.append(
                _citation(numbers[key], snapshot, item, item.page in scanned[item.doc_path])
            )
    return [numbers[(i.doc_path, i.page, i.quote)] for i in items], tuple(cites)


def _citation(n: int, snapshot: Snapshot, item: Deadline | Obligation, ocr: bool) -> Citation:
    doc = snapshot.documents.get(item.doc_path)
    return Citation(
        n=n,
        document=item.doc_path.rsplit("/", 1)[-1],
        title=doc.title if doc else item.doc_path,
        page=item.page,
        section=item.section,
        quote=item.quote,
        score=1.0,
        doc_path=item.doc_path,
        date=doc.date if doc else "",
        reference=doc.reference if doc else "",
        ocr=ocr,
        paragraph=doc.paragraph if doc else "",
        officer=doc.officer if doc else "",
    )


def _obligations(question: str, party: str, items: list[Obligation], snapshot: Snapshot) -> Answer:
    shown = items[:MAX_ITEMS]
    lines = [texts.obligations_heading(party, len(items), MAX_ITEMS)]
    numbers, cites = _citations(snapshot, shown)
    lines += [f"• {_one_line(o.text)} [{n}]" for n, o in zip(numbers, shown, strict=True)]
    return Answer(question, True, "\n".join(lines), cites)


def _one_line(text: str) -> str:
    """A lead-in with its list items on one line: "X åtar sig att a; b; c"."""
    head, *items = BULLET.split(text.strip())
    items = [i.strip().rstrip(",;.") for i in items if i.strip()]
    return f"{head.rstrip(':')} {'; '.join(items)}" if items else head


def by_due(items: Sequence[Deadline], today: dt.date) -> list[Deadline]:
    """What falls due first first: dated entries from `today` on (a yearly one on its next
    day), then those without a date (a relative period, a rule naming no month), then those
    already past, the latest first. Equal keys keep the register's order."""

    def key(d: Deadline) -> tuple[int, int]:
        day = d.next_date(today)
        if day is None:
            return (1, 0)
        return (0, day.toordinal()) if day >= today else (2, -day.toordinal())

    return sorted(items, key=key)


def _past(d: Deadline, today: dt.date) -> bool:
    return bool(d.date) and dt.date.fromisoformat(d.date) < today


def _when(d: Deadline) -> str:
    """A date, a month or season as stated, a yearly day, a recurring rule or a relative period."""
    if d.approximate or d.date:
        return d.approximate or d.date
    if d.month_day:
        return texts.EVERY_YEAR.format(month_day=d.month_day)
    if d.rule:
        return texts.rule_text(d.rule)
    return d.relative or (texts.period_text(d.duration) if d.duration else "–")


def _deadlines(
    question: str,
    items: list[Deadline],
    snapshot: Snapshot,
    today: dt.date,
    in_month: bool = True,
) -> Answer:
    shown = by_due(items, today)[:MAX_ITEMS]
    lines = [texts.deadlines_heading(len(items), MAX_ITEMS, in_month)]
    numbers, cites = _citations(snapshot, shown)
    for n, d in zip(numbers, shown, strict=True):
        party = f"{d.party}: " if d.party else ""
        what = f"{party}{d.what}{kind_note(d)}".strip()
        # a clause that is only its date ("senast sex veckor före varje kursstart,") says no more
        when = _when(d) + (texts.PASSED if _past(d, today) else "")
        lines.append(f"• {when} – {what} [{n}]" if what else f"• {when} [{n}]")
    return Answer(question, True, "\n".join(lines), cites)
