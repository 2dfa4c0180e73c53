"""What the analysis reads and what it gives, as plain data: apart from grouping.py, so that
the pages and jobs that store or show its results import none of scikit-learn, SciPy, NumPy or
igraph (about 110 MB a process) until an analysis runs (tests/test_startup.py)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """What the analysis reads of a contribution or comment."""
    id: int
    kind: str  #: "contribution" or "comment"
    title: str
    text: str


@dataclass(frozen=True)
class Group:
    label: str
    key_phrases: tuple[str, ...]
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Analysis:
    groups: list[Group]
    #: Pairs of item ids, the smaller first, in order.
    near_duplicates: list[tuple[int, int]]
