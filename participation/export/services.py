"""Making an export: build once, render in the format and language chosen, record it in the
audit trail."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..audit.services import record
from ..comments.models import Comment
from ..contributions.models import Contribution
from ..core.extensions import db
from ..core.mixins import ModerationState
from ..processes.models import Process, Round
from . import formats
from .builder import ParticipationDocument, build
from .member_check import add_member_check

LANGUAGES = ("nl", "en")


def document(process: Process, *, public: bool, language: str) -> ParticipationDocument:
    """The content in `language` (only the labels made here depend on it)."""
    municipality = current_app.config["MUNICIPALITY_NAME"]
    with force_locale(language):
        content = build(process, public=public, resident_label=_("Resident"),
                        municipality=municipality,
                        removed_label=_("a contribution that was removed"),
                        withdrawn_label=_("a contribution its author withdrew"),
                        team_label=_("%(municipality)s (project team)",
                                     municipality=municipality))
        add_member_check(content, process, {"input": _("Round 1"), "feedback": _("Round 2")})
    return content


def item_count(process: Process, *, public: bool) -> int:
    """How many contributions and reactions the document lists (two COUNT queries)."""
    total = 0
    for model in (Contribution, Comment):
        query = sa.select(sa.func.count(model.id)).join(Round, Round.id == model.round_id).where(
            Round.process_id == process.id, model.state != ModerationState.withdrawn)
        if model is Comment:
            query = query.where(Comment.by_team.is_(False))
        if public:  # as builder.build keeps them: the one rule of what everyone reads
            query = query.where(model.is_shown)
        total += db.session.scalar(query)
    return total


def export(process: Process, fmt: str, *, public: bool, language: str, actor) -> bytes:
    """The document in `fmt` (see formats.FORMATS); recorded as an export by `actor` (None:
    the command line). The caller commits."""
    render = formats.FORMATS[fmt].render
    content = document(process, public=public, language=language)
    with force_locale(language):
        data = render(content)
    record("export", actor=actor, target_type="process", target_id=process.id,
           process_id=process.id,
           after={"format": fmt, "public": public, "language": language, "bytes": len(data)})
    return data
