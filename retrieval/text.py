"""Swedish text analysis for lexical search: words, stop words, Snowball stems, compound parts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import Stemmer

WORD_RE = re.compile(r"[0-9]+(?:[-/.][0-9]+)*|[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)

# Function words that carry no topic. Kept small on purpose: question words (när, vem, hur)
# are removed here but read by the answerer, which needs them to know what is asked.
STOPWORDS = frozenset(
    """
    och i att det som en på är av för med till den har de inte om ett var jag men
    så vi kan sig han hon man ska skall vara vad vid från eller när vem vilka vilken
    vilket hur dem detta denna dessa där här då nu också alla allt någon något några
    hos sin sitt sina sig oss vår vårt våra er ert era ni du din ditt dina mig min mitt
    mina mot under efter innan än bli blir blev blivit får få fick finns fanns gäller
    ha hade göra gör gjorde gjort enligt ju väl bara även åt upp ut in över genom sedan
    skulle kommer kunna kunde måste mycket mer mest samt per varje vid utan både
    dom nåt nån nåt vart varför eftersom ifall lite alltså egentligen typ ens
    """.split()
)

_stemmer = Stemmer.Stemmer("swedish")


def words(text: str) -> list[str]:
    """Lower-cased word tokens, keeping numbers and dates (2016-12-31) whole."""
    return [w.lower() for w in WORD_RE.findall(text)]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball Swedish stem of one lower-case word."""
    return str(_stemmer.stemWord(word))


def content_words(text: str) -> list[str]:
    """Words that are not stop words."""
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


class Analyzer:
    """Text -> lexical terms (stems), optionally adding the parts of Swedish compounds.

    Decompounding splits a word into two words known from the corpus vocabulary, allowing the
    linking letter `s` ("samverkans|avtal"), so a question with "avtal" finds "samverkansavtal".
    """

    MIN_PART = 3

    def __init__(
        self,
        vocabulary: Iterable[str] = (),
        decompound: bool = True,
        abbreviations: dict[str, str] | None = None,
    ) -> None:
        self.decompound = decompound
        self.abbreviations = abbreviations or {}
        self.vocabulary = frozenset(w for w in vocabulary if len(w) >= self.MIN_PART)
        self._stems = frozenset(stem(w) for w in self.vocabulary)
        self._split_cache: dict[str, tuple[str, ...]] = {}

    def terms(self, text: str) -> list[str]:
        """Stemmed terms of the text, with compound parts appended after their word."""
        out: list[str] = []
        for word in content_words(text):
            out.append(stem(word))
            if self.decompound and len(word) >= 2 * self.MIN_PART + 1 and not word.isdigit():
                out.extend(stem(p) for p in self.split(word))
        return out

    def expand(self, text: str) -> str:
        """The text with the full name added after each known abbreviation ("KI" -> + "karolinska
        institutet"), so a question using either form finds passages using the other."""
        tokens = re.findall(r"\b[A-ZÅÄÖ]{2,6}\b", text)  # only what is written as an abbreviation
        extra = [self.abbreviations[t.lower()] for t in tokens if t.lower() in self.abbreviations]
        return " ".join([text, *extra])

    def split(self, word: str) -> tuple[str, ...]:
        """Parts of a compound ("vårdutbildningen" -> vård, utbildningen), else ().

        The tail must be a corpus word (compared by stem, so inflected tails count); the head
        must be one too, possibly with the linking `s`, or be at least four letters long.
        """
        cached = self._split_cache.get(word)
        if cached is not None:
            return cached
        best: tuple[str, ...] = ()
        for i in range(self.MIN_PART, len(word) - self.MIN_PART + 1):
            head, tail = word[:i], word[i:]
            if not self._known(tail):
                continue
            if head.endswith("s") and self._known(head[:-1]):
                best = (head[:-1], tail)  # the linking s: samverkan|s|avtal
                break
            if self._known(head):
                best = (head, tail)
                break
            if not best and len(head) >= 4 and len(tail) >= 4:
                best = (head, tail)
        self._split_cache[word] = best
        return best

    def _known(self, word: str) -> bool:
        return len(word) >= self.MIN_PART and (word in self.vocabulary or stem(word) in self._stems)


# a reference number (diarienummer): "KSL/16/0049-24", "SN 2016/0123-7", "FoU NO 2017/012" (an
# organisation's mixed-case abbreviation may lead; "Dnr" does not, it ends in lower case)
REFERENCE = re.compile(
    r"\b(?:[A-ZÅÄÖ][a-zåäö]*[A-ZÅÄÖ] )?[A-ZÅÄÖ]{2,6}[ /]?(?:19|20)?\d{2}/\d{1,5}(?:[-:.]\d{1,4})?\b"
)

# two to four capitalised words in a row, not at a sentence start: "Karolinska Institutet"
PROPER_NAME_RE = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-ZÅÄÖ][a-zåäö]+(?:\s[A-ZÅÄÖ][a-zåäö]+){1,3}\b")
ABBREVIATION_RE = re.compile(r"((?:[\w-]+\s+){0,6}[\w-]+)\s+\(([A-ZÅÄÖ]{2,6})\)")


def find_abbreviations(texts: Iterable[str]) -> dict[str, str]:
    """ "Full Name (ABBR)" pairs stated in the texts: {"ksl": "kommunförbundet stockholms län"}.

    The full name is the shortest run of words before the parenthesis that starts with the
    abbreviation's first letter and holds its letters in order.
    """
    found: dict[str, str] = {}
    initialisms: dict[str, str] = {}
    for text in texts:
        for match in ABBREVIATION_RE.finditer(text):
            abbr = match.group(2)
            name = _expansion(match.group(1).split(), abbr)
            if name:
                found.setdefault(abbr.lower(), name)
        for match in PROPER_NAME_RE.finditer(text):
            name = match.group(0)
            initials = "".join(w[0] for w in name.split()).lower()
            initialisms.setdefault(initials, name.lower())
    # "Karolinska Institutet" also answers to "KI", unless the corpus says otherwise
    return {**initialisms, **found}


def _expansion(words_before: list[str], abbr: str) -> str:
    for start in range(len(words_before) - 1, -1, -1):
        candidate = words_before[start:]
        if candidate[0][0].upper() != abbr[0] or len(candidate) > len(abbr) + 2:
            continue
        letters = iter(" ".join(candidate).upper())
        if all(ch in letters for ch in abbr):
            return " ".join(candidate).lower()
    return ""


def corpus_vocabulary(texts: Iterable[str]) -> set[str]:
    """All content words of the texts: the dictionary compounds are split against."""
    vocab: set[str] = set()
    for text in texts:
        vocab.update(w for w in content_words(text) if not w.isdigit())
    return vocab


class NgramAnalyzer(Analyzer):
    """Stems plus character 4-grams of each word: an alternative to decompounding, measured
    against it by `python -m bot eval --compare`."""

    N = 4

    def terms(self, text: str) -> list[str]:
        """Stem of each content word followed by the word's character n-grams."""
        out: list[str] = []
        for word in content_words(text):
            out.append(stem(word))
            padded = f"#{word}#"
            out.extend(f"~{padded[i : i + self.N]}" for i in range(len(padded) - self.N + 1))
        return out
