"""Long work as jobs with real worker processes: a killed worker's export is finished by the
next one, no job runs twice at once, a failed job says so; on the embedded SQLite store and on
Redis. And the kept result: asked again with nothing changed, the same file at once."""
from __future__ import annotations

import json
import os
import re
import signal
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from participation.core.extensions import db
from participation.jobs import services
from participation.jobs.models import Job, JobState

from .factories import (csrf_token, login, make_contribution, make_organisation, make_process,
                        make_user)
from .workers import job_row, wait_for, workers  # noqa: F401  (the fixture)

SLUG = "economie"
EXPORT = f"/p/{SLUG}/export"
#: Both job stores: the embedded one of `make run` (a SQLite file) and production's Redis. CI
#: runs each with its own database (markers `embedded` and `redis`): the SQLite file in its
#: SQLite run, Redis in its PostgreSQL run, the two set-ups people run.
BOTH_STORES = pytest.mark.parametrize("workers", [
    pytest.param("sqlite", marks=pytest.mark.embedded),
    pytest.param("redis", marks=pytest.mark.redis)], indirect=True)


def _world(app, client):
    with app.app_context():
        process = make_process(SLUG)
        author = make_user("ria@example.nl", name="Ria Smit",
                           organisation=make_organisation("Bakkerij Bolk"))
        make_contribution(process, process.themes[0], author, title="Meer bedrijventerrein")
        db.session.commit()
        make_user("staff@example.nl", role="staff", locale="en")
    login(client, "staff@example.nl")


def _ask(client, fmt: str):
    page = client.get(EXPORT).get_data(as_text=True)
    return client.post(EXPORT, data={"csrf_token": csrf_token(page), "format": fmt,
                                     "language": "en", "version": "public"})


def _start(client, fmt: str) -> int:
    response = _ask(client, fmt)
    assert response.status_code == 303, response.status_code
    return int(re.search(r"/export/jobs/(\d+)$", response.headers["Location"]).group(1))


def _pid(row) -> int:
    return int(row.worker_id.split(":")[1])


@BOTH_STORES
def test_a_killed_workers_export_is_finished_by_the_next(app, client, workers):  # noqa: F811
    _world(app, client)
    first = workers.start()
    job_id = _start(client, "csv")
    running = wait_for(lambda: (row := job_row(app, job_id)).stage == "rendering" and row,
                       "the first worker to be in the middle of the export")
    assert _pid(running) == first.pid
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert job_row(app, job_id).state is JobState.running  # a dead worker's lease

    second = workers.start()
    done = wait_for(lambda: (row := job_row(app, job_id)).state in (JobState.done, JobState.failed) and row,
                    "the export to finish")
    assert done.state is JobState.done, done.error
    assert _pid(done) == second.pid
    assert done.attempts == 2
    page = client.get(f"{EXPORT}/jobs/{job_id}").get_data(as_text=True)
    assert "Download the document" in page
    response = client.get(f"{EXPORT}/jobs/{job_id}/download")
    assert response.status_code == 200
    assert "Meer bedrijventerrein" in response.get_data(as_text=True)


@BOTH_STORES
def test_workers_never_run_one_job_twice(app, client, workers):  # noqa: F811
    _world(app, client)
    for _ in range(3):
        workers.start()
    ids = [_start(client, fmt) for fmt in ("csv", "json", "html", "xlsx")]
    for job_id in ids:  # the same news again, as a reaper or a retry would send it
        for _ in range(3):
            app.extensions["huey"].run_job(job_id)
    rows = wait_for(lambda: all((rows := [job_row(app, i) for i in ids])[n].state is JobState.done
                                for n in range(len(ids))) and rows, "every export to finish")
    assert [row.attempts for row in rows] == [1, 1, 1, 1]
    starts = re.findall(r"job (\d+): claimed by", workers.logs())
    assert sorted(int(n) for n in starts) == sorted(ids)


def test_a_failed_export_tells_who_asked_and_keeps_the_error(app, client, workers,  # noqa: F811
                                                             tmp_path):
    _world(app, client)
    # The result storage is not a folder (a mount gone wrong): the export cannot be saved.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    workers.settings["JOB_RESULT_FOLDER"] = str(blocked)
    workers.start()
    job_id = _start(client, "json")
    failed = wait_for(lambda: (row := job_row(app, job_id)).state in (JobState.done, JobState.failed) and row,
                      "the export to end")
    assert failed.state is JobState.failed
    assert "not-a-folder" in failed.error and "Traceback" in failed.error
    page = client.get(f"{EXPORT}/jobs/{job_id}").get_data(as_text=True)
    assert "Something went wrong while making this document" in page
    assert f"job {job_id}" in page
    assert "Traceback" not in page
    assert client.get(f"{EXPORT}/jobs/{job_id}/status").get_json()["state"] == "failed"
    listed = app.test_cli_runner().invoke(args=["jobs", "list", "--failed"]).output
    assert f"{job_id} export" in listed and "not-a-folder" in listed


def test_one_claim_wins(app):
    """Eight workers claim one job at the same moment: one UPDATE, one winner."""
    with app.app_context():
        job = Job(kind="export", parameters={})  # not queued: only the claims below touch it
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    barrier, won = threading.Barrier(8), []

    def claim(n):
        with app.app_context():
            barrier.wait()
            won.append(services.claim(job_id, f"worker-{n}"))
    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert won.count(True) == 1
    assert job_row(app, job_id).attempts == 1


def test_asked_again_with_nothing_changed_the_kept_file_comes_at_once(app, client):
    _world(app, client)
    first = _ask(client, "csv")  # the tests' queue runs a job at once, in the request
    second = _ask(client, "csv")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 1
        from participation.processes.models import Process
        process = db.session.scalar(sa.select(Process).where(Process.slug == SLUG))
        make_contribution(process, process.themes[1], None, title="Een nieuwe inbreng")
        db.session.commit()
    third = _ask(client, "csv")
    assert "Een nieuwe inbreng" in third.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 2


def test_the_daily_digest_runs_once_however_many_schedulers(app):
    huey = app.extensions["huey"]  # immediate: the periodic task runs when called
    huey.daily_digest.call_local()
    huey.daily_digest.call_local()
    with app.app_context():
        rows = db.session.execute(sa.select(Job.kind, Job.state)).all()
    assert rows == [("digest", JobState.done)]


def test_the_analysis_as_a_job(app):
    with app.app_context():
        process = make_process(SLUG)
        for n, title in enumerate(("Meer groen op bedrijventerreinen", "Groen op werklocaties",
                                   "Snel internet voor bedrijven")):
            make_contribution(process, process.themes[0], None, title=title,
                              body=f"{title}: dat vragen wij, de ondernemers, nummer {n}.")
        db.session.commit()
    answer = app.test_cli_runner().invoke(args=["analyse", SLUG, "--background"])
    assert answer.exit_code == 0, answer.output
    job_id = int(re.search(r"queued job (\d+)", answer.output).group(1))
    row = job_row(app, job_id)  # the tests' queue ran it at once
    assert row.state is JobState.done, row.error
    result = json.loads(Path(app.config["JOB_RESULT_FOLDER"], row.result_path).read_text())
    titles = {item["title"] for group in result["groups"] for item in group["items"]}
    assert "Snel internet voor bedrijven" in titles


def test_two_people_asking_at_once_both_get_the_document(app, client):
    _world(app, client)
    with app.app_context():
        make_user("staff2@example.nl", role="staff", locale="en")
    other = app.test_client()
    login(other, "staff2@example.nl")
    pages = {c: csrf_token(c.get(EXPORT).get_data(as_text=True)) for c in (client, other)}
    barrier, answers = threading.Barrier(2), {}

    def ask(who):
        barrier.wait()
        answers[who] = who.post(EXPORT, data={"csrf_token": pages[who], "format": "json",
                                              "language": "en", "version": "public"})
    threads = [threading.Thread(target=ask, args=(c,)) for c in (client, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for who in (client, other):
        answer = answers[who]
        if answer.status_code == 303:  # the other's job under way: this one follows it
            job_id = int(answer.headers["Location"].rsplit("/", 1)[1])
            wait_for(lambda n=job_id: job_row(app, n).state is JobState.done, "the job")
            answer = who.get(f"{EXPORT}/jobs/{job_id}/download")
        assert answer.status_code == 200
        assert b"Meer bedrijventerrein" in answer.data
