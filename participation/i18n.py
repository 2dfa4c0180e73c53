"""Language choice: the user's saved language, else the session's, else Dutch."""
from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_login import current_user


def supported(locale: str | None) -> bool:
    return locale in current_app.config["LANGUAGES"]


def select_locale() -> str:
    if not has_request_context():  # the CLI and the mail sender
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and supported(current_user.locale):
        return current_user.locale
    chosen = session.get("locale")
    if supported(chosen):
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
