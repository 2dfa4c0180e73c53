"""Agreeing to the privacy statement: when, and to which version."""
from __future__ import annotations

import logging

from flask import current_app

from ..accounts.models import User
from ..core.timeutil import utcnow

log = logging.getLogger(__name__)


def record_consent(user: User) -> None:
    """The person agreed to the statement as it is now (PRIVACY_STATEMENT_VERSION)."""
    user.consent_at = utcnow()
    user.consent_version = current_app.config["PRIVACY_STATEMENT_VERSION"]
    log.info("user %s agreed to privacy statement %s", user.id, user.consent_version)
