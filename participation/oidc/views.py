"""Logging in through a provider: the button's POST, and the provider's answer. Load, check, act."""
from __future__ import annotations

import logging

from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy.exc import IntegrityError

from ..accounts.login_limits import FAILED_PROVIDER_PER_ADDRESS as FAILED_PER_ADDRESS
from ..accounts.login_limits import PER_ADDRESS
from ..core.extensions import db
from ..core.forms import EmptyForm
from ..core.limiter import client_address, wait_text
from ..core.security import no_store
from ..core.timeutil import utcnow
from . import flow, services
from .flow import LoginFailed, Reason
from .providers import Provider, find
from .sessions import remember_pending

log = logging.getLogger(__name__)

bp = Blueprint("oidc", __name__)

#: Reasons that may be someone trying answers; the others are the provider's or ours.
_SUSPECT = {Reason.state, Reason.code, Reason.token}


def _provider_or_404(name: str) -> Provider:
    provider = find(name)
    if provider is None:
        abort(404)
    return provider


def _problem(provider: Provider, reason: Reason | services.Outcome, status: int, **values):
    page = render_template("oidc/problem.html", provider=provider, reason=reason.value,
                           **values)
    return make_response(page, status)


def _limited():
    """The page for an address over a limit, or None when it is within them."""
    address = client_address()
    for limit in (FAILED_PER_ADDRESS, PER_ADDRESS):
        if not limit.allows(address):
            wait = limit.wait_seconds(address) or 60
            page = make_response(render_template("oidc/limited.html", wait=wait_text(wait)), 429)
            page.headers["Retry-After"] = str(wait)
            return page
    return None


@bp.post("/<name>/login")
def start(name: str):
    provider = _provider_or_404(name)
    EmptyForm().validate_on_submit()  # the site-wide check already refused a bad token
    limited = _limited()
    if limited:
        return limited
    try:
        return flow.start(provider, url_for("oidc.callback", name=provider.name, _external=True))
    except LoginFailed as failure:
        _log(provider, failure)
        return _problem(provider, failure.reason, 503 if failure.reason is Reason.unavailable
                        else 502)


@bp.get("/<name>/callback")
@no_store
def callback(name: str):
    provider = _provider_or_404(name)
    limited = _limited()
    if limited:
        return limited
    try:
        claims = flow.finish(provider, request.args)
    except LoginFailed as failure:
        _log(provider, failure)
        if failure.reason in _SUSPECT:
            FAILED_PER_ADDRESS.hit(client_address())
        status = {Reason.unavailable: 503, Reason.misconfigured: 502}.get(failure.reason, 400)
        return _problem(provider, failure.reason, status)
    current = current_user._get_current_object() if current_user.is_authenticated else None
    try:
        result = services.sign_in(provider, claims, current)
    except IntegrityError:
        # The same person's other login (a second tab) made the account or link a moment ago:
        # now it is there to be found.
        db.session.rollback()
        result = services.sign_in(provider, claims, current)
    outcome = result.outcome
    if outcome is services.Outcome.prove_account:
        email = claims["email"].strip().lower()
        remember_pending(provider, str(claims["sub"]), email)
        flash(_("An account with the e-mail address %(email)s already exists on this site. "
                "Log in with its password once to link your %(label)s login to it; after that, "
                "%(label)s logs you in.", email=email, label=provider.label), "info")
        return redirect(url_for("accounts.login"))
    if result.user is None:
        db.session.rollback()
        return _problem(provider, outcome, 409 if outcome is services.Outcome.linked_elsewhere
                        else 400, email=claims.get("email"))
    user = result.user
    if outcome is not services.Outcome.linked:
        login_user(user)
        user.last_login_at = utcnow()
        session["locale"] = user.locale
    db.session.commit()
    PER_ADDRESS.hit(client_address())
    if outcome is services.Outcome.created:
        flash(_("Welcome! Your account has been made with your name and e-mail address from "
                "%(label)s. You are logged in.", label=provider.label), "success")
    elif outcome is services.Outcome.linked:
        flash(_("Your %(label)s login is now linked to your account: from now on it logs you "
                "in.", label=provider.label), "success")
    else:
        flash(_("You are logged in."), "success")
    if result.kvk_organisation:
        flash(_("%(label)s confirmed that you act for %(organisation)s: what you write is "
                "listed under it.", label=provider.label,
                organisation=result.kvk_organisation), "success")
    if outcome is services.Outcome.linked:
        return redirect(url_for("accounts.profile"))
    return redirect(url_for("main.home"))


def _log(provider: Provider, failure: LoginFailed) -> None:
    level = logging.ERROR if failure.reason is Reason.misconfigured else logging.WARNING
    current_app.logger.log(level, "login through %s failed (%s): %s", provider.name,
                           failure.reason.value, failure.detail)
