"""The team's invitation page, and the invitee's short way in."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user

from ..accounts.models import User
from ..accounts.passwords import hash_password
from ..accounts.services import find_user_by_email
from ..core.extensions import db
from ..core.forms import EmptyForm
from ..core.roles import Role, can_moderate, require
from ..processes.models import Process
from ..processes.services import get_visible_process
from ..core.sanitize import plain_text
from ..core.security import form_checks_csrf, no_store
from ..core.limiter import PostCounter, PostLimit, account
from ..core.timeutil import utcnow
from ..drafts.services import latest_published
from . import services
from .forms import AcceptForm, CsvImportForm, InviteForm
from .models import Invitation, InvitationKind

bp = Blueprint("invitations", __name__)

#: Invitations per team member, one by one and by CSV file alike (a file counts once); a form
#: sent back with a mistake does not count.
INVITATIONS = PostLimit(PostCounter("invitations", per=account), only_saved=True)


def _team_page(process, invite_form=None, csv_form=None, csv_problems=None, status=200):
    return render_template(
        "invitations/manage.html", process=process, invitations=services.for_process(process),
        invite_form=invite_form or InviteForm(formdata=None),
        csv_form=csv_form or CsvImportForm(formdata=None), csv_problems=csv_problems or [],
        action_form=EmptyForm(formdata=None), now=utcnow()), status


@bp.get("/p/<slug>/invitations")
def manage(slug: str):
    process = get_visible_process(slug)
    require(can_moderate)
    return _team_page(process)


@bp.post("/p/<slug>/invitations")
@form_checks_csrf
def invite(slug: str):
    process = get_visible_process(slug)
    require(can_moderate)
    form = InviteForm()
    INVITATIONS.check(keep_text=True)
    if form.validate_on_submit():
        services.invite(process, email=form.email.data, name=form.name.data,
                        organisation_name=form.organisation.data,
                        kind=InvitationKind(form.kind.data), by=current_user,
                        locale=str(get_locale()))
        db.session.commit()
        INVITATIONS.hit()
        flash(_("%(email)s has been invited.", email=form.email.data), "success")
        return redirect(url_for("invitations.manage", slug=slug))
    return _team_page(process, invite_form=form, status=400)


@bp.post("/p/<slug>/invitations/import")
@form_checks_csrf
def import_csv(slug: str):
    process = get_visible_process(slug)
    require(can_moderate)
    form = CsvImportForm()
    problems = []
    INVITATIONS.check(keep_text=True)
    if form.validate_on_submit():
        storage = form.file.data
        if not storage or not getattr(storage, "filename", ""):
            form.file.errors = [_("Choose a CSV file.")]
        else:
            rows, problems = services.read_csv(storage.read(5 * 1024 * 1024))
            if problems:
                form.file.errors = [_("Nothing was imported: the file has %(n)d problem(s). "
                                      "Correct them and import the file again.",
                                      n=len(problems))]
            else:
                for row in rows:
                    services.invite(process, email=row.email, name=row.name,
                                    organisation_name=row.organisation,
                                    kind=InvitationKind(form.kind.data), by=current_user,
                                    locale=str(get_locale()))
                db.session.commit()
                INVITATIONS.hit()
                flash(_("%(n)d people have been invited.", n=len(rows)), "success")
                return redirect(url_for("invitations.manage", slug=slug))
    return _team_page(process, csv_form=form, csv_problems=problems, status=400)


def _team_invitation(process: Process, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.process_id != process.id:
        abort(404)
    return invitation


@bp.post("/p/<slug>/invitations/<int:invitation_id>/<any(resend, revoke):action>")
def change(slug: str, invitation_id: int, action: str):
    process = get_visible_process(slug)
    require(can_moderate)
    invitation = _team_invitation(process, invitation_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if invitation.accepted_at is not None:
        flash(_("This invitation has been accepted already."), "info")
    elif action == "resend":
        services.resend(invitation, process, current_user, locale=str(get_locale()))
        flash(_("The invitation has been sent again with a new link."), "success")
    else:
        services.revoke(invitation, current_user)
        flash(_("The invitation has been withdrawn; its link no longer works."), "success")
    db.session.commit()
    return redirect(url_for("invitations.manage", slug=slug) + f"#inv-{invitation.id}")


# --- the invitee --------------------------------------------------------------------------

def _problem(kind: str, status: int):
    return render_template("invitations/problem.html", problem=kind), status


def _landing(process: Process) -> str:
    if latest_published(process) is not None:
        return url_for("drafts.read", slug=process.slug)
    return url_for("processes.process", slug=process.slug)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@form_checks_csrf
@no_store
def accept(token: str):
    invitation = services.find_by_token(token)
    if invitation is None:
        return _problem("invalid", 404)
    status = invitation.status()
    if status != "open":
        return _problem(status, 410)
    process = db.session.get(Process, invitation.process_id)
    existing = find_user_by_email(invitation.email)
    if existing is not None:
        if current_user.is_authenticated and current_user.id == existing.id:
            services.accept(invitation, existing)
            db.session.commit()
            flash(_("Welcome. You can now read the draft and react to it."), "success")
            return redirect(_landing(process))
        return render_template("invitations/login_first.html", invitation=invitation,
                               process=process, token=token,
                               other_user=current_user.is_authenticated)
    form = AcceptForm(email=invitation.email)
    if request.method == "GET":
        form.name.data = invitation.name
    if form.validate_on_submit():
        user = User(email=invitation.email, name=plain_text(form.name.data),
                    password_hash=hash_password(form.password.data), role=Role.participant,
                    organisation=services.organisation_for(invitation),
                    locale=str(get_locale()), email_confirmed_at=utcnow(),
                    consent_at=utcnow(),
                    consent_version=current_app.config["PRIVACY_STATEMENT_VERSION"])
        db.session.add(user)
        db.session.flush()
        services.accept(invitation, user)
        db.session.commit()
        login_user(user)
        session["locale"] = user.locale
        flash(_("Welcome. You can now read the draft and react to it."), "success")
        return redirect(_landing(process))
    return render_template("invitations/accept.html", invitation=invitation, process=process,
                           form=form)
