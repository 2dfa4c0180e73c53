"""Benchmark: finding personal data in Dutch input (participation/redaction/detect.py).

Quality, on the labelled set tests/data/redaction_set.yaml (texts written for this project:
names, phone numbers, e-mail and street addresses, postcodes in varied forms, and ordinary
texts with tricky words): recall and precision over the findings (kind and exact text), per
kind and overall. Speed: the time to load the name lists, and per text.

With --deduce, also deduce's own pipeline (`deduce.Deduce()`) on the same set, in a process
of its own: its load time, that process's peak memory (maximum resident set size), and its
recall and precision (a finding counts when it overlaps an expected one of a matching kind:
deduce's "locatie" covers both addresses and postcodes).

Targets (issue 18): recall >= 0.9, precision >= 0.9.

    .venv/bin/python bench/redaction.py [--deduce]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SET = ROOT / "tests" / "data" / "redaction_set.yaml"

DEDUCE_KINDS = {"persoon": {"name"}, "telefoonnummer": {"phone"}, "emailadres": {"email"},
                "locatie": {"address", "postcode"}}


def ours(cases: list[dict]) -> dict:
    from participation.redaction import detect

    started = time.perf_counter()
    detect.lists()
    load = time.perf_counter() - started
    hits, wrong, missed = Counter(), Counter(), Counter()
    started = time.perf_counter()
    for case in cases:
        expected = {(k, t) for k, t in case["expect"]}
        found = {(f.kind.value, f.text) for f in detect.find(case["text"])}
        for kind, _text in expected & found:
            hits[kind] += 1
        for kind, _text in found - expected:
            wrong[kind] += 1
        for kind, _text in expected - found:
            missed[kind] += 1
    per_text = (time.perf_counter() - started) / len(cases)
    return {"load_s": load, "per_text_ms": per_text * 1000, "hits": hits, "wrong": wrong,
            "missed": missed}


def _deduce_child() -> None:
    """In its own process: deduce's pipeline on the set; JSON on stdout."""
    started = time.perf_counter()
    import deduce

    model = deduce.Deduce()
    load = time.perf_counter() - started
    cases = yaml.safe_load(SET.read_text(encoding="utf-8"))
    hits = wrong = missed = 0
    for case in cases:
        expected = []
        for kind, text in case["expect"]:
            start = case["text"].index(text)
            expected.append((kind, start, start + len(text)))
        found = [(a.tag, a.start_char, a.end_char)
                 for a in model.deidentify(case["text"]).annotations]
        matched = set()
        for tag, s, e in found:
            match = [x for x in expected if x[1] < e and s < x[2]
                     and x[0] in DEDUCE_KINDS.get(tag, set())]
            if match:
                matched.update(match)
            else:
                wrong += 1
        hits += len(matched)
        missed += len(expected) - len(matched)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"load_s": load, "rss_mb": rss, "recall": hits / (hits + missed),
                      "precision": hits / (hits + wrong) if hits + wrong else 0.0}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deduce", action="store_true", help="also run deduce's pipeline")
    parser.add_argument("--deduce-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.deduce_child:
        _deduce_child()
        return
    cases = yaml.safe_load(SET.read_text(encoding="utf-8"))
    with_data = sum(1 for c in cases if c["expect"])
    result = ours(cases)
    hits, wrong, missed = result["hits"], result["wrong"], result["missed"]
    print(f"set: {len(cases)} texts, {with_data} with personal data, "
          f"{sum(len(c['expect']) for c in cases)} findings expected")
    print(f"{'kind':<10}{'expected':>9}{'recall':>8}{'precision':>10}")
    for kind in ("name", "phone", "email", "address", "postcode"):
        expected = hits[kind] + missed[kind]
        found = hits[kind] + wrong[kind]
        print(f"{kind:<10}{expected:>9}{hits[kind] / expected if expected else 1:>8.2f}"
              f"{hits[kind] / found if found else 1:>10.2f}")
    h, w, m = sum(hits.values()), sum(wrong.values()), sum(missed.values())
    print(f"{'all':<10}{h + m:>9}{h / (h + m):>8.2f}{h / (h + w) if h + w else 1:>10.2f}")
    print(f"name lists loaded in {result['load_s']:.2f} s; {result['per_text_ms']:.2f} ms a text; "
          f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.deduce:
        out = subprocess.run([sys.executable, __file__, "--deduce-child"], check=True,
                             capture_output=True, text=True).stdout
        d = json.loads(out.strip().splitlines()[-1])
        print(f"deduce.Deduce(): loaded in {d['load_s']:.1f} s, peak memory {d['rss_mb']:.0f} MB; "
              f"recall {d['recall']:.2f}, precision {d['precision']:.2f} (overlap, kind class)")


if __name__ == "__main__":
    main()
