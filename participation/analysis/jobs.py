"""The analysis as a job: `flask analyse SLUG --background`, or a page of the team's that
starts it; the groups as JSON are the job's result."""
from __future__ import annotations

import json

from ..core.extensions import db
from ..jobs.services import kind, save_result
from ..processes.models import Process, RoundKind
from .services import analyse_round, as_json


@kind("analysis")
def run_analysis(job, progress) -> dict:
    options = job.parameters
    process = db.session.get(Process, job.process_id)
    progress("analysis", 10)
    result = as_json(analyse_round(process, RoundKind(options.get("round", "input")),
                                   theme_id=options.get("theme_id"),
                                   lineage_id=options.get("lineage_id")))
    progress("saving", 95)
    return save_result(job, json.dumps(result, ensure_ascii=False, indent=2).encode(), "json")
