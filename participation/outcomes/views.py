"""The public "you said, we did" page of a process, and the team's button that marks the
participation document final."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from ..core.extensions import db
from ..core.forms import EmptyForm
from ..core.roles import is_team, require
from ..export.labels import labels
from ..moderation.labels import disposition_names
from ..processes.services import get_visible_process
from . import services

bp = Blueprint("outcomes", __name__)


@bp.get("/p/<slug>/you-said-we-did")
def page(slug: str):
    process = get_visible_process(slug)
    language = str(get_locale()).split("_")[0]
    content = services.outcome(process, language)
    return render_template("outcomes/outcomes.html", process=process, outcome=content,
                           words=labels(), dispositions=disposition_names(),
                           final=services.final_mark(process),
                           form=EmptyForm() if is_team(current_user) else None)


@bp.post("/p/<slug>/you-said-we-did/final")
def mark_final(slug: str):
    process = get_visible_process(slug)
    require(is_team)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        mark = services.mark_final(process, current_user)
        db.session.commit()
    except services.AlreadyFinal:
        db.session.rollback()
        flash(_("The document had already been marked final; nobody was mailed again."), "info")
    else:
        flash(ngettext("The document is final. %(num)d participant will get an e-mail with the "
                       "link to this page.", "The document is final. %(num)d participants will "
                       "get an e-mail with the link to this page.", mark.mailed), "success")
    return redirect(url_for("outcomes.page", slug=slug))
