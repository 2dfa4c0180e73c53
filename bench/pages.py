"""Benchmark of the pages people use most, against baselines, on SQLite and PostgreSQL.

`make bench` runs this. For each database (a temporary SQLite file; a fresh PostgreSQL database
on --pg-url, dropped after) it:

1. seeds a small process (scale 0.05) and counts the SQL queries of each page in-process
   (Flask test client, SQLAlchemy before_cursor_execute), then drops it;
2. seeds the large process of bench/seed.py (1,000 organisations, 10,000 round-1
   contributions, a 40-section draft with 5,000 comments in threads, moderated and answered)
   and says how long that took;
3. exports the participation document in every format (bench/export.py's measurement: wall
   time and peak memory per format, each in a process of its own);
4. in-process again, on the large data: queries per page, time per page with one client, the
   statements that take the most time, and a cProfile of the slowest page;
5. starts the real app under gunicorn (2 sync workers, bench/wsgi_bench.py, which adds the
   baseline views of bench/baseline.py), checks once that every page answers 200 with its real
   content (a page that does not is a broken run), then runs wrk (32 connections, 2 threads,
   a warm-up first) on: the home page, the biggest round-1 theme, the draft reading view, the
   biggest open thread, and posting a comment as a logged-in participant (every request a new
   comment; the saved rows are counted after) -- each against its baseline, the two measured
   in alternating slices (page, baseline, baseline, page) whose requests are pooled, so that a
   shared machine's changing load weighs on both alike.

It writes bench/REPORT.md (tables, targets and by how much they are missed) and
bench/report.json (every figure). Targets (issue 19), on SQLite and PostgreSQL: every page
reaches at least 50% of its baseline's requests/s, with a p95 at most 1.5 times the baseline's,
and no response is an error. (Issue 8's absolute p95 limits, 150 ms for reading and 250 ms for
posting with 32 clients, are reported beside them.) Missed targets still exit 0; the exit status is
non-zero only for a broken run (a page that errs before measuring, a failed seed or export,
wrk or gunicorn not working, posts not saved).

    .venv/bin/python bench/pages.py [options]

Options:
    --duration S        seconds wrk measures each page (default 10)
    --warmup S          seconds of warm-up before each measurement (default 2)
    --slices N          each measurement in N slices, the page's and its baseline's in turn
                        (default 4: page, baseline, baseline, page, ... of S/N seconds each)
    --connections N     wrk connections (default 32); --threads N wrk threads (default 2)
    --databases LIST    sqlite,postgresql (default both)
    --pg-url URL        PostgreSQL server (default postgresql://postgres@127.0.0.1:5432/postgres)
    --skip-pdf          export every format but PDF (PDF takes 10-20 minutes per database)
    --skip-export       no export figures at all
    --quick             --duration 5 --warmup 1 --skip-pdf: a fast check that everything works
    --accept-encoding H what the reading requests accept (default as browsers:
                        "gzip, deflate, br, zstd"; "" for uncompressed pages)
    --output-dir DIR    where REPORT.md and report.json go (default bench/)

Requires /usr/bin/wrk (Debian's wrk) and a PostgreSQL server for the PostgreSQL part. The
machine is usually shared: figures are noisy; the report records the load average.
"""
from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import os
import platform
import pstats
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import sqlalchemy as sa  # noqa: E402

import export as export_bench  # noqa: E402
from seed import PG_DEFAULT, fresh_database, make_app, seed  # noqa: E402

WRK = shutil.which("wrk") or "/usr/bin/wrk"
READ_P95_MS = 150
POST_P95_MS = 250
MIN_RATIO = 0.5
MAX_P95_FACTOR = 1.5
SMALL_SCALE = 0.05
POST_TEXT = "Reactie uit de belastingtest"


class BrokenRun(Exception):
    """The benchmark could not measure what it should (as opposed to a missed target)."""


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    method: str = "GET"

    def path(self, info: dict) -> str:
        slug = info["slug"]
        return {"home": "/", "theme": f"/p/{slug}/input?theme={info['theme']['id']}",
                "draft": f"/p/{slug}/draft",
                "thread": f"/p/{slug}/draft/s/{info['thread']['number']}",
                "post": f"/p/{slug}/draft/s/{info['thread']['number']}"}[self.key]

    def baseline(self, info: dict) -> str:
        slug = info["slug"]
        return {"home": "/_baseline/home",
                "theme": f"/_baseline/theme/{slug}/{info['theme']['id']}",
                "draft": f"/_baseline/draft/{slug}",
                "thread": f"/_baseline/thread/{slug}/{info['thread']['number']}",
                "post": f"/_baseline/thread/{slug}/{info['thread']['number']}"}[self.key]

    def markers(self, info: dict) -> list[str]:
        """Texts that only the real content has: checked before anything is measured."""
        return {"home": [info["title"]],
                "theme": [info["theme"]["title"], f"/input/{info['theme']['newest_id']}\""],
                "draft": [info["draft"]["last_heading"], f"{info['thread']['visible']} reacties"],
                "thread": [info["thread"]["heading"], f"id=\"c-{info['thread']['first_id']}\""],
                "post": []}[self.key]


PAGES = (Page("home", "Home page"), Page("theme", "Round-1 theme (biggest)"),
         Page("draft", "Draft reading view"), Page("thread", "Open thread (biggest)"),
         Page("post", "Posting a comment", "POST"))
READS = [p for p in PAGES if p.method == "GET"]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the machine ----------------------------------------------------------------------------

def machine(pg_url: str | None) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                      .splitlines() if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem_kb = 0
    info = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cores": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "os": platform.platform(), "load_at_start": [round(x, 2) for x in os.getloadavg()]}
    try:
        info["wrk"] = subprocess.run([WRK, "--version"], capture_output=True, text=True,
                                     timeout=10).stdout.splitlines()[0].strip()
    except (OSError, IndexError, subprocess.SubprocessError):
        info["wrk"] = "not found"
    try:  # which code was measured: the commit, and whether the working tree differs from it
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, cwd=ROOT, timeout=10).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                 capture_output=True, text=True, cwd=ROOT,
                                 timeout=10).stdout.splitlines()
        info["code"] = f"commit {head}" + (f" with {len(changed)} changed files in the working "
                                           "tree" if changed else "")
    except (OSError, subprocess.SubprocessError):
        info["code"] = "unknown"
    try:
        import gunicorn
        info["gunicorn"] = gunicorn.__version__
    except ImportError:
        info["gunicorn"] = "not installed"
    if pg_url:
        try:
            from participation.core.config import normalise_database_url
            engine = sa.create_engine(normalise_database_url(pg_url))
            with engine.connect() as conn:
                info["postgresql"] = conn.execute(sa.text("SHOW server_version")).scalar()
            engine.dispose()
        except sa.exc.SQLAlchemyError as error:
            info["postgresql"] = f"unreachable ({str(error).splitlines()[0][:120]})"
    return info


# --- in-process: queries, time, profile -------------------------------------------------------

class Statements:
    """Every SQL statement the engine runs while `active`, with its time in ms."""

    def __init__(self, engine):
        self.active = False
        self.rows: list[tuple[str, float]] = []
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        started = conn.info["bench_started"].pop()
        if self.active:
            self.rows.append((statement, (time.perf_counter() - started) * 1000))


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html)
    if not match:
        raise BrokenRun(f"no {name} field in the page")
    return match.group(1).replace("&#43;", "+").replace("&amp;", "&")


def _check(page_label: str, status: int, body: str, markers: list[str], expected=200) -> None:
    if status != expected:
        raise BrokenRun(f"{page_label}: status {status}, expected {expected}")
    missing = [m for m in markers if m not in body]
    if missing:
        raise BrokenRun(f"{page_label}: the real content is missing ({missing})")


def _summary(statements: list[tuple[str, float]], runs: int, top: int = 4) -> list[dict]:
    by_sql: dict[str, list[float]] = {}
    for sql, ms in statements:
        by_sql.setdefault(" ".join(sql.split()), []).append(ms)
    rows = sorted(by_sql.items(), key=lambda item: -sum(item[1]))[:top]
    return [{"sql": sql[:220], "per_request": round(len(times) / runs, 1),
             "ms_per_request": round(sum(times) / runs, 2)} for sql, times in rows]


def inprocess(url: str, info: dict, runs: int, profile: bool) -> dict:
    """Queries and single-client time per page (and baseline), the dominant statements, and a
    profile of the slowest page."""
    from baseline import bp as baseline_bp

    app = make_app(url)
    app.register_blueprint(baseline_bp)
    from participation.core.extensions import db
    with app.app_context():
        engine = db.engine
    statements = Statements(engine)
    visitor, participant = app.test_client(), app.test_client()
    login = participant.get("/account/login")
    response = participant.post("/account/login", data={
        "csrf_token": _hidden(login.text, "csrf_token"), "email": info["poster"]["email"],
        "password": info["poster"]["password"]})
    if response.status_code != 302:
        raise BrokenRun(f"in-process login failed: status {response.status_code}")
    result = {}

    def form_data() -> dict:
        """A new comment, with the tokens of a freshly loaded form."""
        form = participant.get(Page("post", "").path(info))
        return {"csrf_token": _hidden(form.text, "csrf_token"),
                "form_started": _hidden(form.text, "form_started"),
                "submission_key": uuid.uuid4().hex, "website": "",
                "body": f"{POST_TEXT} in-process {uuid.uuid4().hex[:8]}"}

    def one(key: str, client, method: str, path: str, markers: list[str], expected: int):
        timings, counts, sql = [], [], []
        for run in range(runs + 1):  # the first run warms caches and is not kept
            data = form_data() if method == "POST" else None
            statements.rows.clear()
            statements.active = True
            started = time.perf_counter()
            response = client.open(path, method=method, data=data)
            elapsed = (time.perf_counter() - started) * 1000
            statements.active = False
            _check(f"{key} {path} (in-process)", response.status_code, response.text, markers,
                   expected)
            if run:
                timings.append(elapsed)
                counts.append(len(statements.rows))
                sql.extend(statements.rows)
        return {"queries": max(counts), "queries_min": min(counts),
                "ms_median": round(statistics.median(timings), 1),
                "bytes": len(response.data), "top_statements": _summary(sql, runs)}

    for page in PAGES:
        client = participant if page.method == "POST" else visitor
        expected = 302 if page.method == "POST" else 200
        result[page.key] = {
            "page": one(page.key, client, page.method, page.path(info), page.markers(info),
                        expected),
            "baseline": one(page.key, client, page.method, page.baseline(info),
                            page.markers(info), expected)}
    if profile:
        slowest = max(READS, key=lambda p: result[p.key]["page"]["ms_median"])
        posting = PAGES[-1]
        result["profiles"] = [profile_page(visitor, slowest, slowest.path(info)),
                              profile_page(participant, posting, posting.path(info),
                                           form_data=form_data)]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return result


def _area(filename: str) -> str:
    if filename.endswith(".html"):
        return "Jinja templates (rendering)"
    for marker, area in (("/participation/", "participation (app code)"),
                         ("/sqlalchemy/", "SQLAlchemy"),
                         ("/psycopg", "psycopg (driver, and waiting for PostgreSQL)"),
                         ("/jinja2/", "Jinja2 runtime"), ("/markupsafe/", "Jinja2 runtime"),
                         ("/babel/", "Babel"), ("/flask_babel/", "Babel"),
                         ("/werkzeug/", "Flask/Werkzeug"), ("/flask/", "Flask/Werkzeug"),
                         ("/flask_", "Flask extensions"), ("/wtforms/", "Flask extensions")):
        if marker in filename:
            return area
    if "sqlite3" in filename:
        return "sqlite3 (driver and SQLite itself)"
    return "other (stdlib, builtins)"


def profile_page(client, page: Page, path: str, runs: int = 3, form_data=None) -> dict:
    """cProfile over `runs` requests (a POST gets fresh form data, made outside the profile)."""
    profiler = cProfile.Profile()
    for _ in range(runs):
        data = form_data() if form_data else None
        profiler.enable()
        client.open(path, method=page.method, data=data)
        profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    areas: dict[str, float] = {}
    functions = []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():
        if filename == "~":  # a builtin: C code of the driver, or the interpreter's
            filename = next((d for d in ("sqlite3", "/psycopg") if d.strip("/") in name), "~")
        area = _area(filename)
        areas[area] = areas.get(area, 0) + tottime
        short = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        functions.append({"function": f"{short}:{line}({name})", "calls": calls // runs,
                          "self_ms": round(tottime / runs * 1000, 1),
                          "cumulative_ms": round(cumtime / runs * 1000, 1)})
    functions.sort(key=lambda f: -f["self_ms"])
    return {"page": page.key, "label": page.label, "method": page.method, "path": path,
            "runs": runs,
            "ms_per_request": round(total / runs * 1000, 1),
            "areas": sorted(([a, round(t / runs * 1000, 1)] for a, t in areas.items()),
                            key=lambda x: -x[1]),
            "functions": functions[:15]}


# --- over HTTP: gunicorn and wrk ----------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, cookie: str = "", body: dict | None = None,
            timeout: float = 60) -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Cookie": cookie} if cookie else {}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()} | {
            "set-cookie-all": response.headers.get_all("Set-Cookie") or []}, text
    finally:
        conn.close()


def _session_cookie(headers: dict, old: str = "") -> str:
    for cookie in headers["set-cookie-all"]:
        if cookie.startswith("session="):
            return cookie.split(";", 1)[0]
    return old


class Server:
    """The real app (plus baselines) under gunicorn with 2 sync workers on a free port.

    `env` adds or replaces settings (bench/load.py: the rate limits on, in Redis)."""

    def __init__(self, url: str, env: dict[str, str] | None = None, workers: int = 2):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log",
                                               delete=False)
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-" + uuid.uuid4().hex,
               "RATELIMIT_ENABLED": "false", "SPAM_MIN_SECONDS": "0", **(env or {})}
        env.pop("FLASK_DEBUG", None)
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(
            [str(gunicorn), "--no-control-socket", "--workers", str(workers),
             "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--timeout", "120", "--graceful-timeout", "5",
             "--chdir", str(BENCH), "--log-level", "warning", "wsgi_bench:app"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        # Generous: on a machine shared with other work, starting two workers can take long.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrokenRun(f"gunicorn exited ({self.process.returncode}):\n{self.tail()}")
            try:
                if request(self.port, "GET", "/_baseline/home", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        log = self.tail()  # before stop(), which removes the log
        self.stop()
        raise BrokenRun(f"gunicorn did not answer within 180 s:\n{log}")

    def tail(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def drain(port: int) -> None:
    """Wait until the workers have answered what wrk left queued when it stopped: a probe
    joins the end of the queue, so its answer means the queue ahead of it is done."""
    try:
        request(port, "GET", "/_baseline/home", timeout=120)
    except OSError as error:
        raise BrokenRun(f"the server did not answer after a measurement: {error}") from error
    time.sleep(0.3)


def wrk(port: int, path: str, seconds: int, args, script: str = "report.lua",
        extra: list[str] | None = None) -> dict:
    command = [WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s",
               "--timeout", "30s", "--latency", "-s", str(BENCH / "wrk" / script)]
    if args.accept_encoding and script == "report.lua":
        command += ["-H", f"Accept-Encoding: {args.accept_encoding}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    if extra:
        command += ["--", *extra]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    line = next((x for x in result.stdout.splitlines() if x.startswith("JSON:")), None)
    if result.returncode != 0 or line is None:
        raise BrokenRun(f"wrk failed ({result.returncode}): {result.stderr[-2000:]}"
                        f"{result.stdout[-2000:]}")
    row = json.loads(line[5:])
    drain(port)
    return _derived(row)


def _derived(row: dict) -> dict:
    row["seconds"] = row["duration_us"] / 1e6
    row["kib_per_response"] = round(row["bytes"] / row["requests"] / 1024, 1) if row[
        "requests"] else 0.0
    row["rps"] = round(row["requests"] / row["seconds"], 1) if row["seconds"] else 0.0
    row["errors"] = (row["status"] + row["connect"] + row["read"] + row["write"]
                     + row["timeout"] + row.get("shown_again", 0))
    return row


_SUMMED = ("requests", "duration_us", "bytes", "connect", "read", "write", "status", "timeout",
           "redirected", "shown_again", "other")


def pooled(slices: list[dict]) -> dict:
    """One measurement made of several slices: counts added up, latencies pooled (each slice's
    200 quantiles weigh as its share of the requests), so p95 is that of all the requests."""
    row = {key: sum(s[key] for s in slices) for key in _SUMMED if key in slices[0]}
    samples = sorted((value, s["requests"] / len(s["q"])) for s in slices for value in s["q"])
    total = sum(weight for _, weight in samples) or 1.0

    def percentile(p: float) -> float:
        seen = 0.0
        for value, weight in samples:
            seen += weight
            if seen >= total * p / 100 - 1e-9:
                return value
        return samples[-1][0] if samples else 0.0
    for p in (50, 75, 90, 95, 99):
        row[f"p{p}"] = percentile(p)
    row["mean"] = (sum(s["mean"] * s["requests"] for s in slices)
                   / max(1, sum(s["requests"] for s in slices)))
    row["max"] = max(s["max"] for s in slices)
    row["slices"] = [{"rps": round(s["requests"] / (s["duration_us"] / 1e6), 1),
                      "p95": s["p95"]} for s in slices]
    return _derived(row)


def _count_posts(url: str, prefix: str) -> int:
    """Comments whose text starts with `prefix`."""
    from participation.comments.models import Comment

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).select_from(Comment).where(
                Comment.body_md.like(f"{prefix}%")))
    finally:
        engine.dispose()


def _refresh_thread_count(url: str, info: dict) -> None:
    """The in-process posts added comments to the biggest thread: count what it shows now."""
    from participation.comments.models import Comment

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            info["thread"]["visible"] = conn.scalar(
                sa.select(sa.func.count()).select_from(Comment).where(
                    Comment.lineage_id == info["thread"]["lineage_id"],
                    Comment.is_shown))
    finally:
        engine.dispose()


def load(url: str, info: dict, args) -> dict:
    """Every page and baseline under wrk; the posting runs count their saved rows after."""
    _refresh_thread_count(url, info)
    server = Server(url)
    try:
        port = server.port
        status, headers, text = request(port, "GET", "/account/login")
        cookie = _session_cookie(headers)
        status, headers, _ = request(port, "POST", "/account/login", cookie, {
            "csrf_token": _hidden(text, "csrf_token"), "email": info["poster"]["email"],
            "password": info["poster"]["password"]})
        if status != 302:
            raise BrokenRun(f"login over HTTP failed: status {status}")
        cookie = _session_cookie(headers, cookie)
        for page in READS:
            for label, path in ((page.label, page.path(info)),
                                (page.label + " baseline", page.baseline(info))):
                status, _, body = request(port, "GET", path)
                _check(f"{label} {path}", status, body, page.markers(info))
        form_page = Page("post", "").path(info)
        status, _, form = request(port, "GET", form_page, cookie)
        _check("the comment form", status, form, ["form_started"])
        token, started = _hidden(form, "csrf_token"), _hidden(form, "form_started")
        posting = Page("post", "").path(info), Page("post", "").baseline(info)
        for label, path in zip(("page", "baseline"), posting, strict=True):
            prefix = f"{POST_TEXT} wrk-{label}"
            before = _count_posts(url, prefix)
            status, _, body = request(port, "POST", path, cookie, {
                "csrf_token": token, "form_started": started, "website": "",
                "submission_key": uuid.uuid4().hex, "body": f"{prefix} check"})
            if status != 302 or _count_posts(url, prefix) != before + 1:
                raise BrokenRun(f"posting a comment to {path} did not save it (status {status})"
                                f"\n{body[:2000]}")
        results = {}
        slice_seconds = max(1, round(args.duration / args.slices))
        for page in PAGES:
            results[page.key] = {}
            plans = {}
            for label, path in (("page", page.path(info)), ("baseline", page.baseline(info))):
                script, prefix = "report.lua", None
                if page.method == "POST":
                    prefix = f"{POST_TEXT} wrk-{label}"
                    before = _count_posts(url, prefix)
                    script = "post.lua"

                    def extra_for(run: str, prefix=prefix):
                        return [uuid.uuid4().hex[:12], cookie, urllib.parse.quote(token, safe=""),
                                urllib.parse.quote(started, safe=""),
                                urllib.parse.quote_plus(f"{prefix} {run}")]
                if args.warmup:
                    wrk(port, path, args.warmup, args, script,
                        extra_for("warm-up") if prefix else None)
                if prefix:
                    between = _count_posts(url, prefix)
                plans[label] = (path, script, prefix, extra_for if prefix else None,
                                before if prefix else 0, between if prefix else 0)
            # The page and its baseline in turn, slice after slice (page, baseline, baseline,
            # page, ...): a shared machine's load weighs on both alike, so their ratio holds.
            slices: dict[str, list[dict]] = {"page": [], "baseline": []}
            for n in range(args.slices):
                for label in (("page", "baseline") if n % 2 == 0 else ("baseline", "page")):
                    path, script, prefix, extra_for, _b, _w = plans[label]
                    slices[label].append(wrk(port, path, slice_seconds, args, script,
                                             extra_for("run") if prefix else None))
            for label in ("page", "baseline"):
                path, script, prefix, extra_for, before, between = plans[label]
                row = pooled(slices[label])
                if not row["requests"]:
                    raise BrokenRun(f"{path}: no request completed in {args.duration} s; "
                                    "measure longer (--duration)")
                if prefix:
                    row["rows_before"] = before
                    row["rows_saved_warmup"] = between - before
                    row["rows_saved"] = _count_posts(url, prefix) - between
                    if row["redirected"] and row["rows_saved"] < row["redirected"]:
                        raise BrokenRun(f"{path}: {row['redirected']} posts answered as saved "
                                        f"but only {row['rows_saved']} rows found")
                results[page.key][label] = row
                log(f"  {page.label:28} {label:8} {row['rps']:8.1f} req/s  "
                    f"p50 {row['p50']:7.1f}  p95 {row['p95']:7.1f}  p99 {row['p99']:7.1f} ms  "
                    f"errors {row['errors']}")
        return results
    except BrokenRun as error:
        raise BrokenRun(f"{error}\n--- gunicorn's log ---\n{server.tail()}") from error
    finally:
        server.stop()


# --- targets and the report ----------------------------------------------------------------------

def judge(page: Page, row: dict, base: dict) -> dict:
    """Whether this page meets its targets (issue 19: at least MIN_RATIO of its baseline's
    requests/s and a p95 at most MAX_P95_FACTOR times the baseline's, no errors), and by how
    much it misses them. The absolute limits of issue 8 (READ_P95_MS, POST_P95_MS) are
    reported beside them: with 32 clients on 2 workers they measure the machine more than
    the page."""
    ratio = row["rps"] / base["rps"] if base["rps"] else 0.0
    factor = row["p95"] / base["p95"] if base["p95"] else float("inf")
    misses = []
    if ratio < MIN_RATIO:
        misses.append(f"throughput {ratio:.0%} of baseline (needs ≥ {MIN_RATIO:.0%}: "
                      f"{MIN_RATIO / ratio if ratio else float('inf'):.1f}× short)")
    if factor > MAX_P95_FACTOR:
        misses.append(f"p95 {factor:.2f}× the baseline's (limit {MAX_P95_FACTOR}×)")
    if row["errors"]:
        misses.append(f"{row['errors']} error responses")
    limit = READ_P95_MS if page.method == "GET" else POST_P95_MS
    return {"ratio": round(ratio, 3), "p95_factor": round(factor, 3), "met": not misses,
            "misses": misses, "under_absolute_limit": row["p95"] < limit}


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def write_report(report: dict, out_dir: Path) -> Path:
    m = report["machine"]
    lines = [
        "# Benchmark report: pages, posting and the participation document", "",
        f"Made by `make bench` (bench/pages.py) on {m['date']}. Raw figures: `report.json`.", "",
        "## Machine", "",
        f"- {m['cores']} cores, {m['cpu']}, {m['ram_gib']} GiB RAM; {m['os']}",
        f"- Python {m['python']}, SQLite {m['sqlite']}, PostgreSQL {m.get('postgresql', '-')}, "
        f"gunicorn {m['gunicorn']}, {m['wrk']}; code measured: {m.get('code', 'unknown')}",
        f"- load average (1/5/15 min) at start {m['load_at_start']}, at end "
        f"{m.get('load_at_end', '-')}. The machine is shared with other work: figures are "
        "noisy; compare ratios measured in one run rather than absolute numbers across runs.",
        f"- wrk: {report['settings']['connections']} connections, "
        f"{report['settings']['threads']} threads, {report['settings']['duration']} s per "
        f"measurement after {report['settings']['warmup']} s of warm-up; reading requests "
        f"send `Accept-Encoding: {report['settings']['accept_encoding'] or '(none)'}` (KiB sent "
        "is the response as sent, headers included); gunicorn with 2 sync workers, the app "
        "and wrk on the same machine. The in-process figures are without compression.", ""]
    for db_name, run in report["databases"].items():
        if "error" in run:
            lines += [f"## {db_name}: BROKEN RUN", "", "```", run["error"], "```", ""]
            continue
        s = run["seed"]
        lines += [
            f"## {db_name}", "",
            f"Seeded {s['organisations']:,} organisations ({s['users']:,} accounts), "
            f"{s['contributions']:,} round-1 contributions ({s['contributions_visible']:,} "
            f"public), {s['sections']} sections with {s['comments']:,} comments "
            f"({s['comments_visible']:,} public, threads up to depth {s['max_depth']}), "
            f"{s['supports']:,} \"I agree\" marks and {s['responses']:,} responses in "
            f"**{s['seconds']} s** (schema migration {s['migrate_seconds']} s of it). "
            f"Biggest theme: {s['theme']['title']} ({s['theme']['visible']:,} public "
            f"contributions); biggest thread: section {s['thread']['number']} "
            f"({s['thread']['visible']:,} public comments).", ""]
        if "load" in run:
            lines += [
                "| page | req/s | p50 ms | p95 ms | p99 ms | errors | KiB sent | baseline req/s | "
                "baseline p95 ms | page/baseline | p95 / baseline p95 | targets |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
            for page in PAGES:
                row, base = run["load"][page.key]["page"], run["load"][page.key]["baseline"]
                verdict = run["verdicts"][page.key]
                text = "met" if verdict["met"] else "**missed**: " + "; ".join(verdict["misses"])
                lines.append(
                    f"| {page.label} | {row['rps']:,.1f} | {_ms(row['p50'])} | "
                    f"{_ms(row['p95'])} | {_ms(row['p99'])} | {row['errors']} | "
                    f"{row['kib_per_response']} | {base['rps']:,.1f} | {_ms(base['p95'])} | "
                    f"{verdict['ratio']:.2f} | {verdict.get('p95_factor', 0):.2f} | "
                    f"{text} |")
            post = run["load"]["post"]
            lines += ["", "Posting: " + "; ".join(
                f"{label}: {post[label]['redirected']:,} answered as saved (302), "
                f"{post[label]['shown_again']} forms shown again, {post[label]['other']} other; "
                f"{post[label]['rows_saved']:,} new rows counted in the database after the "
                f"measurement (+{post[label]['rows_saved_warmup']:,} in the warm-up)"
                for label in ("page", "baseline")) + ".", ""]
        if "inprocess" in run:
            small = run.get("inprocess_small", {})
            lines += [
                "SQL queries per request, counted in-process (Flask test client, SQLAlchemy "
                "`before_cursor_execute`), on the small seed (scale "
                f"{SMALL_SCALE}) and the large one; time with one client, in-process:", "",
                "| page | queries (small) | queries (large) | baseline queries | "
                "ms, 1 client (large) | baseline ms | HTML size (large) |",
                "|---|---:|---:|---:|---:|---:|---:|"]
            for page in PAGES:
                big = run["inprocess"][page.key]
                lines.append(
                    f"| {page.label} | {small.get(page.key, {}).get('page', {}).get('queries', '-')}"
                    f" | {big['page']['queries']} | {big['baseline']['queries']} | "
                    f"{_ms(big['page']['ms_median'])} | {_ms(big['baseline']['ms_median'])} | "
                    f"{big['page']['bytes'] / 1024:,.0f} KiB |")
            lines += ["", "Statements that take the most time per request (large seed, "
                      "in-process):", ""]
            for page in PAGES:
                lines.append(f"- {page.label}: " + "; ".join(
                    f"`{t['sql'][:110]}…` {t['ms_per_request']} ms ({t['per_request']}×)"
                    for t in run["inprocess"][page.key]["page"]["top_statements"][:3]))
            for n, prof in enumerate(run["inprocess"].get("profiles", [])):
                which = "the slowest reading page" if n == 0 else "posting"
                lines += ["", f"Profile of {which}, {prof['label']} (`{prof['method']} "
                          f"{prof['path']}`), cProfile over {prof['runs']} requests: "
                          f"{prof['ms_per_request']} ms per request under the profiler. Self "
                          "time by area:", "",
                          "| area | ms per request |", "|---|---:|"]
                lines += [f"| {area} | {ms} |" for area, ms in prof["areas"]]
                lines += ["", "| function (largest self time) | calls | self ms | cumulative ms |",
                          "|---|---:|---:|---:|"]
                lines += [f"| `{f['function']}` | {f['calls']:,} | {f['self_ms']} | "
                          f"{f['cumulative_ms']} |" for f in prof["functions"][:12]]
        if run.get("exports"):
            lines += ["", "Participation document (bench/export.py's measurement, each format "
                      "in a process of its own, on the large seed):", "",
                      "| format | seconds | peak MB | size MB | target (issue 6) |",
                      "|---|---:|---:|---:|---|"]
            for row in run["exports"]:
                met, target = export_bench.verdict(row)
                lines.append(f"| {row['format'].upper()} | {row['seconds']:.1f} | "
                             f"{row['peak_mb']} | {row['bytes'] / 1e6:.1f} | "
                             + (f"{target}: {'met' if met else '**missed**'}" if target else "")
                             + " |")
        lines.append("")
    args_connections = report["settings"]["connections"]
    lines += [f"## Targets (issue 19, {args_connections} clients)", ""]
    for db_name, run in report["databases"].items():
        if "verdicts" not in run:
            lines.append(f"- {db_name}: not measured in this run.")
            continue
        for page in PAGES:
            v = run["verdicts"][page.key]
            lines.append(f"- {db_name}, {page.label}: {v['ratio']:.2f} of the baseline's "
                         f"requests/s, p95 {v.get('p95_factor', 0):.2f}× the baseline's: "
                         + ("met" if v["met"] else "missed: " + "; ".join(v["misses"])))
    lines += ["", f"Every page: at least {MIN_RATIO:.0%} of its baseline's requests/s and a p95 "
              f"at most {MAX_P95_FACTOR}× the baseline's, measured in the same run (the two in "
              f"alternating slices, {report['settings'].get('slices', 1)} each), no error "
              "responses. A baseline reads the rows its page shows with one SQL statement and "
              "renders them with a bare Jinja template inside the same app and workers "
              "(bench/baseline.py); the posting baseline inserts one row with one INSERT ... "
              f"SELECT. Issue 8's absolute limits (p95 < {READ_P95_MS} ms reading, "
              f"< {POST_P95_MS} ms posting, with {args_connections} clients on 2 workers: "
              f"more than {args_connections / (READ_P95_MS / 1000):,.0f} req/s) measure "
              "the machine as much as the page; the p95 column shows where they stand.", ""]
    path = out_dir / "REPORT.md"
    path.write_text("\n".join(lines))
    return path


# --- the run ---------------------------------------------------------------------------------------

def run_database(kind: str, args) -> dict:
    run: dict = {}
    formats = [f for f in export_bench.FORMATS if not (args.skip_pdf and f == "pdf")]
    log(f"{kind}: small seed (scale {SMALL_SCALE}) for the query counts")
    url, drop = fresh_database(kind, args.pg_url)
    try:
        small = seed(url, SMALL_SCALE)
        run["seed_small"] = small
        counts = inprocess(url, small, runs=2, profile=False)
        run["inprocess_small"] = counts
    finally:
        drop()
    log(f"{kind}: large seed")
    url, drop = fresh_database(kind, args.pg_url)
    try:
        info = seed(url, args.scale)
        run["seed"] = info
        log(f"{kind}: seeded {info['contributions']:,} contributions and {info['comments']:,} "
            f"comments in {info['seconds']} s")
        if not args.skip_export:
            log(f"{kind}: exports ({', '.join(formats)})")
            run["exports"] = export_bench.measure(url, formats, lambda row: log(
                f"  export {row['format']:5} {row['seconds']:7.1f} s  {row['peak_mb']} MB"))
        log(f"{kind}: in-process queries, time and profile")
        run["inprocess"] = inprocess(url, info, runs=args.runs, profile=not args.no_profile)
        for page in PAGES:
            log(f"  {page.label:28} {run['inprocess'][page.key]['page']['queries']:3d} queries "
                f"(small seed {counts[page.key]['page']['queries']}), "
                f"{run['inprocess'][page.key]['page']['ms_median']:7.1f} ms")
        log(f"{kind}: load test with wrk")
        run["load"] = load(url, info, args)
        run["verdicts"] = {p.key: judge(p, run["load"][p.key]["page"],
                                        run["load"][p.key]["baseline"]) for p in PAGES}
    finally:
        drop()
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", PG_DEFAULT))
    parser.add_argument("--accept-encoding", default="gzip, deflate, br, zstd")
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output-dir", type=Path, default=BENCH)
    parser.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=5, help=argparse.SUPPRESS)
    parser.add_argument("--no-profile", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.duration, args.warmup, args.skip_pdf = 5, 1, True
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown database {', '.join(unknown)}")
    if not Path(WRK).exists():
        print(f"wrk not found ({WRK}): apt-get install wrk", file=sys.stderr)
        return 2
    report = {"machine": machine(args.pg_url if "postgresql" in databases else None),
              "settings": {k: (str(v) if isinstance(v, Path) else v)
                           for k, v in vars(args).items()}, "databases": {}}
    broken = False
    for kind in databases:
        try:
            report["databases"][kind] = run_database(kind, args)
        except (BrokenRun, RuntimeError, sa.exc.SQLAlchemyError, OSError,
                subprocess.SubprocessError) as error:
            broken = True
            log(f"{kind}: BROKEN RUN: {error}")
            report["databases"][kind] = {"error": f"{type(error).__name__}: {error}"}
    report["machine"]["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.output_dir.mkdir(parents=True, exist_ok=True)
    (args.output_dir / "report.json").write_text(json.dumps(report, indent=1, default=str))
    path = write_report(report, args.output_dir)
    log(f"report: {path}")
    print(path.read_text())
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
