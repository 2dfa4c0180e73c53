"""Privacy pages of the account: my data (page and JSON file), delete my account, consent.

Views validate, call a service, commit and redirect; the rules live in the services.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..core import uploads
from ..accounts.labels import KIND_LABELS
from ..accounts.passwords import verify_password
from ..admin.labels import ROLE_LABELS
from ..admin.services import admin_ids
from ..comments.models import Comment
from ..contributions.models import Contribution
from ..core.extensions import db
from ..moderation.labels import DISPOSITION_LABELS, FLAG_LABELS
from ..core.security import form_checks_csrf, no_store
from ..core.timeutil import utcnow
from ..core.urls import safe_next
from . import erasure
from .consent import record_consent
from .data import PARTS, as_json, personal_data
from .forms import ConsentForm, DeleteAccountForm
from .rules import can_delete_account, needs_consent

bp = Blueprint("privacy", __name__)


# Every page asks whether the person must agree to the statement again (base.html), beside
# the role predicates (participation.core.roles.PREDICATES): a global, not a context processor
# that would run on every page.
bp.add_app_template_global(needs_consent)


def _labels() -> tuple[dict, dict]:
    """Headings of the parts and the words for the codes in the data, in the page's language."""
    titles = {
        "account": _("Account"), "organisation": _("Organisation"),
        "memberships": _("Organisations you said you take part for"),
        "consent": _("Agreement to the privacy statement"),
        "processes": _("Processes you joined by invitation"),
        "contributions": _("Your input (round 1)"), "comments": _("Your reactions (round 2)"),
        "supports": _("Reactions you agreed with"), "flags": _("What you reported"),
        "notification_preferences": _("E-mail about replies"),
        "invitations": _("Invitations to your e-mail address"),
        "mail": _("E-mails sent to you"),
    }
    labels = {
        "roles": {role.value: label for role, label in ROLE_LABELS.items()},
        "kinds": {kind.value: label for kind, label in KIND_LABELS.items()},
        "dispositions": DISPOSITION_LABELS, "flag_reasons": FLAG_LABELS,
        "states": {"pending": _("Waiting for the project team"), "published": _("Published"),
                   "rejected": _("Not published"), "withdrawn": _("Withdrawn")},
        "item_types": {"contribution": _("Contribution"), "comment": _("Reaction")},
        "notify": {"each": _("send me an e-mail for every reply"),
                   "daily": _("send me one e-mail a day"), "none": _("send me nothing")},
    }
    return titles, labels


@bp.get("/account/data")
@login_required
@no_store
def my_data():
    titles, labels = _labels()
    return render_template("privacy/my_data.html", data=personal_data(current_user), parts=PARTS,
                           titles=titles, labels=labels)


@bp.get("/account/data.json")
@login_required
@no_store
def my_data_json():
    response = current_app.response_class(as_json(personal_data(current_user)),
                                          mimetype="application/json")
    filename = f"my-data-{utcnow():%Y-%m-%d}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _published_counts(user) -> tuple[int, int]:
    """How many of the person's contributions and reactions others can read now."""
    contributions = db.session.scalar(sa.select(sa.func.count(Contribution.id)).where(
        Contribution.author_id == user.id, Contribution.is_shown))
    comments = db.session.scalar(sa.select(sa.func.count(Comment.id)).where(
        Comment.author_id == user.id, Comment.by_team.is_(False), Comment.is_shown))
    return contributions, comments


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@form_checks_csrf
@no_store
def delete_account():
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    last_admin = not can_delete_account(user, len(admin_ids()))
    if form.validate_on_submit() and not last_admin:
        if not verify_password(user.password_hash, form.password.data):
            form.password.errors = [_("This is not your password.")]
        else:
            try:
                result = erasure.delete_account(user, erasure.ItemChoice(form.items.data))
                db.session.commit()
            except erasure.LastAdmin:
                db.session.rollback()
                last_admin = True
            else:
                # Files go only once the rows that pointed at them are gone for good.
                for stored_name in result.files:
                    uploads.discard(stored_name)
                logout_user()
                flash(_("Your account has been deleted. Thank you for taking part."), "success")
                return redirect(url_for("main.home"))
    status = 200
    if last_admin and request.method == "POST":
        form.form_errors.append(_("You are the only admin. Make someone else admin first: "
                                  "the site must keep at least one admin."))
        status = 403
    contributions, comments = _published_counts(user)
    return render_template("privacy/delete.html", form=form, last_admin=last_admin,
                           contributions=contributions, comments=comments), status


@bp.route("/account/consent", methods=["GET", "POST"])
@login_required
@form_checks_csrf
def consent():
    user = current_user._get_current_object()
    form = ConsentForm()
    next_url = safe_next(request.args.get("next"), url_for("accounts.profile"))
    if form.validate_on_submit():
        record_consent(user)
        db.session.commit()
        flash(_("Thank you. You agreed to the privacy statement."), "success")
        return redirect(next_url)
    return render_template("privacy/consent.html", form=form, outdated=needs_consent(user),
                           version=current_app.config["PRIVACY_STATEMENT_VERSION"],
                           retention_months=current_app.config["RETENTION_MONTHS"])
