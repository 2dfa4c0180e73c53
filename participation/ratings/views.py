"""Rating a round: the page of its own (linked after a contribution and from the process page)
and the POST that every embedded form (ratings/_form.html) sends to."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.extensions import db
from ..core.roles import require
from ..processes.models import Process, RoundKind
from ..processes.services import get_visible_process
from . import services
from .forms import RatingForm

bp = Blueprint("ratings", __name__)


def form_for(kind: str) -> RatingForm:
    """The form for one round; the prefix keeps ids unique with two rounds on one page."""
    return RatingForm(prefix=f"rating-{kind}")


def prompts(process: Process) -> list[tuple]:
    """(round, form) for each round the current user took part in and did not rate yet: what
    the process page and the page after a contribution offer (ratings/_prompts.html)."""
    if not current_user.is_authenticated:
        return []
    return [(round_, form_for(round_.kind.value)) for round_ in process.rounds
            if services.refusal(current_user, round_) is None]


bp.add_app_template_global(prompts, "rating_prompts")


def _round(process: Process, kind: str):
    if kind not in RoundKind._value2member_map_:
        abort(404)
    round_ = process.round_of(RoundKind(kind))
    if round_ is None:
        abort(404)
    return round_


@bp.route("/p/<slug>/rating/<kind>", methods=["GET", "POST"])
def rate(slug: str, kind: str):
    process = get_visible_process(slug)
    require(lambda user: True)
    round_ = _round(process, kind)
    form = form_for(kind)
    refusal = services.refusal(current_user, round_)
    status = 200
    if refusal is None and form.validate_on_submit():
        try:
            services.rate(current_user, round_, score=int(form.score.data),
                          remark=form.remark.data)
            db.session.commit()
        except services.AlreadyRated:
            db.session.rollback()
            refusal, status = services.ALREADY, 409
        else:
            flash(_("Thank you for your rating."), "success")
            return redirect(url_for("processes.process", slug=slug) + "#rating")
    elif refusal is not None:
        status = 409 if refusal is services.ALREADY and form.is_submitted() else (
            403 if form.is_submitted() else 200)
    elif form.is_submitted():
        status = 400
    return render_template("ratings/rate.html", process=process, round_=round_, form=form,
                           refusal=refusal), status
