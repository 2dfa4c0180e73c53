"""Dutch text as the analysis compares it: words, their lemmas (simplemma's Dutch dictionary,
in the package, no download) and no stop words."""
from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib.resources import files

import simplemma
from stop_words import get_stop_words

#: Words of letters, with the hyphens and apostrophes inside Dutch words (Assen-Zuid, mkb'ers,
#: e-bikes); numbers say nothing about a concern and are left out.
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_APOSTROPHE = re.compile(r"['’]")
#: Prefixes of verbs and nouns that are words too, but no part of a compound (ver|trekken,
#: mede|werker, be|talen).
_PREFIXES = frozenset({"ver", "vert", "mede", "her", "ont", "weg", "mis", "bij", "toe", "samen",
                       "terug", "tegen", "onder", "achter", "be", "ge", "er"})
#: What Dutch puts between the parts of a compound, longest first ("" last: none).
_LINKS = ("en", "s", "e", "")


@cache
def stop_words() -> frozenset[str]:
    """The stop-words package's Dutch list (Snowball's) and ours (data/stop_words_extra.txt)."""
    extra = files(__package__).joinpath("data/stop_words_extra.txt").read_text(encoding="utf-8")
    ours = {line.strip() for line in extra.splitlines() if line.strip() and not line.startswith("#")}
    return frozenset(get_stop_words("dutch")) | ours


class Lemmatiser:
    """simplemma's lemmas, one look-up per distinct word: 10,000 contributions have some
    20,000 distinct words among half a million."""

    def __init__(self) -> None:
        self._lemmas: dict[str, str | None] = {}
        self._stop = stop_words()
        self._parts: dict[str, tuple[str, ...]] = {}

    def lemma(self, word: str) -> str | None:
        """The lemma of a lower-case word, or None for a stop word or a single letter."""
        try:
            return self._lemmas[word]
        except KeyError:
            pass
        lemma: str | None
        if word in self._stop or len(word) < 2:
            lemma = None
        else:
            lemma = simplemma.lemmatize(word, lang="nl").lower()
            lemma = _APOSTROPHE.sub("", lemma)  # mkb'ers -> mkbers, as its lemma mkb'er -> mkber
            if lemma in self._stop or len(lemma) < 2:
                lemma = None
        self._lemmas[word] = lemma
        return lemma

    def parts(self, lemma: str) -> tuple[str, ...]:
        """The parts of a compound, as lemmas (parkeertarief: parkeren, tarief), or () for a
        word that is not one: Dutch writes "parkeergarage" where English writes two words."""
        try:
            return self._parts[lemma]
        except KeyError:
            pass
        found = self._split(lemma, outer=True)
        self._parts[lemma] = found
        return found

    def _known(self, word: str, shortest: int) -> bool:
        return (len(word) >= shortest and word not in self._stop and word not in _PREFIXES
                and simplemma.is_known(word, lang="nl"))

    def _split(self, word: str, *, outer: bool) -> tuple[str, ...]:
        # The split whose shorter part is longest: bedrijven|terrein, not bedrijventer|rein.
        # The first part may be as short as "net" (netcongestie); the inner split of a long last
        # part (kern|winkelgebied) only into parts of four letters or more (not ver|gunning).
        shortest_head, shortest_tail = (3, 4) if outer else (4, 4)
        if len(word) < shortest_head + 4:
            return ()
        best: tuple[int, str, str] | None = None
        for cut in range(shortest_head, len(word) - 3 + 1):
            head, tail = word[:cut], word[cut:]
            # A last part of three letters only after a long first one (stroom|net, not
            # ver|dienen's kind of fragments).
            if not self._known(tail, shortest_tail if cut < 5 else 3):
                continue
            if max(cut, len(tail)) < 5:  # two short "parts" are a word's syllables: park|eren
                continue
            for link in _LINKS:  # bedrijf|s|kavel, evenement|en|beleid
                if head.endswith(link) and self._known(head[:len(head) - len(link)],
                                                        shortest_head):
                    stem = head[:len(head) - len(link)]
                    score = min(len(stem), len(tail))
                    if best is None or score > best[0]:
                        best = (score, stem, tail)
                    break
        if best is None:
            return ()
        _, stem, tail = best
        tails = self._split(tail, outer=False) if outer and len(tail) >= 9 else ()
        parts = []
        for part in (stem, *(tails or (tail,))):
            lemma = simplemma.lemmatize(part, lang="nl").lower()
            # A lemma that does not begin as the part did is a guess of simplemma's for a
            # fragment (baar -> gebaren): no compound (betaalbaar is none).
            # A part of three letters must be its own lemma (net, not ken -> kennen: vertrek|ken),
            # and a part whose lemma is the whole word means there was nothing to split.
            if lemma[:2] != part[:2] or (len(part) == 3 and lemma != part) or lemma == word:
                return ()
            parts.append(lemma)
        return tuple(p for p in parts if p not in self._stop and len(p) >= 3 and p != word)

    def words(self, text: str) -> list[tuple[str, str]]:
        """(word as written, lemma) of each word of `text` that is not a stop word."""
        found = []
        text = normalise(text)
        for match in _WORD.finditer(text):
            written = match.group()
            if written[0].isupper() and not _sentence_start(text, match.start()):
                # A name (Assen, Enexis, Drenthe College): not lemmatised, not split, so
                # Assen does not become "as" (the axle).
                lower = written.lower()
                lemma = None if lower in self._stop else _APOSTROPHE.sub("", lower)
            else:
                lemma = self.lemma(written.lower())
            if lemma is not None:
                found.append((written, lemma))
        return found


def _sentence_start(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \t\"'‘“(")
    return not before or before[-1] in ".!?:;\n"


def normalise(text: str) -> str:
    """One form for what looks the same (ligatures, full-width letters, combining accents)."""
    return unicodedata.normalize("NFKC", text)
