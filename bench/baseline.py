"""Baseline views for the load test: what each measured page would cost at the practical limit.

Each view reads the rows its page shows with ONE SQL statement (SQLAlchemy core, on the app's own
tables and engine) and renders them with a bare Jinja template (no layout, no Babel, no login,
no context processors); the posting baseline inserts one comment with one INSERT ... SELECT.
They run inside the real app (same gunicorn workers, the same CSRF check and response headers),
registered by bench/wsgi_bench.py only: this is not part of the production app.

What they leave out compared with the real pages, on purpose: the site layout, translations,
the logged-in user (the posting baseline trusts the user id in the signed session cookie), the
process/round/permission look-ups, placeholders for hidden comments and the nesting of threads.
"""
from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, request, session
from jinja2 import Environment, FileSystemLoader

from participation.accounts.models import Organisation, User
from participation.comments.models import Comment, CommentSupport
from participation.contributions.models import Attachment, Contribution
from participation.drafts.models import DraftVersion, Section
from participation.core.extensions import db
from participation.core.mixins import ModerationState
from participation.moderation.models import Response, TargetType
from participation.processes.models import Process, Round, RoundKind, Theme
from participation.core.sanitize import markdown_to_html
from participation.core.timeutil import utcnow

bp = Blueprint("bench_baseline", __name__, url_prefix="/_baseline")

PAGE_SIZE = 20  # as participation.contributions.services
_KEY = re.compile(r"^[0-9a-f]{32}$")

#: Bare templates: no layout, no Babel, no context processors.
_env = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
                   autoescape=True)


def _render(name: str, **context) -> str:
    return _env.get_template(name).render(**context)


@bp.get("/home")
def home():
    rows = db.session.execute(
        sa.select(Process.slug, Process.title, Process.summary, Round.kind, Round.opens_at,
                  Round.closes_at)
        .outerjoin(Round, Round.process_id == Process.id).where(Process.is_public.is_(True))
        .order_by(Process.created_at.desc(), Process.id.desc(), Round.opens_at)).all()
    processes: dict[str, dict] = {}
    for row in rows:
        entry = processes.setdefault(row.slug, {"slug": row.slug, "title": row.title,
                                                "summary": row.summary, "rounds": []})
        if row.kind is not None:
            entry["rounds"].append(row)
    return _render("home.html", processes=list(processes.values()))


@bp.get("/theme/<slug>/<int:theme_id>")
def theme(slug: str, theme_id: int):
    """The page's 20 newest public contributions of the theme, with the theme's title, a
    position paper if any, and the total (a scalar subquery): one statement."""
    round_id = (sa.select(Round.id).join(Process, Process.id == Round.process_id)
                .where(Process.slug == slug, Round.kind == RoundKind.input).scalar_subquery())
    public = (Contribution.round_id == round_id, Contribution.theme_id == theme_id,
              Contribution.state == ModerationState.published,
              Contribution.hidden_at.is_(None))
    total = sa.select(sa.func.count()).select_from(Contribution).where(*public).scalar_subquery()
    rows = db.session.execute(
        sa.select(Contribution.id, Contribution.title, Contribution.organisation_name,
                  Contribution.organisation_kind, Contribution.created_at,
                  Theme.title.label("theme_title"), Attachment.id.label("attachment_id"),
                  total.label("total"))
        .join(Theme, Theme.id == Contribution.theme_id)
        .outerjoin(Attachment, Attachment.contribution_id == Contribution.id)
        .where(*public)
        .order_by(Contribution.created_at.desc(), Contribution.id.desc())
        .limit(PAGE_SIZE)).all()
    if not rows:
        abort(404)
    return _render("theme.html", slug=slug, rows=rows, theme=rows[0].theme_title,
                   total=rows[0].total)


def _latest_version_number():
    return (sa.select(sa.func.max(DraftVersion.number))
            .where(DraftVersion.process_id == Process.id, DraftVersion.published_at.is_not(None))
            .correlate(Process).scalar_subquery())


@bp.get("/draft/<slug>")
def draft(slug: str):
    """The latest published version's sections, each with its number of visible comments."""
    visible = sa.and_(Comment.lineage_id == Section.lineage_id,
                      Comment.state == ModerationState.published, Comment.hidden_at.is_(None))
    rows = db.session.execute(
        sa.select(Section.number, Section.heading, Section.body_html,
                  sa.func.count(Comment.id).label("comments"))
        .join(DraftVersion, DraftVersion.id == Section.version_id)
        .join(Process, Process.id == DraftVersion.process_id)
        .outerjoin(Comment, visible)
        .where(Process.slug == slug, DraftVersion.number == _latest_version_number())
        .group_by(Section.id, Section.number, Section.heading, Section.body_html,
                  Section.position)
        .order_by(Section.position)).all()
    if not rows:
        abort(404)
    return _render("draft.html", slug=slug, sections=rows)


@bp.get("/thread/<slug>/<number>")
def thread(slug: str, number: str):
    """One section of the latest version with the comments its page shows (the first
    THREAD_PAGE_SIZE conversations: top-level comments with all their replies), each with its
    published response and its number of supporters: one statement (a recursive CTE)."""
    from participation.comments import services as comment_services

    page_size = getattr(comment_services, "THREAD_PAGE_SIZE", None)
    section = (sa.select(Section.lineage_id)
               .join(DraftVersion, DraftVersion.id == Section.version_id)
               .join(Process, Process.id == DraftVersion.process_id)
               .where(Process.slug == slug, Section.number == number,
                      DraftVersion.number == _latest_version_number()).scalar_subquery())
    roots = (sa.select(Comment.id).where(Comment.lineage_id == section,
                                         Comment.parent_id.is_(None))
             .order_by(Comment.created_at, Comment.id))
    if page_size:
        roots = roots.limit(page_size)
    tree = sa.select(Comment.id).where(Comment.id.in_(roots)).cte("tree", recursive=True)
    tree = tree.union_all(sa.select(Comment.id).join(tree, Comment.parent_id == tree.c.id))
    supporters = (sa.select(CommentSupport.comment_id, sa.func.count().label("n"))
                  .where(CommentSupport.comment_id.in_(sa.select(tree.c.id)))
                  .group_by(CommentSupport.comment_id).subquery())
    stmt = (
        sa.select(Section.number, Section.heading, Section.body_html,
                  Comment.id.label("comment_id"), Comment.depth, Comment.by_team,
                  Comment.organisation_name, Comment.organisation_kind,
                  Comment.body_html.label("comment_html"), Comment.created_at,
                  Response.disposition, Response.body_html.label("response_html"),
                  supporters.c.n)
        .join(DraftVersion, DraftVersion.id == Section.version_id)
        .join(Process, Process.id == DraftVersion.process_id)
        .outerjoin(Comment, sa.and_(Comment.lineage_id == Section.lineage_id,
                                    Comment.id.in_(sa.select(tree.c.id)),
                                    Comment.state == ModerationState.published,
                                    Comment.hidden_at.is_(None)))
        .outerjoin(Response, sa.and_(Response.target_type == TargetType.comment,
                                     Response.target_id == Comment.id,
                                     Response.published_at.is_not(None)))
        .outerjoin(supporters, supporters.c.comment_id == Comment.id)
        .where(Process.slug == slug, Section.number == number,
               DraftVersion.number == _latest_version_number())
        .order_by(Comment.created_at, Comment.id))
    sections: dict[str, dict] = {}
    for row in db.session.execute(stmt):
        section = sections.setdefault(row.number, {"number": row.number, "heading": row.heading,
                                                   "body_html": row.body_html, "comments": []})
        if row.comment_id is not None:
            section["comments"].append({
                "id": row.comment_id, "depth": min(row.depth, 2), "by_team": row.by_team,
                "organisation_name": row.organisation_name,
                "organisation_kind": row.organisation_kind, "body_html": row.comment_html,
                "created_at": row.created_at, "supporters": row.n,
                "disposition": row.disposition.value if row.disposition else None,
                "response_html": row.response_html})
    if not sections:
        abort(404)
    return _render("thread.html", sections=list(sections.values()))


@bp.post("/thread/<slug>/<number>")
def post(slug: str, number: str):
    """One comment, one INSERT ... SELECT (section, round and organisation resolved in it).

    CSRF is checked by the app's global protection, as for every POST; the author is the user
    id in the signed session cookie (no database look-up)."""
    user_id, _, _fingerprint = str(session.get("_user_id", "")).partition(":")
    body = request.form.get("body", "").strip()
    key = request.form.get("submission_key", "")
    if not user_id.isdigit():
        abort(403)
    if not body or not _KEY.match(key):
        abort(400)
    now = utcnow()
    source = (
        sa.select(Round.id, Section.lineage_id, Section.id, User.id, Organisation.id,
                  Organisation.name, Organisation.kind, sa.false(), sa.literal(body),
                  sa.literal(markdown_to_html(body)),
                  sa.literal(ModerationState.published, Comment.__table__.c.state.type),
                  sa.literal(key), sa.literal(now, sa.DateTime()), sa.literal(now, sa.DateTime()))
        .select_from(Section)
        .join(DraftVersion, DraftVersion.id == Section.version_id)
        .join(Process, Process.id == DraftVersion.process_id)
        .join(Round, sa.and_(Round.process_id == Process.id, Round.kind == RoundKind.feedback))
        .join(User, User.id == int(user_id))
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(Process.slug == slug, Section.number == number,
               DraftVersion.number == _latest_version_number()))
    c = Comment.__table__.c
    db.session.execute(sa.insert(Comment).from_select(
        [c.round_id, c.lineage_id, c.section_id, c.author_id, c.organisation_id,
         c.organisation_name, c.organisation_kind, c.by_team, c.body_md, c.body_html, c.state,
         c.submission_key, c.created_at, c.updated_at], source))
    db.session.commit()
    return redirect(f"/_baseline/thread/{slug}/{number}", 302)
