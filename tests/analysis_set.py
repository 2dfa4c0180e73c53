"""The labelled Dutch set of participation/analysis (tests/data/analysis_nl_*.yaml): items, the
concern each is about, the near-duplicate pairs, and the split into a tuning part and a
held-out part that tuning never looked at."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import yaml

from participation.analysis.grouping import Item

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class LabelledItem:
    item: Item
    theme: str
    concern: str
    #: The network whose members sent this text, lightly edited (None: written on its own).
    network: str | None


def load(name: str = "nl") -> list[LabelledItem]:
    """The tuning set ("nl": analysis_nl_*.yaml, the settings were chosen on it) or the unseen
    set ("unseen": analysis_unseen_nl.yaml, written after tuning and never used for it)."""
    pattern = "analysis_nl_*.yaml" if name == "nl" else f"analysis_{name}_nl.yaml"
    rows = []
    for path in sorted(DATA.glob(pattern)):
        rows += yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    return [LabelledItem(Item(row["id"], row["kind"], row["title"], row["text"]), row["theme"],
                         row["concern"], row.get("network")) for row in rows]


def held_out(labelled: LabelledItem, first_of_network: dict[str, int]) -> bool:
    """A third of the set, chosen by id before any tuning: every item whose id is a multiple of
    three, and a network's items go with its first one (its copies are not split)."""
    key = first_of_network[labelled.network] if labelled.network else labelled.item.id
    return key % 3 == 0


def split(items: list[LabelledItem]) -> tuple[list[LabelledItem], list[LabelledItem]]:
    """(tuning part, held-out part)."""
    first: dict[str, int] = {}
    for labelled in items:
        if labelled.network:
            first[labelled.network] = min(first.get(labelled.network, labelled.item.id),
                                          labelled.item.id)
    tuning = [x for x in items if not held_out(x, first)]
    return tuning, [x for x in items if held_out(x, first)]


def duplicate_pairs(items: list[LabelledItem]) -> set[frozenset[int]]:
    """Every pair of items of one network."""
    by_network: dict[str, list[int]] = {}
    for labelled in items:
        if labelled.network:
            by_network.setdefault(labelled.network, []).append(labelled.item.id)
    return {frozenset(pair) for ids in by_network.values()
            for pair in itertools.combinations(ids, 2)}
