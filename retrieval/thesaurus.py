"""Everyday Swedish words and the words agreements and decisions use for the same thing.

Staff ask about "högskolan", "praktikplatser" and "säbo"; the documents say "lärosätet",
"VFU-platser" and "särskilda boenden". Each group below holds words (or word beginnings) that
stand for one another in this domain. A question word that begins with a group member, or ends
with one after a modifier ("handledarkurser"), gets the others as alternatives, with the rest of
the word kept when it is more than an inflection ("praktikplatser" -> "vfu-platser").
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from retrieval.errors import ConfigError
from retrieval.lexicon import lexicon

GROUPS: tuple[tuple[str, ...], ...] = lexicon().thesaurus  # retrieval/lexicon.toml
_extra: tuple[tuple[str, ...], ...] = ()  # groups from the user's file (use_file)
MIN_MODIFIER = 3  # letters before a member for the member to count as a compound's head
INFLECTION = 3  # letters after a member that are only an inflection ("högskol|an")


@lru_cache(maxsize=4096)
def alternatives(term: str) -> tuple[str, ...]:
    """The other ways the documents may write a question word, lower case; () when none.
    Memoised: it is asked for every topic word of every candidate sentence."""
    term = term.lower()
    out: list[str] = []
    for group in (*_extra, *GROUPS):
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


def read_groups(path: Path) -> tuple[tuple[str, ...], ...]:
    """Word groups from a text file: one group per line, words separated by commas; blank lines
    and lines starting with # are skipped. A bad file is a ConfigError naming it and the line."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the thesaurus file ({exc})") from exc
    groups = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        words = tuple(dict.fromkeys(w.strip().lower() for w in line.split(",") if w.strip()))
        if len(words) < 2 or any(len(w) < 3 for w in words):
            raise ConfigError(
                f"{path}:{number}: a group needs two or more words of at least three letters, "
                "separated by commas"
            )
        groups.append(words)
    return tuple(groups)


def use_file(path: Path | None) -> None:
    """Use the groups of the user's file (ANSWER_THESAURUS_FILE) before the built-in ones."""
    global _extra
    _extra = read_groups(path) if path else ()
    alternatives.cache_clear()
