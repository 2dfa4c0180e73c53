"""The retention purge as a job (the workers' scheduler starts it once a day); its report is
the job's result."""
from __future__ import annotations

import json

from flask import current_app

from ..jobs.services import kind, save_result
from .retention import purge


@kind("purge")
def run_purge(job, progress) -> dict:
    progress("purge", 10)
    report = purge(months=current_app.config["RETENTION_MONTHS"])
    return save_result(job, json.dumps({"lines": report.lines()}).encode(), "json")
