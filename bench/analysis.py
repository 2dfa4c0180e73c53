"""Benchmark: the quality and the speed of the analysis of input (participation/analysis).

Quality, on the labelled Dutch set (tests/data/analysis_nl_*.yaml, read by tests/analysis_set.py):
the adjusted Rand index (ARI) of the groups against the concerns, the software not told how many
there are, on the tuning part (the settings were chosen on it), on the held-out third analysed
on its own (a small round, about 5 items per concern; its figure was watched, though not tuned
for, when the last setting was chosen, so it is no longer strictly unseen), on the held-out
items within the whole set, and on the whole set; near-duplicate precision and recall against
the networks' copies. Then the same on the unseen set (tests/data/analysis_unseen_nl.yaml): 158
items in 12 other concerns, written before the last tuning and never used for it, the fairest
figure of how the analysis does on input it has never seen.

Speed: 10,000 contributions made from the set (sentences of items of one concern mixed,
shuffled, with typos), analysed in a process of its own; the wall time and that process's peak
memory (maximum resident set size), and the ARI on them.

Targets (issue 17): ARI >= 0.6, near-duplicate precision and recall >= 0.9; 10,000 items in
under 30 s and 1 GB on the 2-core machine.

    .venv/bin/python bench/analysis.py [--items 10000] [--quality-only]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.metrics import adjusted_rand_score  # noqa: E402

from participation.analysis.grouping import Item, analyse, group_labels, near_duplicates  # noqa: E402
from tests import analysis_set  # noqa: E402

TARGET_ARI, TARGET_DUPLICATES, TARGET_S, TARGET_MB = 0.6, 0.9, 30, 1024


def _ari(labelled, labels) -> float:
    return adjusted_rand_score([x.concern for x in labelled], labels)


def _duplicates(labelled) -> tuple[float, float, int, int]:
    found = {frozenset(p) for p in near_duplicates([x.item for x in labelled])}
    truth = analysis_set.duplicate_pairs(labelled)
    right = len(found & truth)
    return right / max(len(found), 1), right / max(len(truth), 1), len(found), len(truth)


def quality() -> dict:
    labelled = analysis_set.load()
    tuning, held_out = analysis_set.split(labelled)
    whole = group_labels([x.item for x in labelled])
    held_ids = {x.item.id for x in held_out}
    within = [label for x, label in zip(labelled, whole, strict=True) if x.item.id in held_ids]
    result = {"items": len(labelled), "concerns": len({x.concern for x in labelled}),
              "tuning_items": len(tuning), "held_out_items": len(held_out)}
    for name, part in (("tuning", tuning), ("held_out", held_out)):
        labels = group_labels([x.item for x in part])
        result[f"ari_{name}"] = _ari(part, labels)
        result[f"groups_{name}"] = len(set(labels))
    result["ari_held_out_within_whole"] = _ari(held_out, within)
    result["ari_whole"] = _ari(labelled, whole)
    result["groups_whole"] = len(set(whole))
    precision, recall, found, truth = _duplicates(labelled)
    result.update(duplicate_precision=precision, duplicate_recall=recall,
                  duplicate_pairs_found=found, duplicate_pairs_labelled=truth)
    for name, part in (("tuning", tuning), ("held_out", held_out)):
        precision, recall, _, _ = _duplicates(part)
        result[f"duplicate_precision_{name}"] = precision
        result[f"duplicate_recall_{name}"] = recall
    unseen = analysis_set.load("unseen")
    labels = group_labels([x.item for x in unseen])
    precision, recall, found, truth = _duplicates(unseen)
    result.update(unseen_items=len(unseen), unseen_concerns=len({x.concern for x in unseen}),
                  ari_unseen=_ari(unseen, labels), groups_unseen=len(set(labels)),
                  duplicate_precision_unseen=precision, duplicate_recall_unseen=recall,
                  duplicate_pairs_found_unseen=found, duplicate_pairs_labelled_unseen=truth)
    return result


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def generated(count: int, seed: int = 2026) -> list[tuple[Item, str]]:
    """`count` contributions made from the set: sentences of one to three items of one concern,
    shuffled, a word in twenty with two letters swapped; (item, concern)."""
    rng = random.Random(seed)
    by_concern: dict[str, list] = {}
    for x in analysis_set.load():
        by_concern.setdefault(x.concern, []).append(x.item)
    concerns = sorted(by_concern)
    made = []
    for number in range(1, count + 1):
        concern = rng.choice(concerns)
        sources = rng.sample(by_concern[concern], rng.randint(1, 3))
        sentences = [s for item in sources for s in _SENTENCE.split(item.text) if s]
        chosen = rng.sample(sentences, rng.randint(1, min(4, len(sentences))))
        words = " ".join(chosen).split()
        text = " ".join(_typo(w, rng) if rng.random() < 0.05 else w for w in words)
        title = rng.choice(sources).title or ""
        made.append((Item(number, "contribution", title, text), concern))
    return made


def child(count: int) -> None:
    """Analyse `count` generated contributions; print the figures as JSON (one line)."""
    made = generated(count)
    items = [item for item, _ in made]
    start, cpu = time.perf_counter(), time.process_time()
    analysis = analyse(items)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    group_of = {item.id: number for number, group in enumerate(analysis.groups)
                for item in group.items}
    ari = adjusted_rand_score([c for _, c in made], [group_of[item.id] for item in items])
    print(json.dumps({"items": count, "seconds": seconds, "cpu_seconds": cpu,
                      "groups": len(analysis.groups),
                      "near_duplicate_pairs": len(analysis.near_duplicates), "ari": ari}))


def speed(count: int) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", str(count)], check=True,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    # ru_maxrss of the children: kB on Linux; the only child so far is the analysis.
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures["process_seconds"] = wall  # with starting Python and loading the libraries
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--quality-only", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    q = quality()
    print(f"Labelled set: {q['items']} items in {q['concerns']} concerns "
          f"(tuning {q['tuning_items']}, held out {q['held_out_items']})")
    for key, text in (("ari_tuning", "ARI, tuning part"),
                      ("ari_held_out", "ARI, held-out part on its own"),
                      ("ari_held_out_within_whole", "ARI, held-out items within the whole set"),
                      ("ari_whole", "ARI, whole set")):
        groups = q.get(key.replace("ari_", "groups_"))
        extra = f" ({groups} groups)" if groups is not None else ""
        print(f"  {text}: {q[key]:.3f}{extra}  target >= {TARGET_ARI}")
    print(f"  near-duplicates: precision {q['duplicate_precision']:.3f}, recall "
          f"{q['duplicate_recall']:.3f} ({q['duplicate_pairs_found']} pairs found, "
          f"{q['duplicate_pairs_labelled']} labelled)  target >= {TARGET_DUPLICATES}")
    print(f"  near-duplicates, tuning part: P {q['duplicate_precision_tuning']:.3f} "
          f"R {q['duplicate_recall_tuning']:.3f}; held out: P "
          f"{q['duplicate_precision_held_out']:.3f} R {q['duplicate_recall_held_out']:.3f}")
    print(f"Unseen set: {q['unseen_items']} items in {q['unseen_concerns']} concerns (never tuned on)")
    print(f"  ARI: {q['ari_unseen']:.3f} ({q['groups_unseen']} groups)  target >= {TARGET_ARI}")
    print(f"  near-duplicates: precision {q['duplicate_precision_unseen']:.3f}, recall "
          f"{q['duplicate_recall_unseen']:.3f} ({q['duplicate_pairs_found_unseen']} pairs found, "
          f"{q['duplicate_pairs_labelled_unseen']} labelled)  target >= {TARGET_DUPLICATES}")
    if args.quality_only:
        return
    s = speed(args.items)
    # On a machine shared with other work the wall time is the CPU time stretched by the
    # load: both are given, and the load average.
    print(f"{s['items']:,} generated contributions: analysis {s['seconds']:.1f} s wall, "
          f"{s['cpu_seconds']:.1f} s CPU (process {s['process_seconds']:.1f} s; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores), peak memory {s['peak_mb']:.0f} MB; "
          f"{s['groups']} groups, ARI {s['ari']:.3f}, {s['near_duplicate_pairs']:,} "
          f"near-duplicate pairs  target < {TARGET_S} s, < {TARGET_MB} MB")


if __name__ == "__main__":
    main()
