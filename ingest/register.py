"""Deadlines and obligations extracted from a document's chunks at ingestion (no model).

A date is a deadline only when a cue says so ("senast", "före", "tillhanda", "sista dag",
"ska ... lämnas/inkomma/redovisas", "inom ..."); a document's own date, a meeting date or the
date an agreement starts is not. Relative periods ("inom tre månader från beslutet") are
resolved only when the event's date is known from the document, else kept relative.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from ingest.dates import DateMention, find_dates, shift
from ingest.terms import document_terms
from retrieval.parties import Parties, PartyMatch, learn_aliases
from retrieval.register import NOTICE, YEARLY, Deadline, Obligation, Register
from retrieval.sentences import split_sentences
from retrieval.types import Chunk, DocumentMeta

log = logging.getLogger(__name__)

NEAR_CUE = re.compile(
    r"\b(?:senast|före|innan|inom|sista dag(?:en)?|respektive|och|eller)\b(?:\s+(?:den|dagen))?"
    r"\s*$",
    re.IGNORECASE,
)
SENTENCE_CUE = re.compile(
    r"\btillhanda\b|\bsista (?:dag|inlämningsdag|svarsdag)\b|\binkomm\w*|\bkommit in\b"
    r"|\bska(?:ll)?\b(?:\s+\S+){0,8}?\s+(?:lämnas|inkomma|redovisas|rapporteras|skickas|"
    r"vara\b.*\btillhanda|ha (?:\w+ ){0,3}(?:lämnat|skickat|redovisat|rapporterat|kommit))\b",
    re.IGNORECASE,
)
NOT_DEADLINE = re.compile(
    r"(?:daterad|daterat|sammanträde\w*|mötet?|träffas|från och med|fr\.o\.m\.|gäller från|"
    r"börja(?:r)? gälla|träder i kraft|undertecknades|beslutade(?:s)?|fastställd\w*|sedan)"
    r"(?:\s+\S+){0,2}\s*(?:den\s+)?$",
    re.IGNORECASE,
)
VALIDITY = re.compile(r"\bgäller\s+(?:från|fr\.o\.m\.|till)\b", re.IGNORECASE)
OBLIGATION_CUE = re.compile(
    r"\b(?:ska(?:ll)?|åtar sig|åtagit sig|ansvarar för|förbinder sig|förbundit sig|"
    r"i uppdrag|tillhandahåller)\b",
    re.IGNORECASE,
)
COMMISSION = re.compile(r"\b(?:ge|ger|gav|be|ber|uppdra åt|uppdrar åt)\s+$", re.IGNORECASE)
PREPOSITION = re.compile(
    r"\b(?:till|från|hos|med|för|av|åt|mot|vid|i|om|gentemot|mellan|inom|på|än)\s+"
    r"(?:\w+\s+)?$",
    re.IGNORECASE,
)
LEAD_IN = re.compile(r"(?:\batt|:)$")
# an item that completes a lead-in: after a bullet or number anything ("• 40 platser"),
# without one a line that goes on in lower case
LIST_ITEM = re.compile(r"^(?:(?:[•\-–*]\s+|\d+\.\s+)\w|[a-zåäö])")
RECIPIENT = re.compile(r"\s+tillhanda\b", re.IGNORECASE)
RELATIVE_PRONOUN = re.compile(r"\bsom\s+$", re.IGNORECASE)
JOINING = r"(?:och|men|samt)"  # the conjunctions that join two main clauses after a comma
CLAUSE = re.compile(rf",\s+(?={JOINING}\b)|;\s+")
# the conjunction a clause after ", och" starts with: not part of what the clause commits to
CONJUNCTION = re.compile(rf"^{JOINING}\s+")
AGREEMENT_START = re.compile(
    r"(?:gäller|börjar gälla|träder i kraft)\s+(?:från\s+och\s+med|fr\.o\.m\.|från)?\s*(?:den\s+)?"
    r"(?P<start>[^.;]*?)\s+till\s+och\s+med\s+(?:den\s+)?(?P<end>[^.;]*?)[.;]",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DocContext:
    """What is known about the document a sentence comes from."""

    meta: DocumentMeta
    agreement_start: str = ""  # ISO, stated in the document ("gäller från och med ...")
    agreement_end: str = ""


def agreement_period(text: str) -> tuple[str, str]:
    """Start and end date of the agreement when the document states them, else ("", "")."""
    for match in AGREEMENT_START.finditer(text):
        start = [d.date for d in find_dates(match.group("start")) if d.date]
        end = [d.date for d in find_dates(match.group("end")) if d.date]
        if start or end:
            return (start[0] if start else "", end[0] if end else "")
    return "", ""


def clauses(sentence: str) -> list[tuple[int, str]]:
    """(offset, text) of the main clauses, split at ", och", ", men", "; "."""
    out, start = [], 0
    for m in CLAUSE.finditer(sentence):
        out.append((start, sentence[start : m.start()]))
        start = m.end()
    out.append((start, sentence[start:]))
    return out


def clause_at(sentence: str, position: int) -> tuple[int, str]:
    """(offset, text) of the clause that holds `position`."""
    return next((o, c) for o, c in reversed(clauses(sentence)) if o <= position)


def subject(clause: str, parties: Parties, first: bool = False) -> str:
    """The party the clause makes act: "ge X i uppdrag", the subject before the verb or an
    inverted "ska X"; "" when no party is the subject."""
    found = [
        p
        for p in parties.find(clause)
        if not PREPOSITION.search(clause[: p.start])
        and not RELATIVE_PRONOUN.search(clause[: p.start])
        and not RECIPIENT.match(clause[p.end :])
    ]
    for p in parties.find(clause):
        if COMMISSION.search(clause[: p.start]) and re.match(
            r"\s+(?:i uppdrag|att)\b", clause[p.end :]
        ):
            return p.party
    found = _heads(found, clause)
    cue_match = OBLIGATION_CUE.search(clause)
    if cue_match is None:
        return found[0].party if found and first else ""
    for p in found:
        between = clause[p.end : cue_match.start()].split()
        if p.end <= cue_match.start() and len(between) <= 3 and "som" not in between:
            return p.party
        after = clause[cue_match.end() : p.start].split()
        if p.start >= cue_match.end() and len(after) <= 1 and all(map(_determiner, after)):
            return p.party
    return found[0].party if found and first else ""


def _determiner(word: str) -> bool:
    """A word that may stand between "ska" and its subject ("ska varje kommun")."""
    return word.lower() in {"varje", "alla", "båda", "de", "samtliga"} or word.endswith("s")


def _heads(found: list[PartyMatch], clause: str) -> list[PartyMatch]:
    """Drop a possessive directly followed by another party ("kommunens VFU-samordnare")."""
    out: list[PartyMatch] = []
    for i, p in enumerate(found):
        nxt = found[i + 1] if i + 1 < len(found) else None
        if nxt and p.raw.lower().endswith("s") and not clause[p.end : nxt.start].strip():
            continue
        out.append(p)
    return out


def deadline_party(clause: str, sentence: str, parties: Parties) -> str:
    """Who must meet a deadline: the subject of the clause that holds the date, else ""."""
    return subject(clause, parties, first=True)


def is_deadline(sentence: str, mention: DateMention, previous_cued: bool) -> bool:
    """Whether this date in the sentence is a deadline rather than a document or meeting date."""
    _, clause = clause_at(sentence, mention.start)
    before = sentence[: mention.start]
    if mention.amount:
        return bool(re.search(r"\b(?:inom|senast|före)\b[^,.]*$", before, re.IGNORECASE)) or (
            mention.direction < 0
        )
    if NOT_DEADLINE.search(before) or VALIDITY.search(sentence):
        return False
    if NEAR_CUE.search(before):
        lead = NEAR_CUE.search(before)
        word = lead.group(0).split()[0].lower() if lead else ""
        return word not in ("respektive", "och", "eller") or previous_cued
    return bool(SENTENCE_CUE.search(clause)) and not re.search(
        r"\b(?:efter|från)\s+(?:den\s+)?$", before, re.IGNORECASE
    )


def resolve(mention: DateMention, ctx: DocContext) -> tuple[str, str]:
    """(ISO date, how) for a relative period whose event date the document states, else ("", "")."""
    event = mention.event.lower()
    base = ""
    if re.search(r"\bbeslut(?:et|ets)?\b", event) and ctx.meta.date:
        base = ctx.meta.date
    elif re.search(
        r"avtal\w*\s+(?:start|början|ikraftträdande)|avtalstidens (?:start|början)|"
        r"(?:börjar|började) gälla|träder i kraft|trätt i kraft",
        event,
    ):
        base = ctx.agreement_start
    elif re.search(r"avtalstidens slut|avtalets (?:slut|upphörande)|giltighetstidens slut", event):
        base = ctx.agreement_end
    if not base:
        return "", ""
    date = shift(dt.date.fromisoformat(base), mention.amount, mention.unit, mention.direction)
    return date.isoformat(), f"{mention.text} {base} -> {date.isoformat()}"


def sentence_deadlines(
    sentence: str, chunk: Chunk, ctx: DocContext, parties: Parties
) -> list[Deadline]:
    """Every deadline of one sentence (two for "den 15 mars respektive den 15 september")."""
    if sentence.rstrip().endswith("?"):
        return []
    out: list[Deadline] = []
    cued = False
    for mention in find_dates(sentence):
        cued = is_deadline(sentence, mention, cued)
        if cued:
            out.append(_deadline(sentence, mention, chunk, ctx, parties))
    return out


def _deadline(
    sentence: str, mention: DateMention, chunk: Chunk, ctx: DocContext, parties: Parties
) -> Deadline:
    offset, clause = clause_at(sentence, mention.start)
    base = Deadline(
        doc_path=chunk.doc_path,
        page=chunk.page,
        section=chunk.section,
        quote=sentence,
        what=_what(clause, mention.start - offset, mention.end - offset),
        party=deadline_party(clause, sentence, parties),
    )
    if mention.date:
        return replace(base, date=mention.date)
    if mention.month_day:
        return replace(base, month_day=mention.month_day, recurrence=YEARLY)
    date, how = resolve(mention, ctx)
    return replace(base, date=date, relative=mention.text, event=mention.event, resolution=how)


def _what(clause: str, start: int, end: int) -> str:
    """The clause without the date expression and its cue words."""
    head = re.sub(
        r"\b(?:senast|före|inom|sista dag(?:en)?)?\s*(?:den\s+)?$",
        "",
        clause[:start],
        flags=re.IGNORECASE,
    )
    text = " ".join(f"{head} {clause[end:]}".split()).strip(" ,.;:")
    text = re.sub(r"^(?:\d+\.\s*|(?:och|men|samt)\s+)", "", text, flags=re.IGNORECASE)
    return text[:1].upper() + text[1:] if text else ""


def sentence_obligation(sentence: str, chunk: Chunk, parties: Parties) -> Obligation | None:
    """The commitment a sentence makes, when a named party is bound by a cue word."""
    if sentence.rstrip().endswith("?"):
        return None
    for _, clause in clauses(sentence):
        cue = OBLIGATION_CUE.search(clause)
        if cue is None:
            continue
        party = subject(clause, parties)
        if party:
            text = CONJUNCTION.sub("", " ".join(clause.split()).strip(" ,.;:•-"))
            return Obligation(
                chunk.doc_path, chunk.page, chunk.section, sentence, party,
                cue.group(0).lower(), _capitalised(re.sub(r"^\d+\.\s*", "", text)),
            )  # fmt: skip
    return None


def _capitalised(text: str) -> str:
    """A clause cut out of its sentence as a line of its own: "kommunen ska …" -> "Kommunen
    ska …"; one that starts with "att" (a decision's item) stays as the decision reads."""
    return text if text.startswith("att ") else text[:1].upper() + text[1:]


def extract_register(docs: dict[str, DocumentMeta], chunks: dict[str, list[Chunk]]) -> Register:
    """Deadlines and obligations of every document, in document and chunk order; each
    document's validity ends, notice, renewal, recurring duties, months and seasons
    (ingest.terms) follow its deadlines."""
    texts = [c.text for key in sorted(chunks) for c in chunks[key]]
    aliases = learn_aliases(texts)
    parties = Parties(aliases)
    deadlines: list[Deadline] = []
    obligations: list[Obligation] = []
    for key in sorted(docs):
        doc_chunks = chunks.get(key, [])
        start, end = agreement_period("\n".join(c.text for c in doc_chunks))
        ctx = DocContext(docs[key], start, end)
        said = list(_unique_sentences(doc_chunks))
        due: list[Deadline] = []
        for sentence, chunk in said:
            due.extend(sentence_deadlines(sentence, chunk, ctx, parties))
            obligation = sentence_obligation(sentence, chunk, parties)
            if obligation is not None:
                obligations.append(obligation)
        terms = document_terms(said, lambda s: _actor(s, parties))
        # "senast sex månader före avtalstidens slut" is the notice entry, with its working
        noticed = {d.quote for d in terms if d.kind == NOTICE}
        deadlines += [d for d in due if not (d.relative and d.quote in noticed)] + terms
    log.info("register: %d deadlines, %d obligations", len(deadlines), len(obligations))
    return Register(tuple(deadlines), tuple(obligations), tuple(sorted(aliases.items())))


def _actor(sentence: str, parties: Parties) -> str:
    """The party the sentence's first binding clause makes act, "" when none."""
    return next(filter(None, (subject(c, parties) for _, c in clauses(sentence))), "")


def _unique_sentences(chunks: Iterable[Chunk]) -> Iterable[tuple[str, Chunk]]:
    """Sentences of the chunks, each once (chunks overlap), with the chunk it first appears in."""
    seen: set[str] = set()
    for chunk in chunks:
        for sentence in _with_list_items(split_sentences(chunk.text)):
            if sentence not in seen:
                seen.add(sentence)
                yield sentence, chunk


def _with_list_items(sentences: list[str]) -> list[str]:
    """A lead-in ending in "att" or ":" joined with the list items that complete it."""
    out: list[str] = []
    for sentence in sentences:
        if out and LIST_ITEM.match(sentence) and _open_list(out[-1]):
            out[-1] = f"{out[-1]}\n{sentence}"
            continue
        out.append(sentence)
    return out


def _open_list(text: str) -> bool:
    """True when `text` is a lead-in, or a list whose last item ends with a comma."""
    return bool(LEAD_IN.search(text)) or ("\n" in text and text.endswith(","))
