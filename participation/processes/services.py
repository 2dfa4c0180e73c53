"""Processes and themes: loading what a person may see, and the team's theme management."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..core.conflicts import check_version, for_change
from ..core.extensions import db, login_manager
from ..core.roles import is_team
from ..core.sanitize import markdown_to_html, plain_text
from ..core.timeutil import utcnow
from .models import Process, ProcessMember, Round, Theme
from .rules import can_view_process

log = logging.getLogger(__name__)


# The statements every page of a process (and the home page) starts with, made once with their
# values as parameters: building and hashing a statement with two joined collections for every
# page cost half as much again as running it.
#: The process with its rounds and themes. One query with both collections joined (two rounds
#: times a few themes: a few dozen rows) instead of three: on PostgreSQL each is a round trip.
_PROCESS_BY_SLUG = (sa.select(Process)
                    .options(joinedload(Process.rounds), joinedload(Process.themes))
                    .where(Process.slug == sa.bindparam("slug", type_=sa.String)))
#: What the home page lists, newest first, the rounds joined in (a few per process).
_ALL_PROCESSES = (sa.select(Process).options(joinedload(Process.rounds))
                  .order_by(Process.created_at.desc(), Process.id.desc()))
#: ... for someone not on the team: public processes, and invite-only ones they belong to.
_PROCESSES_FOR_MEMBER = _ALL_PROCESSES.where(sa.or_(
    Process.is_public.is_(True),
    Process.id.in_(sa.select(ProcessMember.process_id).where(
        ProcessMember.user_id == sa.bindparam("user_id", type_=sa.Integer)))))


def get_visible_process(slug: str) -> Process:
    """The process with its rounds and themes, or 404; 403 for invite-only to outsiders."""
    process = db.session.scalars(_PROCESS_BY_SLUG, {"slug": slug}).unique().first()
    if process is None:
        abort(404)
    if not can_view_process(current_user, process):
        if not current_user.is_authenticated:
            abort(login_manager.unauthorized())  # invited people log in first
        abort(403)
    return process


def visible_processes(user) -> list[Process]:
    """What the home page lists: public processes, and invite-only ones the user belongs to."""
    if is_team(user):
        return list(db.session.scalars(_ALL_PROCESSES).unique())
    return list(db.session.scalars(_PROCESSES_FOR_MEMBER, {
        "user_id": user.id if user.is_authenticated else -1}).unique())


def create_process(*, slug: str, title: str, summary: str, intro_md: str, contact: str,
                   is_public: bool = True) -> Process:
    process = Process(slug=slug, title=plain_text(title), summary=plain_text(summary),
                      intro_md=intro_md, intro_html=markdown_to_html(intro_md),
                      contact=plain_text(contact), is_public=is_public)
    db.session.add(process)
    db.session.flush()
    return process


def add_round(process: Process, **fields) -> Round:
    round_ = Round(process=process, **fields)
    db.session.add(round_)
    db.session.flush()
    return round_


def add_member(process: Process, user, source: str = "team") -> ProcessMember:
    member = db.session.scalar(sa.select(ProcessMember).where(
        ProcessMember.process_id == process.id, ProcessMember.user_id == user.id))
    if member is None:
        member = ProcessMember(process_id=process.id, user_id=user.id, source=source)
        db.session.add(member)
        db.session.flush()
    return member


# --- themes -------------------------------------------------------------------------------

def add_theme(process: Process, *, title: str, description: str) -> Theme:
    last = db.session.scalar(sa.select(sa.func.max(Theme.position)).where(
        Theme.process_id == process.id))
    theme = Theme(process=process, title=plain_text(title),
                  description=plain_text(description), position=(last or 0) + 1)
    db.session.add(theme)
    db.session.flush()
    log.info("theme %s added to process %s", theme.id, process.id)
    return theme


def edit_theme(theme: Theme, *, title: str, description: str,
               seen_version: int | None = None) -> bool:
    """Change the theme's texts; False when they are what is saved already. From a form made
    from an older version: EditConflict (participation.core.conflicts)."""
    title, description = plain_text(title), plain_text(description)
    if (title, description) == (theme.title, theme.description):
        return False
    check_version(theme, seen_version)
    theme.title, theme.description = title, description
    theme.raise_version()
    db.session.flush()
    return True


def lock_themes(process: Process) -> None:
    """Hold the process's themes until the commit, as they are now: moving one renumbers them
    all, and must not meet an edit of one saved in between as an error (conflicts.for_change)."""
    db.session.scalars(for_change(sa.select(Theme).where(Theme.process_id == process.id))).all()


def move_theme(theme: Theme, direction: str) -> None:
    """Swap places with the neighbour above ("up") or below ("down")."""
    themes = sorted(theme.process.themes, key=lambda t: (t.position, t.id))
    index = themes.index(theme)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(themes):
        themes[index], themes[other] = themes[other], themes[index]
        for position, each in enumerate(themes, start=1):
            each.position = position
    db.session.flush()


def retire_theme(theme: Theme) -> None:
    if theme.retired_at is None:
        theme.retired_at = utcnow()


def restore_theme(theme: Theme) -> None:
    theme.retired_at = None


def get_theme(process: Process, theme_id: int) -> Theme:
    theme = next((t for t in process.themes if t.id == theme_id), None)
    if theme is None:
        abort(404)
    return theme
