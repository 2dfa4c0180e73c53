"""The team's queue of new organisations and claims, an organisation's page with its settings,
and the page where a verified member confirms or refuses newcomers. Load, check, act."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.labels import KIND_LABELS
from ..accounts.models import Membership, Organisation
from ..core.extensions import db
from ..core.integers import db_int
from ..core.roles import can_moderate, require
from ..core.search import search_text
from ..core.security import form_checks_csrf
from ..core.urls import safe_next
from . import services
from .forms import DecisionForm, SettingsForm

bp = Blueprint("organisations", __name__)


@bp.context_processor
def _helpers():
    return {"email_domain": services.email_domain, "domain_matches": services.domain_matches,
            "kind_labels": KIND_LABELS}


def _organisation_or_404(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


# --- the team -------------------------------------------------------------------------------

@bp.get("/organisations")
def queue():
    require(can_moderate)
    query = search_text().strip()
    return render_template(
        "organisations/queue.html", queue=services.team_queue(), query=query,
        listing=services.organisation_page(query, request.args.get("page", 1, type=db_int) or 1),
        form=DecisionForm(formdata=None))


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@form_checks_csrf
def organisation(organisation_id: int):
    require(can_moderate)
    organisation = _organisation_or_404(organisation_id)
    form = SettingsForm(obj=organisation if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            changed = services.change_settings(
                organisation, website_domain=form.website_domain.data,
                auto_confirm_domain=form.auto_confirm_domain.data, kvk=form.kvk.data,
                by=current_user)
        except services.KvkTaken:
            form.kvk.errors = [_("Another organisation has this KvK number already.")]
            return render_template("organisations/organisation.html", organisation=organisation,
                                   form=form, decision_form=DecisionForm(formdata=None),
                                   members=services.members_of(organisation)), 400
        confirmed = services.confirm_by_domain(organisation) if changed else 0
        db.session.commit()
        flash(_("The settings have been saved.") if changed
              else _("Nothing has changed."), "success")
        if confirmed:
            flash(_("Memberships confirmed by their e-mail domain: %(n)d.", n=confirmed),
                  "success")
        return redirect(url_for("organisations.organisation", organisation_id=organisation.id))
    return render_template("organisations/organisation.html", organisation=organisation,
                           form=form, decision_form=DecisionForm(formdata=None),
                           members=services.members_of(organisation)), 400 if form.errors else 200


# The decisions are bare buttons with nothing typed: the site-wide CSRF check refuses a
# missing or expired token (400).

@bp.post("/organisations/<int:organisation_id>/<any(confirm, refuse):decision>")
def decide_organisation(organisation_id: int, decision: str):
    require(can_moderate)
    organisation = _organisation_or_404(organisation_id)
    form = DecisionForm()
    back = safe_next(form.next.data, url_for("organisations.queue"))
    try:
        services.decide_organisation(organisation, confirm=decision == "confirm",
                                     by=current_user)
    except services.DecisionTaken:
        db.session.rollback()
        flash(_("%(name)s had already been decided on; nothing has changed.",
                name=organisation.name), "error")
        return redirect(back)
    db.session.commit()
    flash(_("%(name)s is confirmed.", name=organisation.name) if decision == "confirm"
          else _("%(name)s is refused.", name=organisation.name), "success")
    return redirect(back)


# --- members ----------------------------------------------------------------------------------

@bp.get("/account/organisation/requests")
@login_required
def requests():
    """Newcomers asking to take part for the organisation the visitor speaks for."""
    user = current_user._get_current_object()
    if not services.speaks_for(user, user.organisation_id):
        abort(403)
    return render_template("organisations/requests.html", organisation=user.organisation,
                           requests=services.requests_for(user),
                           form=DecisionForm(formdata=None))


@bp.post("/memberships/<int:membership_id>/<any(confirm, refuse):decision>")
@login_required
def decide_membership(membership_id: int, decision: str):
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        abort(404)
    if not services.may_decide(current_user, membership):
        abort(403)
    form = DecisionForm()
    default = url_for("organisations.queue") if can_moderate(current_user) \
        else url_for("organisations.requests")
    back = safe_next(form.next.data, default)
    name, organisation = membership.user.name, membership.organisation.name
    try:
        services.decide(membership, confirm=decision == "confirm", by=current_user)
    except services.DecisionTaken:
        db.session.rollback()
        flash(_("Whether %(name)s takes part for %(organisation)s had already been decided; "
                "nothing has changed.", name=name, organisation=organisation), "error")
        return redirect(back)
    db.session.commit()
    flash(_("%(name)s now takes part for %(organisation)s.", name=name, organisation=organisation)
          if decision == "confirm" else
          _("%(name)s takes part as a resident, not for %(organisation)s.", name=name,
            organisation=organisation), "success")
    return redirect(back)
