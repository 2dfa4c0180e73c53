"""Benchmark: proposing which earlier section each section of a new draft version continues.

The worst case the preview meets: 100 sections against 100, every heading changed and the
order shuffled (so no pair is settled by number and heading and all 10,000 pairs are
compared), a third of the words replaced by words of the same document. Pure Python, no
database: prints the median and the slowest of the runs, and how many predecessors were found.

    .venv/bin/python bench/draft_matching.py [--runs 20] [--sections 100]
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import participation.models  # noqa: E402,F401  (loads the feature packages in the app's order)
from participation.demo.content import DRAFT_V1_MD  # noqa: E402
from participation.drafts.matching import match_sections  # noqa: E402


@dataclass
class Text:
    id: int
    number: str
    heading: str
    body_md: str


def versions(sections: int) -> tuple[list[Text], list[Text], list[int]]:
    vocabulary = sorted(set(re.findall(r"\w+", DRAFT_V1_MD.casefold())))
    rng = random.Random(13)

    def words(n: int) -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(n))
    earlier = [Text(n, str(n + 1), words(3), words(rng.randint(80, 250)))
               for n in range(sections)]
    order = list(range(sections))
    rng.shuffle(order)
    new = []
    for position, n in enumerate(order):
        body = [rng.choice(vocabulary) if rng.random() < 0.3 else word
                for word in earlier[n].body_md.split()]
        new.append(Text(10_000 + position, str(position + 1),
                        earlier[n].heading + " " + words(1), " ".join(body)))
    return new, earlier, order


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sections", type=int, default=100)
    args = parser.parse_args()
    new, earlier, order = versions(args.sections)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        found = match_sections(new, earlier)
        times.append(time.perf_counter() - start)
    right = sum(1 for position, n in enumerate(order)
                if found[10_000 + position] and found[10_000 + position].earlier_id == n)
    print(f"{args.sections} sections against {args.sections}, all renamed and shuffled: "
          f"median {statistics.median(times) * 1000:.0f} ms, slowest {max(times) * 1000:.0f} ms "
          f"over {args.runs} runs; {right} of {args.sections} predecessors found")


if __name__ == "__main__":
    main()
