"""Account pages. Views validate, call a service, commit, and redirect (post/redirect/get)."""
from __future__ import annotations

from functools import wraps

from flask import (Blueprint, current_app, flash, make_response, redirect, render_template, request,
                   session, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from ..core.extensions import db
from ..core.forms import EmptyForm
from ..core.limiter import PostCounter, PostLimit, client_address, no_typed_email, typed_email
from ..core.security import form_checks_csrf, no_store
from ..core.timeutil import utcnow
from ..core.urls import safe_next
from . import services, tokens
from .forms import (AS_EXISTING, AS_NEW, ChangePasswordForm, EmailOnlyForm, ForgotPasswordForm,
                    LoginForm, ProfileForm, RegisterForm, ResetPasswordForm)
from .login_limits import LoginAttempt, lift_account_lock
from .models import OrganisationKind
from ..oidc.providers import provider_labels
from ..oidc.services import identities_of
from ..oidc.sessions import link_pending, logout_redirect
from ..organisations import services as memberships
from .passwords import verify_password

bp = Blueprint("accounts", __name__)

#: Registrations per address; a form sent back with a mistake does not count.
REGISTRATIONS = PostLimit(PostCounter("register", per=client_address), only_saved=True)
#: A reset link and a new confirmation link are both mail to an address: every post counts, per
#: address and per e-mail address typed, on one pair of counters for the two forms.
MAIL_LINKS = PostLimit(PostCounter("password_reset", per=client_address),
                       PostCounter("password_reset_per_email", per=typed_email,
                                   exempt_when=no_typed_email))


def _choice_from(form) -> services.OrganisationChoice:
    if form.participate_as.data == AS_EXISTING:
        return services.OrganisationChoice(existing_id=form.organisation_id.data,
                                           role=form.org_role.data or "",
                                           kvk=form.org_kvk.data)
    if form.participate_as.data == AS_NEW:
        return services.OrganisationChoice(new_name=form.org_name.data,
                                           new_kind=OrganisationKind(form.org_kind.data),
                                           new_sector=form.org_sector.data,
                                           role=form.org_role.data or "", kvk=form.org_kvk.data)
    return services.OrganisationChoice.individual()


def _duplicate_organisation(form) -> None:
    form.org_name.errors = list(form.org_name.errors) + [
        _("An organisation with this name is already registered: choose it from the list.")]
    form.participate_as.data = AS_NEW


def _refused_organisation(form) -> None:
    form.org_name.errors = list(form.org_name.errors) + [
        _("The project team could not confirm an organisation with this name. Contact the "
          "project team if you take part for it.")]
    form.participate_as.data = AS_NEW


def local_accounts_only(view):
    """Registering and passwords exist only while LOCAL_LOGIN is on; with it off, people log
    in through a provider, so these pages send them to the login page and change nothing."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_app.config["LOCAL_LOGIN"]:
            flash(_("On this site you log in through one of the options below; there are no "
                    "separate passwords."), "info")
            return redirect(url_for("accounts.login"))
        return view(*args, **kwargs)
    return wrapper


@bp.route("/register", methods=["GET", "POST"])
@form_checks_csrf
@local_accounts_only
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    form.set_organisation_choices(services.organisations_to_choose())
    REGISTRATIONS.check(keep_text=True)
    if form.validate_on_submit():
        try:
            services.register(name=form.name.data, email=form.email.data,
                              password=form.password.data, choice=_choice_from(form),
                              locale=str(get_locale()))
            db.session.commit()
        except services.DuplicateOrganisation:
            db.session.rollback()
            _duplicate_organisation(form)
        except services.RefusedOrganisation:
            db.session.rollback()
            _refused_organisation(form)
        except IntegrityError:
            # Someone registered the same address or organisation at the same moment.
            db.session.rollback()
            if services.find_user_by_email(form.email.data) is None:
                _duplicate_organisation(form)
            else:
                REGISTRATIONS.hit()
                session["registered_email"] = form.email.data
                return redirect(url_for("accounts.check_mail"))
        else:
            REGISTRATIONS.hit()
            session["registered_email"] = form.email.data
            return redirect(url_for("accounts.check_mail"))
    return render_template("accounts/register.html", form=form)


@bp.get("/register/check-your-mail")
def check_mail():
    return render_template("accounts/check_mail.html", email=session.get("registered_email"))


@bp.get("/confirm/<token>")
@no_store
def confirm(token: str):
    result = tokens.read_token(token, tokens.Purpose.confirm)
    if isinstance(result, tokens.LinkProblem):
        return render_template("accounts/link_problem.html", problem=result.value,
                               purpose="confirm", form=EmailOnlyForm()), 400
    services.confirm_email(result)
    db.session.commit()
    flash(_("Thank you, your e-mail address is confirmed. You can log in now."), "success")
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return redirect(url_for("accounts.login"))


@bp.route("/confirm", methods=["GET", "POST"])
@form_checks_csrf
def resend_confirmation():
    MAIL_LINKS.check()
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data)
        db.session.commit()
        session["registered_email"] = form.email.data
        return redirect(url_for("accounts.check_mail"))
    return render_template("accounts/resend_confirmation.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@form_checks_csrf
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    unconfirmed = False
    if not current_app.config["LOCAL_LOGIN"]:
        # Logging in with a password is switched off: the page shows the providers only.
        if request.method == "POST":
            return render_template("accounts/login.html", form=form, unconfirmed=False), 403
        return render_template("accounts/login.html", form=form, unconfirmed=False)
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        attempt = LoginAttempt.of(form.email.data, user)
        # The limits are checked before the password, and only a wrong password counts as a
        # failure: a room of people logging in from one address all get in.
        refused = attempt.refusal()
        if refused:
            form.form_errors.append(refused.message)
            page = make_response(render_template("accounts/login.html", form=form,
                                                 unconfirmed=False), 429)
            page.headers["Retry-After"] = str(refused.wait)
            return page
        if not services.password_is_right(user, form.password.data):
            attempt.failed()
            form.form_errors.append(_("The e-mail address or the password is not right."))
        else:
            attempt.succeeded()
            if not user.is_confirmed:
                unconfirmed = True
            else:
                login_user(user, remember=form.remember.data)
                user.last_login_at = utcnow()
                session["locale"] = user.locale
                linked = link_pending(user)
                db.session.commit()
                flash(_("You are logged in."), "success")
                if linked is not None:
                    flash(_("Your %(label)s login is now linked to your account: from now on "
                            "it logs you in.", label=linked.label), "success")
                return redirect(safe_next(request.args.get("next"), url_for("main.home")))
    return render_template("accounts/login.html", form=form, unconfirmed=unconfirmed)


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            # Ended on the server too, before the cookie goes: a copy of it no longer logs in.
            services.end_sessions(current_user._get_current_object())
            db.session.commit()
        at_provider = logout_redirect()
        logout_user()
        flash(_("You are logged out, here and on your other devices."), "success")
        if at_provider:
            # The provider ends its session too and sends the browser back to the home page.
            return redirect(at_provider)
    return redirect(url_for("main.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@form_checks_csrf
@local_accounts_only
def forgot_password():
    MAIL_LINKS.check()
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@form_checks_csrf
@no_store
@local_accounts_only
def reset_password(token: str):
    result = tokens.read_token(token, tokens.Purpose.reset)
    if isinstance(result, tokens.LinkProblem):
        return render_template("accounts/link_problem.html", problem=result.value,
                               purpose="reset", form=EmailOnlyForm()), 400
    form = ResetPasswordForm(user=result)
    if form.validate_on_submit():
        services.reset_password(result, form.password.data)
        db.session.commit()
        lift_account_lock(result)  # they proved the account is theirs
        logout_user()
        flash(_("Your password has been changed. Log in with your new password."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/", methods=["GET", "POST"])
@login_required
@form_checks_csrf
@no_store
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=None if request.method == "POST" else user)
    form.current_organisation_id = user.organisation_id
    form.set_organisation_choices(services.organisations_to_choose(user.organisation_id))
    membership, requests = memberships.for_profile(user)
    if request.method == "GET":
        form.participate_as.data = AS_EXISTING if user.organisation_id else "individual"
        form.organisation_id.data = user.organisation_id or 0
        if membership is not None:
            form.org_role.data, form.org_kvk.data = membership.role, membership.kvk
    if form.validate_on_submit():
        try:
            services.update_profile(user, name=form.name.data, choice=_choice_from(form),
                                    locale=form.locale.data)
            db.session.commit()
        except services.RefusedOrganisation:
            db.session.rollback()
            _refused_organisation(form)
        except (services.DuplicateOrganisation, IntegrityError):
            db.session.rollback()
            _duplicate_organisation(form)
        else:
            session["locale"] = user.locale
            flash(_("Your details have been saved."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, user=user,
                           membership=membership, requests=requests,
                           identities=identities_of(user) if provider_labels() else [],
                           provider_labels=provider_labels())


@bp.route("/password", methods=["GET", "POST"])
@login_required
@form_checks_csrf
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm(user=user)
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.current_password.data):
            form.current_password.errors = [_("This is not your current password.")]
        else:
            services.set_password(user, form.password.data)
            db.session.commit()
            # The session id contains a digest of the password hash: renew it for this session.
            login_user(user, remember=bool(request.cookies.get("remember_token")))
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)
