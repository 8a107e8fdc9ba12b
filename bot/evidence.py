"""Lexical evidence measures that the answer model's features use: idf-weighted coverage of
the question's topic words, names, coined compounds, words no document uses; and how a
sentence is shown (a list intro with its items, no bullet).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache

from bot.question import QuestionInfo, fold
from retrieval.lexicon import lexicon
from retrieval.snapshot import Snapshot
from retrieval.text import stem, words
from retrieval.thesaurus import alternatives
from retrieval.types import ScoredChunk

UNKNOWN = "\x00unknown"  # key of the weight given to words the corpus never uses


def idf_table(snapshot: Snapshot) -> dict[str, float]:
    """Idf of every lexical term of the snapshot (memoised on its lexical index)."""
    lex = snapshot.lexical
    cached = getattr(lex, "idf_table", None)
    if cached is None:
        n = max(lex.size, 1)
        cached = {
            term: math.log(
                1.0 + (n - float(lex.doc_freq[col]) + 0.5) / (float(lex.doc_freq[col]) + 0.5)
            )
            for term, col in lex.vocab.items()
        }
        cached[UNKNOWN] = max(cached.values(), default=1.0) * 1.2
        lex.idf_table = cached  # type: ignore[attr-defined]  # memo for this snapshot only
    return cached


def accent_table(snapshot: Snapshot) -> dict[str, str]:
    """The corpus's words with å, ä or ö by how they read typed without them ("manga" ->
    "många"), the most common word where several read alike (memoised on the lexical index)."""
    lex = snapshot.lexical
    cached = getattr(lex, "accent_table", None)
    if cached is None:
        df = lex.doc_freq

        def used(word: str) -> float:
            col = lex.vocab.get(stem(word))
            return float(df[col]) if col is not None else 0.0

        accented = [w for w in lex.analyzer.vocabulary if fold(w) != w]
        # the most used is written last, so it wins where several read alike
        cached = {fold(w): w for w in sorted(accented, key=used)}
        lex.accent_table = cached  # type: ignore[attr-defined]  # memo for this snapshot only
    return cached


def with_accents(question: str, snapshot: Snapshot) -> str:
    """The question with å/ä/ö put back in words typed without them that the documents use
    only with them ("hur manga platser" -> "hur många platser"); a word the documents use as
    typed stays, and so do short words, mostly function words that read alike ("nar": "när"
    or "når"), whose question patterns match typed either way."""
    table = accent_table(snapshot)
    vocabulary = snapshot.lexical.analyzer.vocabulary

    def put_back(m: re.Match[str]) -> str:
        word = m.group(0)
        lower = word.lower()
        if len(lower) < ACCENT_MIN or lower in vocabulary or lower not in table:
            return word
        found = table[lower]
        return found[0].upper() + found[1:] if word[0].isupper() else found

    return re.sub(r"[^\W\d_]+", put_back, question)


def _weight(term: str, idf: dict[str, float], abbreviations: dict[str, str]) -> float:
    """Idf of a topic word; a word the corpus never uses weighs the most. A known abbreviation
    weighs like its full name, a hyphenated compound ("ki-avtalet") like its parts."""
    if stem(term) in idf:
        return idf[stem(term)]
    parts = abbreviations[term].split() if term in abbreviations else term.split("-")
    if len(parts) > 1:
        return sum(_weight(p, idf, abbreviations) for p in parts) / len(parts)
    return idf.get(UNKNOWN, 1.0)


def _found(term: str, stems: set[str], lower: str, abbreviations: dict[str, str]) -> bool:
    """The term is in the text: by stem, inside a compound, as the full name of an abbreviation,
    or (hyphenated) with every part present."""
    if stem(term) in stems or _in_compound(term, lower):
        return True
    if term in abbreviations and abbreviations[term] in lower:
        return True
    if any(alt in lower for alt in alternatives(term)):
        return True  # the documents' word for it: "lärosätet" for "högskolan"
    parts = [p for p in term.split("-") if p]
    return len(parts) > 1 and all(_found(p, stems, lower, abbreviations) for p in parts)


def _in_compound(term: str, lower: str) -> bool:
    """The term's stem is part of a longer word: anywhere for a word of five letters or more
    ("avtal" in "samverkansavtalet"), at a word's start for a shorter one ("resp" in
    "respektive")."""
    stem_ = stem(term)
    if len(term) >= 5 and stem_ in lower:
        return True
    return len(stem_) >= MIN_STEM and re.search(rf"\b{re.escape(stem_)}", lower) is not None


def coverage(
    info: QuestionInfo,
    text: str,
    idf: dict[str, float],
    abbreviations: dict[str, str] | None = None,
    split: Callable[[str], tuple[str, ...]] | None = None,
) -> float:
    """Idf-weighted share of the question's topic words present in the text (stem, inside a
    compound, or as the full name of an abbreviation). With the corpus's compound splitter a
    compound whose last part alone is present ("modellen" for "samverkansmodellen") counts
    half."""
    if not info.terms:
        return 0.0
    known = abbreviations or {}
    lower = text.lower()
    stems = {stem(w) for w in words(text)}
    weights = {t: _weight(t, idf, known) for t in info.terms}
    total = sum(weights.values())
    found = 0.0
    for term, weight in weights.items():
        if _found(term, stems, lower, known):
            found += weight
        elif split and (parts := split(term)) and _found(parts[-1], stems, lower, known):
            found += HEAD_SHARE * weight
    return found / total if total else 0.0


def beyond_names(info: QuestionInfo) -> QuestionInfo | None:
    """The question's topic words other than its names ("rektor" of "Vem är rektor på
    Karolinska Institutet?"), when it has names and such words; else None."""
    names = {stem(n) for n in info.names}
    rest = tuple(t for t in info.terms if stem(t) not in names)
    if not info.names or not rest or len(rest) == len(info.terms):
        return None
    return QuestionInfo(info.text, info.kind, rest, ())


def coined_compounds(info: QuestionInfo, snapshot: Snapshot) -> tuple[str, ...]:
    """The question's compounds that no document uses but whose parts they do ("lönetillägg"):
    a concept of its own, which evidence must name or at least touch by one of its parts."""
    lex = snapshot.lexical
    return tuple(
        t
        for t in info.terms
        if stem(t) not in lex.vocab
        and "-" not in t
        and t not in lex.analyzer.abbreviations
        and (lex.analyzer.split(t) or len(t) >= LONG_WORD)
    )


def touched(
    coined: tuple[str, ...],
    text: str,
    abbreviations: dict[str, str],
    split: Callable[[str], tuple[str, ...]],
) -> bool:
    """Each coined compound, or one of its parts, is in the text."""
    if not coined:
        return True
    stems, lower = {stem(w) for w in words(text)}, text.lower()
    return all(
        any(_found(part, stems, lower, abbreviations) for part in (t, *split(t))) for t in coined
    )


def names_present(
    info: QuestionInfo,
    text: str,
    abbreviations: dict[str, str] | None = None,
    split: Callable[[str], tuple[str, ...]] | None = None,
) -> bool:
    """Every name or abbreviation in the question occurs in the text (either form of a known
    abbreviation counts). A name compounded with a common word ("Täbyavtalet") counts when its
    name part ("täby") occurs; `split` is the corpus's compound splitter."""
    lower = text.lower()
    known = abbreviations or {}

    def found(name: str) -> bool:
        return _mentions(lower, stem(name)) or (name in known and known[name] in lower)

    parts = split or (lambda _: ())
    return all(found(name) or found(next(iter(parts(name)), name)) for name in info.names)


def _mentions(lower: str, name: str) -> bool:
    """The name occurs as the start of a word ("täby" in "täbys"); a short abbreviation must
    stand alone ("ki" in "KI:s", not in "kliniska")."""
    if len(name) <= 3:
        return re.search(rf"(?<!\w){re.escape(name)}(?![^\W\d_]{{2}})", lower) is not None
    return re.search(rf"(?<!\w){re.escape(name)}", lower) is not None


# a table row as ingestion writes it: "Organisation: KSL; Namn: Jonas Ek; Roll: Utredare"
TABLE_ROW = re.compile(r"^[^:;]{1,40}: [^;]+(?:; [^:;]{1,40}: [^;]*)+$")
COLUMN_NAME = re.compile(r"(?:^|; )[^:;]{1,40}: ")
ACCENT_MIN = 4  # letters of a word typed without å/ä/ö that is read with them
LONG_WORD = 9  # letters of a word the documents never use that names a thing of its own
MIN_STEM = 4  # letters a stem needs to be found inside a compound
HEAD_SHARE = 0.5  # of a compound's weight, when only its last part is in the text
CLOSED = re.compile(r"[.!?;]\s*$")  # a sentence that ends, not one left open before a list
BULLET = re.compile(r"^\s*(?:[•◦▪\-–*]|\d{1,2}[.)])\s+")
# a bulleted item that goes on in lower case: it completes the sentence before it
CONTINUED = re.compile(BULLET.pattern + r"[a-zåäö]")
LIST_LIMIT = 6  # list items joined to the sentence that introduces them
REPEAT_SHARE = 0.6  # shared words above which two sentences say the same
LONG_ITEM = 100  # characters; a longer item is shortened to its part before the first comma


def next_chunk_sentences(
    snapshot: Snapshot, hit: ScoredChunk, pos: int, rows: list[tuple[int, str]]
) -> list[str]:
    """The next chunk's sentences when this chunk ends inside a list that a sentence of it
    introduces ("… fyra delar:" with the items running on), else []."""
    tail = [t for _, t in rows[-LIST_LIMIT:]]
    if not any(t.rstrip().endswith(":") for t in tail):
        return []
    following = snapshot.chunks([pos + 1]).get(pos + 1)
    if following is None or following.doc_path != hit.chunk.doc_path:
        return []
    return [t for _, t in snapshot.sentences([pos + 1]).get(pos + 1, [])]


def clean(sentence: str) -> str:
    """A sentence as shown in an answer: no leading bullet, no trailing comma."""
    text = BULLET.sub("", sentence).strip()
    return text[:-1] + "." if text.endswith((",", ";")) else text


def with_list(sentence: str, following: list[str], limit: int = LIST_LIMIT) -> str:
    """A sentence that introduces a list ("... fyra delar:", or one left open before bulleted
    items that go on in lower case: "FoU Nordost ansvarar för att" + "- ta fram …") with the
    list items after it;
    a long item is cut at its first comma ("Avsiktsförklaring, som är generell …" ->
    "Avsiktsförklaring")."""
    lead_in = sentence.rstrip().endswith(":") or (
        not CLOSED.search(sentence) and bool(following) and bool(CONTINUED.match(following[0]))
    )
    if not lead_in:
        return clean(sentence)
    items: list[str] = []
    for n, text in enumerate(following[: limit * 2]):
        if len(items) >= limit:
            break
        if not BULLET.match(text) and items:
            if any(BULLET.match(t) for t in following[n + 1 : n + 3]):
                continue  # a further sentence of the item before: the list goes on
            break
        item = clean(text).rstrip(".")
        head = item.split(",", 1)[0]
        items.append(head if len(item) > LONG_ITEM and len(head) >= 3 else item)
    return f"{sentence.rstrip()} {'; '.join(items)}." if items else sentence


def repeats(sentence: str, chosen: list[str]) -> bool:
    """The sentence says much the same as one already chosen (table rows compared by their
    values, since rows of one table share every column name)."""
    a = _said(sentence)
    return any(len(a & (b := _said(c))) / max(len(a | b), 1) > REPEAT_SHARE for c in chosen)


def _key_values(row: str) -> set[str]:
    """The numbers and abbreviations among a table row's values ("60", "cku"): a prose sentence
    that holds one of them says what the row says."""
    values = COLUMN_NAME.sub(" ", row)
    return {
        t.lower()
        for t in re.findall(r"[\w,.-]+", values)
        if any(ch.isdigit() for ch in t) or (len(t) >= 2 and t.isupper())
    } & set(words(values))


def _said(sentence: str) -> set[str]:
    if TABLE_ROW.match(sentence):
        sentence = COLUMN_NAME.sub(" ", sentence)
    return set(words(sentence))


def unknown_share(info: QuestionInfo, snapshot: Snapshot) -> float:
    """Share of the question's topic words that the corpus never uses: not as a word, not as
    part of a compound, not as an abbreviation ("konferensrum", "gymkort"). A question that is
    mostly about such words cannot be answered from these documents."""
    lex = snapshot.lexical
    known = lex.analyzer.abbreviations

    def unknown(word: str) -> bool:
        return not (
            word.isdigit()
            or stem(word) in lex.vocab
            or word in known
            or lex.analyzer.split(word)
            or alternatives(word)
        )

    terms = [t for t in info.terms if t and t not in info.added]  # the asker's own words
    missing = [t for t in terms if all(unknown(p) for p in t.split("-") if p)]
    return len(missing) / len(terms) if terms else 0.0


@lru_cache(maxsize=1)
def _placeholders() -> re.Pattern[str]:
    """A template's blanks ("[antal]", "____", "XX"): the lexicon's template cues."""
    _, text_cues = lexicon().doctypes["template"]
    return re.compile("|".join(f"(?:{p.pattern})" for p in text_cues))


def filled_in(template: str) -> re.Pattern[str] | None:
    """A pattern that a sentence filling the template sentence's blanks matches from its start:
    "Avtalet gäller från och med [datum] till och med [datum]." is filled in by "Avtalet gäller
    från och med den 1 mars 2017 till och med den 31 december 2019." None when the sentence has
    no blank, or fewer than two stretches of words of its own to tell what it says."""
    blanks = _placeholders()
    parts = blanks.split(template.strip().rstrip(".:;"))
    if len(parts) < 2 or sum(1 for p in parts if words(p)) < 2:
        return None
    literal = [r"\s+".join(map(re.escape, p.split())) for p in parts]
    return re.compile(r"\s*(?:\S.{0,80}?)\s*".join(literal), re.IGNORECASE)
