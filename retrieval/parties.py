"""Who a sentence names: parties found in Swedish text and normalised so variants group together.

"kommunen", "Kommunerna", "nordostkommunerna" are all "Kommunen"; an organisation's full name and
its abbreviation ("Kommunförbundet Stockholms län" / "KSL") are one party, the abbreviation.
Pairs are learned from "Full Name (ABBR)" in the corpus, on top of a small built-in list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.lexicon import lexicon

# the domain's organisations, party patterns and capitalised words that are not organisations
# are data in retrieval/lexicon.toml
BUILTIN_ALIASES: dict[str, str] = dict(lexicon().aliases)
# (pattern, canonical name); the pattern is matched case-insensitively as whole words.
GENERIC: tuple[tuple[str, str], ...] = lexicon().party_patterns
NOT_ORGANISATIONS = lexicon().not_organisations
_PAIR = re.compile(r"\(([A-ZÅÄÖ]{2,6})\)")


def learn_aliases(texts: Iterable[str]) -> dict[str, str]:
    """Full name (lower case) -> abbreviation, from "Full Name (ABBR)" in the texts."""
    found: dict[str, str] = {}
    for text in texts:
        for match in _PAIR.finditer(text):
            words = text[: match.start()].split()[-6:]
            abbr = match.group(1)
            if abbr.upper() in NOT_ORGANISATIONS:
                continue
            for start in range(len(words) - 1, -1, -1):
                first = words[start]
                if first[:1].isupper() and first[:1].lower() == abbr[0].lower():
                    name = " ".join(words[start:]).strip(",;:")
                    if "," not in name and (len(name.split()) >= 2 or len(name) > len(abbr) + 3):
                        found[name.lower()] = abbr
                    break
    return found


@dataclass(frozen=True)
class PartyMatch:
    """One mention of a party in a text."""

    start: int
    end: int
    raw: str
    party: str


class Parties:
    """Finds and normalises parties, knowing the built-in and learned full-name/ABBR pairs."""

    def __init__(self, aliases: dict[str, str] | None = None) -> None:
        self.aliases = {**BUILTIN_ALIASES, **(aliases or {})}
        abbrs = sorted(set(self.aliases.values()), key=len, reverse=True)
        names = sorted(self.aliases, key=len, reverse=True)
        parts = [re.escape(n).replace(r"\ ", r"\s+") for n in names]
        parts += [p for p, _ in GENERIC]
        self._names = re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.IGNORECASE)
        self._abbr = re.compile(r"\b(?:" + "|".join(map(re.escape, abbrs)) + r")\b")
        self._generic = [(re.compile(p + r"$", re.IGNORECASE), c) for p, c in GENERIC]

    def normalise(self, raw: str) -> str:
        """Canonical name: the abbreviation of a known organisation, a generic noun's base."""
        text = " ".join(raw.split()).strip()
        key = text.lower().removesuffix("s") if text.lower() not in self.aliases else text.lower()
        if text.lower() in self.aliases:
            return self.aliases[text.lower()]
        if key in self.aliases:
            return self.aliases[key]
        upper = text.rstrip(":s") if text[:2].isupper() else text
        if upper in self.aliases.values():
            return upper
        for pattern, canonical in self._generic:
            if pattern.match(text):
                return canonical
        return text

    def find(self, text: str) -> list[PartyMatch]:
        """Every party mentioned, in order (abbreviations are case-sensitive: "KSL", "KSL:s")."""
        hits = [(m.start(), m.end(), m.group(0)) for m in self._names.finditer(text)]
        hits += [(m.start(), m.end(), m.group(0)) for m in self._abbr.finditer(text)]
        hits.sort(key=lambda h: (h[0], -h[1]))
        out: list[PartyMatch] = []
        for start, end, raw in hits:
            if out and start < out[-1].end:
                continue
            out.append(PartyMatch(start, end, raw, self.normalise(raw)))
        return out
