"""The daily digest of replies as a job (the workers' scheduler starts it once a day; the mail
itself still goes through the outbox, written in the job's transaction)."""
from __future__ import annotations

import json

from flask import current_app

from ..jobs.services import kind, save_result
from .services import send_daily_digests


@kind("digest")
def run_digest(job, progress) -> dict:
    progress("digest", 10)
    # Links in the mail need the site's address; a worker has no request to take it from.
    with current_app.test_request_context("/", base_url=current_app.config["SITE_URL"]):
        count = send_daily_digests()
    return save_result(job, json.dumps({"digests": count}).encode(), "json")
