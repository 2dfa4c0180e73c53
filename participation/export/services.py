"""Making an export: build, render, and record it in the audit trail."""
from __future__ import annotations

from ..audit.services import record
from ..processes.models import Process
from . import formats
from .builder import build


def export(process: Process, fmt: str, *, public: bool, actor, resident_label: str) -> bytes:
    """The document in `fmt` ("json", "csv"); recorded as an export by `actor` (None: CLI)."""
    render = formats.FORMATS[fmt][0]
    data = render(build(process, public=public, resident_label=resident_label))
    record("export", actor=actor, target_type="process", target_id=process.id,
           process_id=process.id, after={"format": fmt, "public": public, "bytes": len(data)})
    return data
