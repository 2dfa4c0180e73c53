"""The team's workspace: the queue, one item with its actions and response, templates, the
audit trail; and the participants' flag form and "my contributions" page."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..analysis.codes import codes_of
from ..analysis.services import process_groups
from ..audit.models import AuditEvent
from ..audit.sentences import ACTION_GROUPS, describe
from ..comments.models import Comment
from ..core import conflicts
from ..core.conflicts import CONFLICTS
from ..drafts.models import DraftVersion, Section
from ..drafts.services import latest_published
from ..core.extensions import db
from ..core.forms import EmptyForm
from ..core.integers import db_int, db_int_or_none
from ..core.roles import can_moderate, is_team, require
from ..processes.models import Process, RoundKind
from ..processes.services import get_visible_process
from ..core.search import search_text
from ..core.security import form_checks_csrf
from ..core.limiter import PostCounter, PostLimit, account
from . import services
from .forms import (BulkResponseForm, FlagForm, ReasonForm, ResponseForm, TemplateForm,
                    response_conflict)
from .labels import DISPOSITION_LABELS
from .models import Disposition, FlagReason, TargetType

bp = Blueprint("moderation", __name__)
# A jinja global, not a context value: other templates import moderation/_labels.html without
# their context.
bp.record_once(lambda state: state.app.jinja_env.globals.update(
    disposition_labels=DISPOSITION_LABELS))

ACTIONS = ("approve", "reject", "hide", "unhide", "dismiss", "answer", "answer_all")
#: The queue's buttons that lead to one answer for many items: the ticked ones, or all of the
#: list's pages.
ANSWER_ACTIONS = ("answer", "answer_all")
NEEDS_REASON = {"reject", "hide", "unhide"}
#: Reports per account; a form sent back with a mistake does not count.
FLAGS = PostLimit(PostCounter("flags", per=account), only_saved=True)


def _kind(value: str) -> TargetType:
    if value not in TargetType._value2member_map_:
        abort(404)
    return TargetType(value)


def _item_or_404(process: Process, kind: TargetType, item_id: int, *, lock: bool = False):
    item = services.get_item(process, kind, item_id, lock=lock)
    if item is None:
        abort(404)
    return item


def _section_choices(process: Process) -> list[Section]:
    version = latest_published(process)
    return list(version.sections) if version else []


def _queue_filter() -> services.QueueFilter:
    args = request.args
    state = args.get("state", "pending")
    round_arg = args.get("round", "")
    return services.QueueFilter(
        state=state if state in services.QUEUE_STATES else "pending",
        round_kind=RoundKind(round_arg) if round_arg in RoundKind._value2member_map_ else None,
        theme_id=args.get("theme", type=db_int) or None,
        lineage_id=args.get("section", type=db_int) or None,
        group_id=args.get("group", type=db_int) or None,
        code_id=args.get("code", type=db_int) or None,
        page=args.get("page", 1, type=db_int) or 1)


def _list_args(flt: services.QueueFilter) -> dict:
    """The queue's filter as URL arguments: carried from the list to an item, its forms and back,
    so that after a response the team goes on within the list it was working through."""
    return {"state": flt.state if flt.state != "pending" else None,
            "round": flt.round_kind.value if flt.round_kind else None,
            "theme": flt.theme_id, "section": flt.lineage_id, "group": flt.group_id,
            "code": flt.code_id}


@bp.get("/p/<slug>/moderation")
def queue(slug: str):
    process = get_visible_process(slug)
    require(can_moderate)
    flt = _queue_filter()
    items, total = services.queue(process, flt)
    return render_template("moderation/queue.html", process=process, items=items, total=total,
                           flt=flt, pages=max(1, -(-total // services.PAGE_SIZE)),
                           sections=_section_choices(process), form=ReasonForm(formdata=None),
                           list_args=_list_args(flt), groups=process_groups(process),
                           codes=codes_of(process))


@bp.post("/p/<slug>/moderation/bulk")
@form_checks_csrf
def bulk(slug: str):
    """One action on every ticked item; items the action does not fit are reported, not
    changed, and the rest goes through."""
    process = get_visible_process(slug)
    require(can_moderate)
    form = ReasonForm()
    action = request.form.get("action", "")
    if action not in ACTIONS:
        abort(400)
    form.validate_on_submit()
    if "csrf_token" in form.errors:
        abort(400)
    if action in ANSWER_ACTIONS:
        return _to_answer(slug, action)
    reason = (form.reason.data or "").strip()
    if action in NEEDS_REASON and not reason:
        flash(_("Give a reason for this action; nothing was changed."), "error")
        return redirect(url_for("moderation.queue", slug=slug))
    done, skipped = 0, 0
    # In one order (kind, id): two moderators acting on the same items lock them in the same
    # order, and never each wait for a row the other holds.
    ticked = _ticked(request.form.getlist("items")[:services.PAGE_SIZE * 4])
    for kind, item_id in sorted(ticked, key=lambda key: (key[0].value, key[1])):
        item = services.get_item(process, kind, item_id, lock=True)
        if item is None:
            continue
        try:
            _apply(process, kind, item, action, reason)
            done += 1
        except services.NotAllowed:
            skipped += 1
    db.session.commit()
    flash(_("%(done)d item(s) done, %(skipped)d skipped because the action did not fit their "
            "state.", done=done, skipped=skipped), "success")
    return redirect(url_for("moderation.queue", slug=slug, **{
        k: v for k, v in request.args.items()
        if k in ("state", "round", "theme", "section", "group", "code")}))


def _to_answer(slug: str, action: str):
    """On to the page of one answer for many items, which only shows them: its own form
    writes."""
    flt = _queue_filter()
    if action == "answer_all":
        return redirect(url_for("moderation.answer", slug=slug, all=1, **_list_args(flt)))
    ticked = sorted(_ticked(request.form.getlist("items")[:services.BULK_LIMIT]),
                    key=lambda key: (key[0].value, key[1]))
    if not ticked:
        flash(_("Tick the items to answer first; nothing was changed."), "error")
        return redirect(url_for("moderation.queue", slug=slug, **_list_args(flt)))
    return redirect(url_for("moderation.answer", slug=slug,
                            items=[f"{kind.value}:{item_id}" for kind, item_id in ticked],
                            **_list_args(flt)))


def _targets(values: list[str]) -> list[services.BulkTarget]:
    """The items of the bulk answer form ("contribution:12:3": kind, id and the version of its
    response when the page was made, 0 for none); others are left out. A version that cannot
    be read counts as none the page knew of (conflicts.UNKNOWN): nothing is saved over it."""
    targets = {}
    for value in values[:services.BULK_LIMIT]:
        kind_value, _sep, rest = value.partition(":")
        id_value, _sep, version_value = rest.partition(":")
        item_id, version = db_int_or_none(id_value), db_int_or_none(version_value)
        if kind_value in TargetType._value2member_map_ and item_id:
            kind = TargetType(kind_value)
            targets[(kind, item_id)] = services.BulkTarget(
                kind, item_id, conflicts.UNKNOWN if version is None else version)
    return list(targets.values())


@bp.route("/p/<slug>/moderation/answer", methods=["GET", "POST"])
@form_checks_csrf
def answer(slug: str):
    """One answer for many items: those ticked in the queue (`items`), or every item of the
    queue's list (`all`, with its filter), each given a response of its own in one step."""
    process = get_visible_process(slug)
    require(can_moderate)
    flt = _queue_filter()
    form = BulkResponseForm()
    form.sections.choices = [(s.lineage_id, f"{s.number} {s.heading}")
                             for s in _section_choices(process)]
    if request.method == "GET":
        keys = None if request.args.get("all") else _ticked(
            request.args.getlist("items")[:services.BULK_LIMIT])
        items, total = services.bulk_selection(process, flt, keys)
        seen = {(it.kind, it.id): it.response.version if it.response else 0 for it in items}
        return _answer_page(process, form, items, total, seen, flt)
    targets = _targets(request.form.getlist("items"))
    seen = {(t.kind, t.id): t.seen_version for t in targets}
    valid = form.validate_on_submit()
    if valid and not targets:
        form.form_errors.append(_("No items were chosen: go back to the list and tick them."))
        valid = False
    if not valid:
        items, total = services.bulk_selection(process, flt, set(seen))
        return _answer_page(process, form, items, total, seen, flt, status=400)
    publish = request.form.get("action") == "publish"
    result = services.save_responses(
        process, targets, current_user, disposition=Disposition(form.disposition.data),
        body_md=form.body.data, lineage_ids=form.sections.data or [], publish=publish,
        replace_existing=bool(form.replace_existing.data))
    db.session.commit()
    saved = len(result.saved)
    kept = sum(1 for *_key, why in result.skipped if why is services.Skip.kept)
    message = (ngettext("The response has been published for %(num)d item; its author gets an "
                        "e-mail.", "The response has been published for %(num)d items; each "
                        "author gets an e-mail.", saved) if publish else
               ngettext("The response has been saved as a draft for %(num)d item; only the team "
                        "sees it.", "The response has been saved as a draft for %(num)d items; "
                        "only the team sees them.", saved))
    if not saved:
        message = _("No item was answered.")
    if kept:
        message += " " + ngettext("%(num)d item kept the response it had.",
                                  "%(num)d items kept the response they had.", kept)
    if not result.conflicts:
        flash(message, "success")
        return redirect(url_for("moderation.queue", slug=slug, **_list_args(flt)))
    # Someone else got to some of them first: say which, and keep their answers.
    skipped, _total = services.bulk_selection(process, flt, {(k, i) for k, i, _w in
                                                             result.conflicts})
    why = {(k, i): w.value for k, i, w in result.conflicts}
    return render_template("moderation/answer_done.html", process=process, message=message,
                           skipped=skipped, why=why, list_args=_list_args(flt),
                           again=[f"{it.kind.value}:{it.id}" for it in skipped]), 409


def _answer_page(process: Process, form, items, total: int, seen: dict, flt, status: int = 200):
    answered = sum(1 for it in items if it.response is not None)
    return render_template(
        "moderation/answer.html", process=process, form=form, items=items, total=total,
        seen=seen, answered=answered, limit=services.BULK_LIMIT,
        templates=services.templates_for(process), list_args=_list_args(flt)), status


def _ticked(keys: list[str]) -> set[tuple[TargetType, int]]:
    """The items of the queue's check boxes ("contribution:12"); others are left out."""
    ticked = set()
    for key in keys:
        kind_value, _sep, id_value = key.partition(":")
        item_id = db_int_or_none(id_value)
        if kind_value in TargetType._value2member_map_ and item_id:
            ticked.add((TargetType(kind_value), item_id))
    return ticked


def _apply(process, kind, item, action: str, reason: str) -> None:
    if action == "approve":
        services.approve(process, kind, item, current_user)
    elif action == "reject":
        services.reject(process, kind, item, current_user, reason)
    elif action == "hide":
        services.hide(process, kind, item, current_user, reason)
    elif action == "unhide":
        services.unhide(process, kind, item, current_user, reason)
    else:
        services.dismiss_flags(process, kind, item, current_user)


def _item_page(process, kind, item, reason_form=None, response_form=None, status=200,
               conflict=None, answered=None):
    response = services.response_for(kind, item.id)
    if response_form is None:
        response_form = ResponseForm(formdata=None)
        response_form.version.data = response.version if response is not None else 0
        if response is not None:
            response_form.disposition.data = response.disposition.value
            response_form.body.data = response.body_md
            response_form.sections.data = [s.lineage_id for s in response.sections]
    sections = _section_choices(process)
    response_form.sections.choices = [(s.lineage_id, f"{s.number} {s.heading}")
                                      for s in sections]
    context_section = None
    if kind is TargetType.comment:
        context_section = db.session.get(Section, item.section_id)
    return render_template(
        "moderation/item.html", process=process, kind=kind, item=item, response=response,
        flags=services.flags_for(kind, item.id), reason_form=reason_form or ReasonForm(
            formdata=None), response_form=response_form,
        templates=services.templates_for(process), section=context_section,
        parent=db.session.get(Comment, item.parent_id) if kind is TargetType.comment
        and item.parent_id else None,
        team_replies=services.team_replies_to(item) if kind is TargetType.comment else [],
        conflict=conflict, list_args=_list_args(_queue_filter()), answered=answered), status


@bp.get("/p/<slug>/moderation/<kind>/<int:item_id>")
def item(slug: str, kind: str, item_id: int):
    process = get_visible_process(slug)
    require(can_moderate)
    target = _kind(kind)
    # Come here after answering another item (respond): that one, to offer a way back to it.
    answered = next(iter(_ticked([request.args.get("answered", "")])), None)
    return _item_page(process, target, _item_or_404(process, target, item_id), answered=answered)


@bp.post("/p/<slug>/moderation/<kind>/<int:item_id>/<any(approve, reject, hide, unhide, "
         "dismiss):action>")
@form_checks_csrf
def act(slug: str, kind: str, item_id: int, action: str):
    process = get_visible_process(slug)
    require(can_moderate)
    target = _kind(kind)
    item = _item_or_404(process, target, item_id, lock=True)
    form = ReasonForm()
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors:
        return _item_page(process, target, item, reason_form=form, status=400)
    if action in NEEDS_REASON and not valid:
        return _item_page(process, target, item, reason_form=form, status=400)
    seen = db_int_or_none(request.form.get("item_version", ""))
    if action == "approve" and seen is not None and seen != item.version:
        # The author edited the pending text after this page was opened: publishing it now
        # would publish words no moderator has read. Show the text as it is now instead.
        flash(_("The author changed this text after you opened it. Nothing was published: "
                "read the text as it is now and decide again."), "error")
        return _item_page(process, target, item, reason_form=form, status=409)
    try:
        _apply(process, target, item, action, form.reason.data or "")
    except services.NotAllowed:
        flash(_("This action does not fit the item's state; nothing was changed."), "error")
        return redirect(url_for("moderation.item", slug=slug, kind=kind, item_id=item_id,
                                **_list_args(_queue_filter())))
    db.session.commit()
    flash(_("Done."), "success")
    return redirect(url_for("moderation.item", slug=slug, kind=kind, item_id=item_id,
                            **_list_args(_queue_filter())))


@bp.post("/p/<slug>/moderation/<kind>/<int:item_id>/response")
@form_checks_csrf
def respond(slug: str, kind: str, item_id: int):
    process = get_visible_process(slug)
    require(can_moderate)
    target = _kind(kind)
    item = _item_or_404(process, target, item_id)
    form = ResponseForm()
    form.sections.choices = [(s.lineage_id, s.number) for s in _section_choices(process)]
    if not form.validate_on_submit():
        return _item_page(process, target, item, response_form=form, status=400)
    try:
        services.save_response(process, target, item, current_user,
                               disposition=Disposition(form.disposition.data),
                               body_md=form.body.data, lineage_ids=form.sections.data or [],
                               publish=request.form.get("action") == "publish",
                               seen_version=form.version.data)
        db.session.commit()
    except CONFLICTS:
        # Another team member saved a response meanwhile: theirs is shown, this one kept.
        db.session.rollback()
        conflict = response_conflict(form, services.response_for(target, item.id))
        return _item_page(process, target, item, response_form=form, status=409,
                          conflict=conflict)
    flash(_("The response has been published; the author gets an e-mail.")
          if request.form.get("action") == "publish"
          else _("The response has been saved as a draft; only the team sees it."), "success")
    return _go_on(process, target, item)


def _go_on(process: Process, kind: TargetType, item):
    """After a response: on to the next item without a published response in the list the team
    came from, not back to the top of this one; after the last, back to that list."""
    flt = _queue_filter()
    following = services.next_unanswered(process, kind, item, flt)
    if following is None:
        flash(_("That was the last item without a published response in this list."), "success")
        return redirect(url_for("moderation.queue", slug=process.slug, **_list_args(flt)))
    next_kind, next_id = following
    return redirect(url_for("moderation.item", slug=process.slug, kind=next_kind.value,
                            item_id=next_id, answered=f"{kind.value}:{item.id}",
                            **_list_args(flt)))


@bp.route("/p/<slug>/moderation/templates", methods=["GET", "POST"])
@form_checks_csrf
def templates(slug: str):
    process = get_visible_process(slug)
    require(can_moderate)
    form = TemplateForm()
    if form.validate_on_submit():
        services.add_template(process, current_user, title=form.title.data,
                              disposition=Disposition(form.disposition.data),
                              body_md=form.body.data)
        db.session.commit()
        flash(_("The template has been saved."), "success")
        return redirect(url_for("moderation.templates", slug=slug))
    return render_template("moderation/templates.html", process=process, form=form,
                           templates=services.templates_for(process))


@bp.route("/p/<slug>/moderation/templates/<int:template_id>/edit", methods=["GET", "POST"])
@form_checks_csrf
def edit_template(slug: str, template_id: int):
    process = get_visible_process(slug)
    require(can_moderate)
    template = services.get_template(process, template_id)
    if template is None:
        abort(404)
    form = TemplateForm()
    if request.method == "GET":
        form.title.data, form.body.data = template.title, template.body_md
        form.disposition.data, form.version.data = template.disposition.value, template.version
    status, conflict = 200, None
    if form.validate_on_submit():
        try:
            services.edit_template(template, current_user, title=form.title.data,
                                   disposition=Disposition(form.disposition.data),
                                   body_md=form.body.data, seen_version=form.version.data)
            db.session.commit()
        except CONFLICTS:
            db.session.rollback()  # `template` is read again below, as it is now
            conflict, status = conflicts.answer(form, template.version, [
                (form.title.label.text, template.title),
                (form.disposition.label.text, DISPOSITION_LABELS[template.disposition.value]),
                (form.body.label.text, template.body_md)]), 409
        else:
            flash(_("The template has been saved."), "success")
            return redirect(url_for("moderation.templates", slug=slug))
    return render_template("moderation/template_form.html", process=process, form=form,
                           template=template, conflict=conflict), status


@bp.get("/p/<slug>/audit")
def audit(slug: str):
    process = get_visible_process(slug)
    require(is_team)
    return _audit_page(process)


@bp.get("/audit")
def audit_all():
    """The whole trail, including what belongs to no process (role changes)."""
    require(is_team)
    return _audit_page(None)


def _audit_page(process: Process | None):
    action = search_text("action", 60)
    page = request.args.get("page", 1, type=db_int) or 1
    stmt = sa.select(AuditEvent)
    if process is not None:
        stmt = stmt.where(AuditEvent.process_id == process.id)
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
    events = db.paginate(stmt.options(sa.orm.joinedload(AuditEvent.actor))
                         .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
                         page=page, per_page=100, error_out=False)
    return render_template("moderation/audit.html", process=process, lines=describe(events.items),
                           total=events.total, action=action, groups=ACTION_GROUPS, page=page,
                           pages=max(1, events.pages))


# --- participants -------------------------------------------------------------------------

@bp.route("/p/<slug>/flag/<kind>/<int:item_id>", methods=["GET", "POST"])
@form_checks_csrf
def flag(slug: str, kind: str, item_id: int):
    process = get_visible_process(slug)
    require(lambda user: True)
    target = _kind(kind)
    item = _item_or_404(process, target, item_id)
    if not item.is_shown:  # only what everyone reads can be reported
        abort(404)
    form = FlagForm()
    FLAGS.check(keep_text=True)
    if form.validate_on_submit():
        added = services.flag(target, item, current_user, FlagReason(form.reason.data),
                              form.note.data or "")
        db.session.commit()
        FLAGS.hit()
        flash(_("Thank you. The project team will look at it.") if added
              else _("You had already reported this."), "success")
        if target is TargetType.contribution:
            return redirect(url_for("contributions.contribution", slug=slug,
                                    contribution_id=item.id))
        return redirect(url_for("comments.show", slug=slug, comment_id=item.id))
    return render_template("moderation/flag.html", process=process, kind=target, item=item,
                           form=form)


@bp.get("/account/contributions")
@login_required
def mine():
    contributions, comments, responses = services.my_contributions(current_user)
    sections = {s.id: s for s in db.session.scalars(sa.select(Section).where(
        Section.id.in_({c.section_id for c in comments} or {-1})))}
    versions = {v.id: v for v in db.session.scalars(sa.select(DraftVersion).where(
        DraftVersion.id.in_({s.version_id for s in sections.values()} or {-1})))}
    processes = {p.id: p for p in db.session.scalars(sa.select(Process).where(
        Process.id.in_({v.process_id for v in versions.values()} or {-1})))}
    return render_template("moderation/mine.html", contributions=contributions,
                           comments=comments, responses=responses, sections=sections,
                           versions=versions, processes=processes, TargetType=TargetType,
                           form=EmptyForm(formdata=None))
