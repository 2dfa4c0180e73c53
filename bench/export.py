"""Benchmark: the participation document of a large process, in every format.

Seeds the process of bench/seed.py (1,000 organisations and 100 residents, 10,000 round-1
contributions and 5,000 round-2 comments in threads, moderated and answered as in real life) on
a fresh SQLite file (or PostgreSQL when DATABASE_URL is set). Then each format is exported in a
process of its own, as the CLI does, and the report gives the wall time and the peak memory
(maximum resident set size) of that process, of the largest helper process it started (the
PDF lays out its parts with Typst in helpers, as many at once as there are cores, and joins
them in more), and of all of them together at any one moment (sampled every 20 ms from /proc:
what the machine must have free). `--scale 2` doubles every count.

Targets (issues 6 and 16, the 2-core CI machine): DOCX and XLSX under 20 s, the tagged PDF
(PDF/UA-1) under 60 s, the export with its helpers together under 500 MB; doubling the data
at most doubles the time. bench/pages.py (`make bench`) runs
the same measurement through `measure()` and puts it in bench/REPORT.md.

    .venv/bin/python bench/export.py [--scale 1] [--formats docx,xlsx,pdf,html,csv,json]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402

from seed import SLUG, fresh_database, seed  # noqa: E402

TARGETS_S = {"docx": 20, "xlsx": 20, "pdf": 60}
TARGET_MB = 500
FORMATS = ("docx", "xlsx", "pdf", "html", "csv", "json")


def child(url: str, fmt: str, output: str) -> None:
    """One export, as `flask export` makes it; prints time and peak memory as JSON."""
    from participation import create_app
    from participation.export.services import export
    from participation.core.extensions import db
    from participation.processes.models import Process

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        process = db.session.scalar(sa.select(Process).where(Process.slug == SLUG))
        started = time.perf_counter()
        data = export(process, fmt, public=True, language="nl", actor=None)
        db.session.commit()
        Path(output).write_bytes(data)
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    helper_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"format": fmt, "seconds": round(seconds, 2), "peak_mb": round(peak_mb),
                      "helper_mb": round(helper_mb), "bytes": len(data)}))


def verdict(row: dict, scale: float = 1) -> tuple[bool | None, str]:
    """Whether a format met its target (None: no target), and the target in words."""
    limit = TARGETS_S.get(row["format"])
    if scale != 1 or not limit:
        return None, ""
    met = row["seconds"] < limit and row["total_mb"] < TARGET_MB
    return met, f"< {limit} s, < {TARGET_MB} MB"


def tree_peak(process: subprocess.Popen) -> int:
    """The largest resident memory, in MB, of `process` and its descendants together at one
    moment, sampled every 20 ms from /proc until it ends (Linux)."""
    def resident(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm") as handle:
                return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError):
            return 0

    def family(pid: int) -> list[int]:
        found, todo = [], [pid]
        while todo:
            current = todo.pop()
            found.append(current)
            try:
                for task in os.listdir(f"/proc/{current}/task"):
                    with open(f"/proc/{current}/task/{task}/children") as handle:
                        todo += [int(child) for child in handle.read().split()]
            except OSError:
                pass
        return found

    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(resident(pid) for pid in family(process.pid)))
        time.sleep(0.02)
    process.wait()
    return round(peak / 2**20)


def measure(url: str, formats, progress=None) -> list[dict]:
    """Export each format in a child process; rows of format, seconds, peak_mb, bytes.

    Raises RuntimeError (with the child's error output) when an export fails."""
    out_dir = Path(tempfile.mkdtemp(prefix="export-bench"))
    rows = []
    try:
        for fmt in formats:
            output = out_dir / f"doc.{fmt}"
            child = subprocess.Popen(
                [sys.executable, __file__, "--child", url, fmt, str(output)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
            with ThreadPoolExecutor(max_workers=2) as pool:  # drain both pipes while sampling
                out, err = pool.submit(child.stdout.read), pool.submit(child.stderr.read)
                total = tree_peak(child)
                stdout, stderr = out.result(), err.result()
            output.unlink(missing_ok=True)
            if child.returncode != 0:
                raise RuntimeError(f"export {fmt} failed:\n{stderr[-3000:]}")
            row = json.loads(stdout.strip().splitlines()[-1])
            row["total_mb"] = max(total, row["peak_mb"])
            rows.append(row)
            if progress:
                progress(row)
    finally:
        for leftover in out_dir.iterdir():
            leftover.unlink()
        out_dir.rmdir()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--child", nargs=3, metavar=("URL", "FORMAT", "OUTPUT"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0

    database = os.environ.get("DATABASE_URL")
    url, drop = (fresh_database("postgresql", database) if database
                 else fresh_database("sqlite"))
    try:
        sizes = seed(url, args.scale)
        backend = sa.engine.make_url(url).get_backend_name()
        print(f"database: {backend}; {sizes['organisations']:,} organisations, "
              f"{sizes['contributions']:,} contributions, {sizes['comments']:,} comments, "
              f"{sizes['responses']:,} responses (seeded in {sizes['seconds']} s); "
              f"{os.cpu_count()} cores")
        print(f"{'format':8} {'seconds':>8} {'peak MB':>8} {'helper MB':>9} {'together':>8} "
              f"{'size MB':>8}  target")
        ok = True

        def show(row):
            nonlocal ok
            met, target = verdict(row, args.scale)
            ok &= met is not False
            print(f"{row['format']:8} {row['seconds']:8.1f} {row['peak_mb']:8d} "
                  f"{row.get('helper_mb', 0):9d} {row['total_mb']:8d} {row['bytes'] / 1e6:8.1f}  "
                  + (f"{target}: {'met' if met else 'MISSED'}" if target else ""), flush=True)
        try:
            measure(url, args.formats.split(","), show)
        except RuntimeError as error:
            print(error)
            return 1
        return 0 if ok else 1
    finally:
        drop()


if __name__ == "__main__":
    sys.exit(main())
