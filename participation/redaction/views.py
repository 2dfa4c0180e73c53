"""The team's review of personal data found in an item, on the moderation item page."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.conflicts import CONFLICTS
from ..core.extensions import db
from ..core.integers import db_int_or_none
from ..core.roles import can_moderate, require
from ..core.security import form_checks_csrf
from ..processes.models import Round
from ..processes.services import get_visible_process
from . import detect, services
from .forms import DecisionForm

bp = Blueprint("redaction", __name__)


def _view(kind: str, item) -> dict | None:
    """What the item page's findings box shows: the redaction, its findings with their
    placeholders, and a fresh form; None when nothing was found."""
    redaction = services.for_item(kind, item)
    if redaction is None:
        return None
    form = DecisionForm(formdata=None)
    form.version.data = redaction.version
    return {"redaction": redaction, "form": form, "kind": kind, "item": item,
            "placeholders": {k.value: v for k, v in detect.PLACEHOLDERS.items()}}


# The moderation item page (another feature's template) includes the box; a global, as the
# disposition labels are, so that its view needs no change.
bp.record_once(lambda state: state.app.jinja_env.globals.update(redaction_view=_view))


def _load(process, kind: str, item_id: int):
    model = services.KINDS.get(kind)
    if model is None:
        abort(404)
    item = db.session.get(model, item_id)
    if item is None or db.session.get(Round, item.round_id).process_id != process.id:
        abort(404)
    return item


@bp.post("/p/<slug>/moderation/<kind>/<int:item_id>/redaction")
@form_checks_csrf
def decide(slug: str, kind: str, item_id: int):
    process = get_visible_process(slug)
    require(can_moderate)
    item = _load(process, kind, item_id)
    redaction = services.for_item(kind, item, lock=True)
    if redaction is None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _page(process, kind, item, form, 400)
    ticked = {i for i in (db_int_or_none(v) for v in request.form.getlist("redact"))
              if i is not None and 0 <= i < len(redaction.findings)}
    try:
        services.decide(process, kind, item, redaction, current_user, redact=ticked,
                        seen_version=form.version.data)
        db.session.commit()
    except (*CONFLICTS, services.Stale):
        db.session.rollback()
        form.form_errors.append(_(
            "Someone else decided on these findings, or the author changed the text, after "
            "you opened this page. Nothing was changed: look at the findings as they are now "
            "and decide again."))
        return _page(process, kind, item, form, 409)
    flash(_("The decision on personal data has been saved; the public reads the text as "
            "shown.") if ticked else _("Nothing is redacted: the text is published as "
                                       "written."), "success")
    return redirect(url_for("moderation.item", slug=slug, kind=kind, item_id=item_id)
                    + "#personal-data")


def _page(process, kind: str, item, form: DecisionForm, status: int):
    view = _view(kind, item)
    if view is None:
        abort(404)
    view["form"].form_errors = form.form_errors
    return render_template("redaction/review.html", process=process, view=view), status
