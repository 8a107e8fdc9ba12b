"""Everyday Swedish words and the words agreements and decisions use for the same thing.

Staff ask about "högskolan", "praktikplatser" and "säbo"; the documents say "lärosätet",
"VFU-platser" and "särskilda boenden". Each group below holds words (or word beginnings) that
stand for one another in this domain. A question word that begins with a group member, or ends
with one after a modifier ("handledarkurser"), gets the others as alternatives, with the rest of
the word kept when it is more than an inflection ("praktikplatser" -> "vfu-platser").
"""

from __future__ import annotations

GROUPS: tuple[tuple[str, ...], ...] = (
    ("lärosäte", "högskol", "universitet"),
    ("vfu", "praktik", "verksamhetsförlagd"),
    ("särskilda boende", "särskilt boende", "säbo"),
    ("beslut", "avgör", "bestäm"),
    ("svar", "besked", "ställningstagande"),
    ("betyg", "godkän", "underkän", "examin"),
    ("resor", "resa", "rese", "biljett"),
    ("utbildning", "kurs"),
    ("överenskommelse", "avtal", "kontrakt"),
    ("sammanträd", "möte", "träff"),
    ("ersättning", "arvode"),
    ("betalar", "står för", "bekostar"),  # "Vem betalar …?" = "… står för sina kostnader"
    ("medarbetare", "personal", "anställd"),
)
MIN_MODIFIER = 3  # letters before a member for the member to count as a compound's head
INFLECTION = 3  # letters after a member that are only an inflection ("högskol|an")


def alternatives(term: str) -> tuple[str, ...]:
    """The other ways the documents may write a question word, lower case; () when none."""
    term = term.lower()
    out: list[str] = []
    for group in GROUPS:
        for member in group:
            at = term.find(member)
            if at < 0 or 0 < at < MIN_MODIFIER:
                continue
            head, rest = term[:at], term[at + len(member) :].lstrip("-")
            rest = rest if len(rest) > INFLECTION else ""
            for other in group:
                if other == member:
                    continue
                out.append(f"{head}{other}{rest}")
                if rest and not head:
                    out.append(f"{other}-{rest}")  # "vfu-platser"
            break
    return tuple(dict.fromkeys(out))
