"""The team's pages of the analysis: the groups of a round (run again, rename, merge, split,
move, code a whole group), the codes of a process, and codes given by hand to one item or to
the queue's selection. Like the queue, for moderators (can_moderate)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..core import conflicts
from ..core.conflicts import CONFLICTS
from ..core.extensions import db
from ..core.forms import EmptyForm
from ..core.integers import db_int, db_int_or_none
from ..core.roles import can_moderate, require
from ..core.security import form_checks_csrf
from ..drafts.services import latest_published
from ..moderation.services import get_item
from ..processes.models import Process, RoundKind
from ..processes.services import get_visible_process
from . import codes, services
from .forms import CodeForm, GroupNameForm, SplitForm
from .models import AnalysisGroup, ItemKind

bp = Blueprint("analysis", __name__)

#: The most items one action takes (a group of 10,000 is moved by merging, not by ticking).
MOST_ITEMS = 1000


def _item_analysis(kind: ItemKind, item_id: int, process_id: int) -> dict:
    """What the moderation item page shows of the analysis (two queries): the item's group
    and its codes, and the process's codes to give it."""
    group = services.group_of_item(kind, item_id)
    given = codes.codes_for_items([(kind, item_id)]).get((kind, item_id), [])
    process = db.session.get(Process, process_id)
    return {"group": group, "codes": given, "all_codes": codes.codes_of(process),
            "form": EmptyForm(formdata=None)}


# The item page of the moderation (a template of another feature) asks for it as a global.
bp.record_once(lambda state: state.app.jinja_env.globals.update(item_analysis=_item_analysis))


def _round() -> RoundKind:
    value = request.values.get("round", "input")
    return RoundKind(value) if value in RoundKind._value2member_map_ else RoundKind.input


def _keys(values: list[str]) -> list[tuple[ItemKind, int]]:
    """The items of check boxes ("contribution:12"); others are left out."""
    keys = []
    for value in values[:MOST_ITEMS]:
        kind_value, _sep, id_value = value.partition(":")
        item_id = db_int_or_none(id_value)
        if kind_value in ItemKind._value2member_map_ and item_id:
            keys.append((ItemKind(kind_value), item_id))
    return list(dict.fromkeys(keys))


def _group_or_404(process: Process, group_id: int) -> AnalysisGroup:
    group = services.get_group(process, group_id)
    if group is None:
        abort(404)
    return group


def _gone(process: Process, kind: RoundKind):
    """The group changed away under the team member: the round's groups as they are now."""
    db.session.rollback()
    flash(_("This group is no longer there: someone merged it into another group or moved "
            "its last items meanwhile. Nothing was changed; here are the groups as they are "
            "now."), "error")
    return _groups_page(process, kind, status=409)


# --- the groups of a round ---------------------------------------------------------------

@bp.get("/p/<slug>/groups")
def groups(slug: str):
    process = get_visible_process(slug)
    require(can_moderate)
    return _groups_page(process, _round())


def _groups_page(process: Process, kind: RoundKind, status: int = 200):
    theme_id = request.args.get("theme", type=db_int) or None
    lineage_id = request.args.get("section", type=db_int) or None
    if kind is RoundKind.input:
        lineage_id = None
    else:
        theme_id = None
    version = latest_published(process) if kind is RoundKind.feedback else None
    data = services.round_groups(process, kind, theme_id=theme_id, lineage_id=lineage_id)
    return render_template("analysis/groups.html", process=process, kind=kind, data=data,
                           theme_id=theme_id, lineage_id=lineage_id,
                           sections=list(version.sections) if version else [],
                           form=EmptyForm(formdata=None)), status


@bp.post("/p/<slug>/groups/refresh")
def refresh(slug: str):
    process = get_visible_process(slug)
    require(can_moderate)
    kind = _round()
    result = services.refresh_groups(process, kind, actor=current_user)
    db.session.commit()
    flash(_("The analysis ran on %(items)d items: %(groups)d groups, %(new)d of them new; your "
            "names, merges and moves are kept.", items=result.items, groups=result.groups,
            new=result.new_groups), "success")
    return redirect(url_for("analysis.groups", slug=slug, round=kind.value))


@bp.get("/p/<slug>/groups/<int:group_id>")
def group(slug: str, group_id: int):
    process = get_visible_process(slug)
    require(can_moderate)
    return _group_page(process, _group_or_404(process, group_id))


def _group_page(process: Process, group: AnalysisGroup, *, name_form=None, split_form=None,
                conflict=None, status: int = 200):
    kind = group.round_kind
    data = services.round_groups(process, kind, group_id=group.id)
    if name_form is None:
        name_form = GroupNameForm(formdata=None)
        name_form.label.data = group.label
        name_form.version.data = group.version
    if split_form is None:
        split_form = SplitForm(formdata=None)
        split_form.version.data = group.version
    others = [g for g in services.group_choices(process, kind) if g.id != group.id]
    return render_template("analysis/group.html", process=process, kind=kind, group=group,
                           items=data.groups[0].items if data.groups else [],
                           stakeholders=data.groups[0].stakeholders if data.groups else 0,
                           others=others, all_codes=codes.codes_of(process),
                           name_form=name_form, split_form=split_form, conflict=conflict,
                           form=EmptyForm(formdata=None)), status


@bp.post("/p/<slug>/groups/<int:group_id>/rename")
@form_checks_csrf
def rename(slug: str, group_id: int):
    process = get_visible_process(slug)
    require(can_moderate)
    group = _group_or_404(process, group_id)
    kind = group.round_kind
    form = GroupNameForm()
    if not form.validate_on_submit():
        return _group_page(process, group, name_form=form, status=400)
    try:
        services.rename_group(group, form.label.data, current_user,
                              seen_version=form.version.data)
        db.session.commit()
    except services.GroupGone:
        return _gone(process, kind)
    except CONFLICTS:
        db.session.rollback()
        group = _group_or_404(process, group_id)
        conflict = conflicts.answer(form, group.version, [(form.label.label.text, group.label)],
                                    saved_at=group.updated_at)
        return _group_page(process, group, name_form=form, conflict=conflict, status=409)
    flash(_("The group is now called “%(name)s”; the analysis keeps that name when it runs "
            "again.", name=form.label.data), "success")
    return redirect(url_for("analysis.group", slug=slug, group_id=group_id))


def _changed_meanwhile(process: Process, group_id: int, kind: RoundKind):
    db.session.rollback()
    group = services.get_group(process, group_id)
    if group is None:
        return _gone(process, kind)
    flash(_("Someone else changed this group after you opened the page (renamed it, moved "
            "items, or ran the analysis). Nothing was changed: look at the group as it is now "
            "and choose again."), "error")
    return _group_page(process, group, status=409)


@bp.post("/p/<slug>/groups/<int:group_id>/merge")
def merge(slug: str, group_id: int):
    """The items of another group into this one (which keeps its name)."""
    process = get_visible_process(slug)
    require(can_moderate)
    group = _group_or_404(process, group_id)
    kind = group.round_kind
    other_id = request.form.get("other", type=db_int)
    if not other_id or other_id == group_id:
        flash(_("Choose the group whose items join this one."), "error")
        return _group_page(process, group, status=400)
    try:
        services.merge_groups(process, kind, group_id, [other_id], current_user,
                              seen_versions={group_id: request.form.get(
                                  "version", conflicts.UNKNOWN, type=db_int)})
        db.session.commit()
    except services.GroupGone:
        return _gone(process, kind)
    except CONFLICTS:
        return _changed_meanwhile(process, group_id, kind)
    flash(_("The groups are merged; they stay together when the analysis runs again."),
          "success")
    return redirect(url_for("analysis.group", slug=slug, group_id=group_id))


@bp.post("/p/<slug>/groups/<int:group_id>/items")
def move(slug: str, group_id: int):
    """The selected items to another group ("move") or to a new group ("split")."""
    process = get_visible_process(slug)
    require(can_moderate)
    group = _group_or_404(process, group_id)
    kind = group.round_kind
    keys = _keys(request.form.getlist("items"))
    action = request.form.get("action")
    split_form = SplitForm()
    if action not in ("move", "split"):
        abort(400)
    if not keys:
        flash(_("Select one or more items first; nothing was changed."), "error")
        return _group_page(process, group, status=400)
    to_group_id = None
    if action == "move":
        to_group_id = request.form.get("to", type=db_int)
        if not to_group_id or to_group_id == group_id:
            flash(_("Choose the group the items go to."), "error")
            return _group_page(process, group, status=400)
    elif not split_form.validate_on_submit():
        return _group_page(process, group, split_form=split_form, status=400)
    try:
        target = services.move_items(process, kind, keys, to_group_id, current_user,
                                     new_label=split_form.new_label.data or "",
                                     seen_versions={group_id: split_form.version.data})
        db.session.commit()
    except services.GroupGone:
        return _gone(process, kind)
    except CONFLICTS:
        return _changed_meanwhile(process, group_id, kind)
    flash(ngettext("%(num)d item moved to “%(name)s”; it stays there when the analysis runs "
                   "again.", "%(num)d items moved to “%(name)s”; they stay there when the "
                   "analysis runs again.", len(keys), name=target.label), "success")
    if services.get_group(process, group_id) is None:  # its last items went
        return redirect(url_for("analysis.group", slug=slug, group_id=target.id))
    return redirect(url_for("analysis.group", slug=slug, group_id=group_id))


@bp.post("/p/<slug>/groups/<int:group_id>/code")
def code_group(slug: str, group_id: int):
    process = get_visible_process(slug)
    require(can_moderate)
    group = _group_or_404(process, group_id)
    code = codes.get_code(process, request.form.get("code", 0, type=db_int) or 0)
    if code is None:
        flash(_("Choose a code."), "error")
        return _group_page(process, group, status=400)
    added = codes.tag_items(process, code, _group_keys(group), current_user)
    db.session.commit()
    flash(ngettext("Code “%(code)s” given to %(num)d more item of this group.",
                   "Code “%(code)s” given to %(num)d more items of this group.", added,
                   code=code.name), "success")
    return redirect(url_for("analysis.group", slug=slug, group_id=group_id))


def _group_keys(group: AnalysisGroup) -> set[tuple[ItemKind, int]]:
    return {(row.item_kind, row.item_id) for row in group.items}


# --- codes --------------------------------------------------------------------------------

@bp.route("/p/<slug>/codes", methods=["GET", "POST"])
@form_checks_csrf
def code_list(slug: str):
    process = get_visible_process(slug)
    require(can_moderate)
    form = CodeForm()
    status = 200
    if request.method == "POST":
        require(can_moderate)
        if form.validate_on_submit():
            try:
                codes.add_code(process, form.name.data, current_user)
                db.session.commit()
            except codes.NameTaken:
                db.session.rollback()
                form.name.errors = [_("The process has this code already.")]
            else:
                flash(_("Code “%(code)s” added.", code=form.name.data), "success")
                return redirect(url_for("analysis.code_list", slug=slug))
        status = 400
    return _codes_page(process, form, status=status)


def _codes_page(process: Process, form, *, editing=None, edit_form=None, conflict=None,
                status: int = 200):
    return render_template("analysis/codes.html", process=process, form=form,
                           codes=codes.codes_of(process), editing=editing, edit_form=edit_form,
                           conflict=conflict, button_form=EmptyForm(formdata=None)), status


def _code_or_404(process: Process, code_id: int):
    code = codes.get_code(process, code_id)
    if code is None:
        abort(404)
    return code


@bp.route("/p/<slug>/codes/<int:code_id>/rename", methods=["GET", "POST"])
@form_checks_csrf
def rename_code(slug: str, code_id: int):
    process = get_visible_process(slug)
    require(can_moderate)
    code = _code_or_404(process, code_id)
    form = CodeForm()  # the page then shows it instead of the form that adds one
    if request.method == "GET":
        form.name.data, form.version.data = code.name, code.version
        return _codes_page(process, CodeForm(formdata=None), editing=code, edit_form=form)
    if not form.validate_on_submit():
        return _codes_page(process, CodeForm(formdata=None), editing=code, edit_form=form,
                           status=400)
    try:
        codes.rename_code(code, form.name.data, current_user, seen_version=form.version.data)
        db.session.commit()
    except codes.NameTaken:
        db.session.rollback()
        form.name.errors = [_("The process has this code already.")]
        return _codes_page(process, CodeForm(formdata=None), editing=code, edit_form=form,
                           status=400)
    except CONFLICTS:
        db.session.rollback()
        code = _code_or_404(process, code_id)
        conflict = conflicts.answer(form, code.version, [(form.name.label.text, code.name)])
        return _codes_page(process, CodeForm(formdata=None), editing=code, edit_form=form,
                           conflict=conflict, status=409)
    flash(_("The code is now called “%(code)s”.", code=form.name.data), "success")
    return redirect(url_for("analysis.code_list", slug=slug))


@bp.post("/p/<slug>/codes/<int:code_id>/delete")
def delete_code(slug: str, code_id: int):
    process = get_visible_process(slug)
    require(can_moderate)
    code = codes.get_code(process, code_id, lock=True)
    if code is None:  # removed by someone else meanwhile: what was asked is done
        flash(_("That code had been removed already."), "success")
        return redirect(url_for("analysis.code_list", slug=slug))
    name = code.name
    codes.delete_code(code, current_user)
    db.session.commit()
    flash(_("Code “%(code)s” removed from the process and its items.", code=name), "success")
    return redirect(url_for("analysis.code_list", slug=slug))


@bp.post("/p/<slug>/codes/tag")
def tag_selection(slug: str):
    """A code for the items ticked in the moderation queue; back to the same list."""
    process = get_visible_process(slug)
    require(can_moderate)
    back = url_for("moderation.queue", slug=slug, **{
        k: v for k, v in request.args.items()
        if k in ("state", "round", "theme", "section", "group", "code", "page")})
    code = codes.get_code(process, request.form.get("code", 0, type=db_int) or 0)
    keys = _keys(request.form.getlist("items"))
    if code is None or not keys:
        flash(_("Select one or more items and a code; nothing was changed."), "error")
        return redirect(back)
    added = codes.tag_items(process, code, keys, current_user)
    db.session.commit()
    flash(ngettext("Code “%(code)s” given to %(num)d item.", "Code “%(code)s” given to "
                   "%(num)d items.", added, code=code.name), "success")
    return redirect(back)


@bp.post("/p/<slug>/moderation/<any(contribution, comment):kind>/<int:item_id>/codes")
def item_codes(slug: str, kind: str, item_id: int):
    """Give a code to one item, or take one away, from the moderation item page."""
    process = get_visible_process(slug)
    require(can_moderate)
    item_kind = ItemKind(kind)
    if get_item(process, item_kind, item_id) is None:
        abort(404)
    code = codes.get_code(process, request.form.get("code", 0, type=db_int) or 0)
    back = url_for("moderation.item", slug=slug, kind=kind, item_id=item_id, _anchor="codes")
    if code is None:
        flash(_("Choose a code."), "error")
        return redirect(back)
    if request.form.get("action") == "remove":
        codes.untag_item(process, code, item_kind, item_id, current_user)
        message = _("Code “%(code)s” taken off this item.", code=code.name)
    else:
        codes.tag_items(process, code, [(item_kind, item_id)], current_user)
        message = _("Code “%(code)s” given to this item.", code=code.name)
    db.session.commit()
    flash(message, "success")
    return redirect(back)
