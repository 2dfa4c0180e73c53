"""Which section of the earlier version a section of a new version continues.

A section continues an earlier one with the same number and heading; the rest are paired by
how alike they are, text first and heading second, so a renamed or renumbered section keeps its
reactions. Pure functions on the sections' text: no database.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

#: How much the text and the heading count when two sections are compared (they add up to 1).
TEXT_WEIGHT = 0.65
HEADING_WEIGHT = 0.35
#: Below this a section is proposed as new. Chosen on the demo agenda and the tests'
#: drafts: a renamed section whose text changed in part scores 0.6-0.9, an identical text
#: under a new number about 1, and unrelated sections of one policy document 0.1-0.35 (they
#: share the document's vocabulary, which the weighting below makes count for little).
THRESHOLD = 0.5
#: Between two equally alike candidates, the one with the same number wins.
SAME_NUMBER_BONUS = 0.02

_WORD = re.compile(r"\w+")


class SectionText(Protocol):
    id: int
    number: str
    heading: str
    body_md: str


@dataclass(frozen=True, slots=True)
class Match:
    earlier_id: int
    #: False when number and heading are the same; True when paired by how alike they are.
    by_text: bool
    #: 1.0 for the same number and heading; else the similarity, THRESHOLD to about 1.
    score: float


def _heading_key(heading: str) -> str:
    return " ".join(heading.split()).casefold()


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


class _Vectors:
    """Each body as TF-IDF weights over its words, normalised, for cosine similarity.

    Words used in most sections of the document ("de", "het", the subject of the whole
    agenda) say little about which section is which; rare words say much. Word order is left
    out on purpose: a paragraph moved within a section is the same text.
    """

    def __init__(self, bodies: Sequence[str]):
        counts = [Counter(_words(body)) for body in bodies]
        documents = len(counts)
        frequency: Counter[str] = Counter()
        for words in counts:
            frequency.update(words.keys())
        idf = {word: math.log((1 + documents) / (1 + n)) + 1 for word, n in frequency.items()}
        self.vectors: list[dict[str, float]] = []
        for words in counts:
            weights = {word: (1 + math.log(n)) * idf[word] for word, n in words.items()}
            norm = math.sqrt(sum(w * w for w in weights.values()))
            self.vectors.append({word: w / norm for word, w in weights.items()} if norm else {})

    @staticmethod
    def cosine(a: dict[str, float], b: dict[str, float]) -> float:
        # The words in common found by a set operation in C; Python only sums those.
        return sum(a[word] * b[word] for word in a.keys() & b.keys())


def _bigrams(heading: str) -> frozenset[str]:
    """A heading's pairs of letters: "Krachtsector" and "Krachtsectoren en logistiek" share
    most of them, where comparing whole words would find nothing in common."""
    key = f" {_heading_key(heading)} "
    return frozenset(key[i:i + 2] for i in range(len(key) - 1))


def _heading_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Sørensen-Dice over letter pairs: 1 for the same heading, 0 for nothing in common."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def match_sections(new: Sequence[SectionText],
                   earlier: Sequence[SectionText]) -> dict[int, Match | None]:
    """For each new section's id, the earlier section it continues (None: a new section).

    First the same number and heading. Then every remaining pair is scored, and pairs are taken
    from the most alike down, each section at most once on either side: a section further down
    the document never loses its clear predecessor to an earlier section that merely resembles
    it (as taking the new sections in order would do). With n sections on each side this
    compares n² pairs of word vectors: 100 against 100 takes a fraction of a second.
    """
    matches: dict[int, Match | None] = {s.id: None for s in new}
    by_number_heading = {(s.number, _heading_key(s.heading)): s for s in earlier}
    taken: set[int] = set()
    for section in new:
        same = by_number_heading.get((section.number, _heading_key(section.heading)))
        if same is not None and same.id not in taken:
            matches[section.id] = Match(same.id, by_text=False, score=1.0)
            taken.add(same.id)
    open_new = [s for s in new if matches[s.id] is None]
    open_earlier = [s for s in earlier if s.id not in taken]
    if not open_new or not open_earlier:
        return matches

    vectors = _Vectors([s.body_md for s in new] + [s.body_md for s in earlier])
    vector_of = {("new", s.id): v for s, v in zip(new, vectors.vectors[:len(new)], strict=True)}
    vector_of.update({("earlier", s.id): v for s, v in zip(
        earlier, vectors.vectors[len(new):], strict=True)})
    position = {("new", s.id): i for i, s in enumerate(new)}
    position.update({("earlier", s.id): i for i, s in enumerate(earlier)})

    candidates: list[tuple[float, int, int, int]] = []
    bigrams = {old.id: _bigrams(old.heading) for old in open_earlier}
    for section in open_new:
        text_a = vector_of[("new", section.id)]
        heading_a = _bigrams(section.heading)
        for old in open_earlier:
            text_b = vector_of[("earlier", old.id)]
            heading = _heading_similarity(heading_a, bigrams[old.id])
            if not text_a and not text_b:
                # Two headings without text (a chapter over its paragraphs): only the heading
                # can tell, and it must nearly agree.
                score = heading * heading
            else:
                text = _Vectors.cosine(text_a, text_b) if text_a and text_b else 0.0
                score = TEXT_WEIGHT * text + HEADING_WEIGHT * heading
            if section.number == old.number:
                score += SAME_NUMBER_BONUS
            if score >= THRESHOLD:
                distance = abs(position[("new", section.id)] - position[("earlier", old.id)])
                candidates.append((score, -distance, section.id, old.id))
    candidates.sort(reverse=True)
    for score, _distance, new_id, old_id in candidates:
        if matches[new_id] is None and old_id not in taken:
            matches[new_id] = Match(old_id, by_text=True, score=min(score, 1.0))
            taken.add(old_id)
    return matches
