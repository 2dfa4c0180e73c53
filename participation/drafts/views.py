"""The draft: the reading view (reaction counts per section), a section's page, and the team's upload,
preview and publishing."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..comments import services as comment_services
from ..comments.forms import CommentForm
from ..comments.models import Comment
from ..comments.posting import COMMENTS, feedback_round
from ..comments.posting import create as create_comment
from ..core.extensions import db
from ..core.forms import EmptyForm
from ..core.integers import db_int, db_int_or_none
from ..core.roles import can_moderate, require
from ..processes.models import Process, RoundKind
from ..processes.rules import round_write_refusal
from ..processes.services import get_visible_process
from ..core.security import form_checks_csrf
from ..core.urls import url_for_each
from ..core.write_lock import takes_write_lock_late
from . import services
from .diff import has_changes, word_diff_html
from .forms import DraftUploadForm
from .matching import Match
from .models import DraftVersion, Section
from .parsing import DraftFormatError

bp = Blueprint("drafts", __name__)

FORMAT_MESSAGES = {
    "empty": lambda: _("The draft is empty."),
    "no_headings": lambda: _("The draft has no headings. Use Heading 1 and Heading 2 in Word, "
                             "or # and ## in Markdown, to make sections."),
    "not_docx": lambda: _("This file cannot be read as a Word document (.docx). Save it as "
                          ".docx, or paste the text as Markdown."),
    "too_many_sections": lambda: _("The draft has more than 200 sections."),
    "too_deep": lambda: _("The draft's headings go too deep."),
    "encoding": lambda: _("The file is not a .docx file or UTF-8 text."),
    "too_large_unpacked": lambda: _("This Word file unpacks to more than 50 MB, or is packed "
                                    "the way only harmful files are. Save it again from Word "
                                    "(with smaller images) and choose it again, or paste the "
                                    "text as Markdown."),
}


def _version_to_read(process: Process, versions: list[DraftVersion] | None = None
                     ) -> tuple[DraftVersion, list[DraftVersion]]:
    """The published version asked for (the latest by default), and all published versions:
    the page lists them anyway, so the one to read is taken from them, not asked for again."""
    if versions is None:
        versions = services.published_versions(process)
    number = request.args.get("version", type=db_int)
    if number:
        version = next((v for v in versions if v.number == number), None)
    else:
        version = versions[-1] if versions else None
    if version is None:
        abort(404)
    return version, versions


def _diffs(sections: list[Section]) -> dict[int, str]:
    """Word-level changes against each section's predecessor, where there are any."""
    previous_ids = [s.previous_id for s in sections if s.previous_id]
    if not previous_ids:
        return {}
    previous = {s.id: s for s in db.session.scalars(sa.select(Section).where(
        Section.id.in_(previous_ids)))}
    diffs = {}
    for section in sections:
        before = previous.get(section.previous_id)
        if before is not None and (has_changes(before.body_md, section.body_md)
                                   or before.heading != section.heading):
            diffs[section.id] = word_diff_html(f"{before.heading}\n\n{before.body_md}",
                                               f"{section.heading}\n\n{section.body_md}")
    return diffs


def _left_behind(process: Process, sections: list[Section]) -> list[Section]:
    """Earlier sections that this version does not continue but that have comments."""
    current = {s.lineage_id for s in sections}
    # Asked per earlier lineage (a few hundred sections at most), not over all comments.
    lineages = set(db.session.scalars(
        sa.select(Section.lineage_id).join(DraftVersion, DraftVersion.id == Section.version_id)
        .where(DraftVersion.process_id == process.id, Section.lineage_id.not_in(current),
               sa.exists().where(Comment.lineage_id == Section.lineage_id))
        .distinct()))
    if not lineages:
        return []
    latest = {}
    for section in db.session.scalars(
            sa.select(Section).join(DraftVersion, DraftVersion.id == Section.version_id)
            .where(Section.lineage_id.in_(lineages), DraftVersion.published_at.is_not(None))
            .order_by(DraftVersion.number)):
        latest[section.lineage_id] = section
    return sorted(latest.values(), key=lambda s: (s.version_id, s.position))


def _context(process: Process, version: DraftVersion, sections: list[Section],
             versions: list[DraftVersion] | None = None) -> dict:
    feedback_round = process.round_of(RoundKind.feedback)
    if versions is None:
        versions = services.published_versions(process)
    numbers = {v.id: v.number for v in versions}
    return {
        "process": process, "version": version, "sections": sections,
        "versions": versions, "version_numbers": numbers,
        "is_latest": version.id == versions[-1].id,
        "round": feedback_round,
        "refusal": round_write_refusal(current_user, feedback_round) if feedback_round else None,
    }


@bp.get("/p/<slug>/draft")
def read(slug: str):
    process = get_visible_process(slug)
    version, versions = _version_to_read(process)
    sections = services.sections_of(version)
    context = _context(process, version, sections, versions)
    # The reading view stays a document: each section says how many reactions it has and
    # links to its own page, where the thread is. (With thousands of reactions inline the
    # page grew to megabytes and took seconds, on a phone most of all.)
    counts = comment_services.thread_counts([s.lineage_id for s in sections], current_user)
    # Comments are placed on published versions only: with one, nothing can be left behind.
    left_behind = (_left_behind(process, sections) if context["is_latest"] and len(versions) > 1
                   else [])
    section_url = url_for_each("drafts.section", "number", slug=process.slug,
                               version=None if context["is_latest"] else version.number)
    return render_template("drafts/read.html", diffs=_diffs(sections), counts=counts,
                           left_behind=left_behind,
                           section_urls={s.id: section_url(s.number) for s in sections},
                           **context)


def render_section(process: Process, version: DraftVersion, section: Section, form=None,
                   status: int = 200, versions: list[DraftVersion] | None = None):
    context = _context(process, version, [section], versions)
    if form is None:
        form = CommentForm(formdata=None)
        form.fresh_key()
    diffs = _diffs([section])
    page_of_thread = comment_services.thread_page(
        section.lineage_id, current_user, page=request.args.get("page", 1, type=db_int) or 1,
        focus=request.args.get("comment", type=db_int))
    return render_template("drafts/section.html", section=section, form=form, diffs=diffs,
                           page_of_thread=page_of_thread, **context), status


@bp.route("/p/<slug>/draft/s/<number>", methods=["GET", "POST"])
@form_checks_csrf
@takes_write_lock_late
def section(slug: str, number: str):
    """One section with its thread open; its form posts a new comment on the section."""
    process = get_visible_process(slug)
    # The published versions and the section of this number in each, in one statement.
    versions, numbered = services.published_versions_with_section(process, number)
    version, versions = _version_to_read(process, versions)
    section = numbered.get(version.id)
    if section is None:
        abort(404)
    if request.method == "GET":
        return render_section(process, version, section, versions=versions)
    return _post_comment(process, version, section, versions)


def _post_comment(process: Process, version: DraftVersion, section: Section,
                  versions: list[DraftVersion]):
    """A new comment on the section; a refused or invalid one shows the page again with it."""
    round_ = feedback_round(process)
    form = CommentForm()
    form.fresh_key()
    COMMENTS.check(keep_text=True)
    response, status = create_comment(process, round_, section, form,
                                      is_latest=section.version_id == versions[-1].id)
    if response is not None:
        return response
    if not current_user.is_authenticated and status == 403:
        form.form_errors.append(_("Your text is kept below: log in in another tab, then send "
                                  "it again."))
    return render_section(process, version, section, form=form, status=status,
                          versions=versions)


# --- the team -----------------------------------------------------------------------------

@bp.route("/p/<slug>/draft/upload", methods=["GET", "POST"])
@form_checks_csrf
def upload(slug: str):
    process = get_visible_process(slug)
    require(can_moderate)
    form = DraftUploadForm()
    if form.validate_on_submit():
        storage = form.document.data
        data, name = b"", ""
        if storage and getattr(storage, "filename", ""):
            data = storage.read(services.MAX_DRAFT_BYTES + 1)
            name = storage.filename
        elif form.text.data and form.text.data.strip():
            data, name = form.text.data.encode(), "tekst.md"
        if not data:
            form.document.errors = [_("Choose a file, or paste the text of the draft.")]
        elif len(data) > services.MAX_DRAFT_BYTES:
            form.document.errors = [_("The file is larger than 10 MB.")]
        else:
            try:
                kind, parsed = services.parse_upload(name, data)
            except DraftFormatError as error:
                target = form.document if storage and storage.filename else form.text
                target.errors = [FORMAT_MESSAGES.get(error.kind, FORMAT_MESSAGES["empty"])()]
            else:
                version = services.add_version(process, parsed, source_kind=kind,
                                               source_name=name, by=current_user)
                db.session.commit()
                return redirect(url_for("drafts.preview", slug=slug, version_id=version.id))
    return render_template("drafts/upload.html", process=process, form=form,
                           versions=services.published_versions(process))


def _chosen_matches(version: DraftVersion, previous: DraftVersion | None) -> dict[int, int | None]:
    """The earlier section the team chose for each section in the preview form."""
    allowed = {s.id for s in previous.sections} if previous else set()
    matches: dict[int, int | None] = {}
    for section in version.sections:
        choice = request.form.get(f"match-{section.id}", "new")
        number = db_int_or_none(choice)
        matches[section.id] = number if number in allowed else None
    return matches


def _compared(version: DraftVersion, previous: DraftVersion | None, matches: dict[int, int | None],
              proposals: dict[int, Match | None]) -> tuple[dict[int, str], dict[int, Section]]:
    """Per section, the word diff against the earlier section chosen for it, and the earlier
    section where the choice is the one the software found by comparing texts."""
    diffs: dict[int, str] = {}
    by_text: dict[int, Section] = {}
    if previous is None:
        return diffs, by_text
    by_id = {s.id: s for s in previous.sections}
    for section in version.sections:
        before = by_id.get(matches.get(section.id) or -1)
        if before is None:
            continue
        if has_changes(before.body_md, section.body_md):
            diffs[section.id] = word_diff_html(before.body_md, section.body_md)
        proposal = proposals[section.id]
        if proposal is not None and proposal.by_text and proposal.earlier_id == before.id:
            by_text[section.id] = before
    return diffs, by_text


def _warned() -> set[int]:
    """The earlier sections the page the team posted from warned about (a hidden field)."""
    return {number for number in map(db_int_or_none, request.form.get("warned", "").split(","))
            if number is not None}


@bp.route("/p/<slug>/draft/preview/<int:version_id>", methods=["GET", "POST"])
@form_checks_csrf
def preview(slug: str, version_id: int):
    """The team checks an upload, chooses which earlier section each section continues (the
    software proposes), sees which reactions would lose their section, then publishes.

    "Check the choices" posts the form back to show the warning for the choices made; publishing
    choices that leave reactions behind which the page did not warn about shows the warning
    instead, so no reaction is detached without the team having read so.
    """
    process = get_visible_process(slug)
    require(can_moderate)
    version = services.get_version(process, version_id)
    if version is None or version.discarded_at is not None:
        abort(404)
    previous = services.latest_published_before(version)
    proposals = services.match_proposals(version, previous)
    matches = {section_id: match.earlier_id if match else None
               for section_id, match in proposals.items()}
    form = EmptyForm()
    problem = None
    left_behind = None
    if request.method == "POST" and version.published_at is None:
        action = request.form.get("action")
        if action != "discard":
            matches = _chosen_matches(version, previous)
        if not form.validate_on_submit():
            problem = _("This form had expired. Check the choices and publish again.")
        elif action == "discard":
            services.discard(version)
            db.session.commit()
            flash(_("The upload has been discarded."), "success")
            return redirect(url_for("drafts.upload", slug=slug))
        elif action == "publish":
            left_behind = services.left_without_section(previous, matches)
            if any(item.section.id not in _warned() for item in left_behind):
                problem = _("With these choices, reactions would no longer belong to a section of "
                            "this version. Read the warning, then publish again or change the "
                            "choices.")
            else:
                try:
                    services.publish(version, matches, by=current_user)
                    db.session.commit()
                except services.AlreadyPublished:
                    db.session.rollback()  # someone else published it a moment ago
                    flash(_("This version has been published."), "info")
                    return redirect(url_for("drafts.read", slug=slug))
                except services.MatchError:
                    db.session.rollback()
                    left_behind = None  # loaded afresh below: the rollback expired it
                    problem = _("Two sections are matched to the same earlier section. Each "
                                "earlier section can continue in one section only.")
                else:
                    flash(_("Version %(n)d of the draft is published.", n=version.number),
                          "success")
                    return redirect(url_for("drafts.read", slug=slug))
    diffs, by_text = _compared(version, previous, matches, proposals)
    if version.published_at is not None:
        left_behind = []
    elif left_behind is None:
        left_behind = services.left_without_section(previous, matches)
    return render_template("drafts/preview.html", process=process, version=version,
                           previous=previous, matches=matches, form=form, problem=problem,
                           diffs=diffs, by_text=by_text, left_behind=left_behind,
                           left_behind_total=sum(item.reactions for item in left_behind)
                           ), 400 if problem else 200
