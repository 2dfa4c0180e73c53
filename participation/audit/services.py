"""Recording actions. Called by the services that make the change, in the same transaction."""
from __future__ import annotations

import enum
from datetime import datetime

from ..core.extensions import db
from .models import AuditEvent


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


def record(action: str, *, actor, target_type: str, target_id: int | None,
           process_id: int | None = None, before: dict | None = None,
           after: dict | None = None, reason: str | None = None) -> AuditEvent:
    event = AuditEvent(action=action, actor_id=getattr(actor, "id", None),
                       process_id=process_id, target_type=target_type, target_id=target_id,
                       before=_plain(before), after=_plain(after), reason=reason)
    db.session.add(event)
    return event
