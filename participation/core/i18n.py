"""Language choice: the user's saved language, else the session's, else Dutch; and how
moments are written."""
from __future__ import annotations

from flask import current_app, g, has_request_context, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup, escape

#: How moments are shown: in Europe/Amsterdam, with the zone ("3 maart 2026, 17:00 CET").
DATETIME_FORMAT = "d MMMM yyyy, HH:mm zzz"


def supported(locale: str | None) -> bool:
    return locale in current_app.config["LANGUAGES"]


def select_locale() -> str:
    if not has_request_context():  # the CLI and the mail sender
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    # A request that keeps no session chose its language itself (the open-data API, from
    # Accept-Language): looking at the user would load and touch the session.
    if supported(g.get("request_locale")):
        return g.request_locale
    if getattr(current_user, "is_authenticated", False) and supported(current_user.locale):
        return current_user.locale
    chosen = session.get("locale")
    if supported(chosen):
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def current_translations():
    """The translations of the locale in force, looked up once per locale and request.

    Flask-Babel looks them up again for every string (domain, context, locale, its name: a
    draft page with 200 strings spent about a millisecond there). The cache is keyed by the
    locale object itself, so `force_locale` (mail in the recipient's language) swaps it.
    """
    locale, cached, request_g = babel_state("_translations_of")
    if request_g is None:
        return get_translations()
    if locale is not None and cached is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    request_g._translations_of = (get_locale(), translations)
    return translations


def babel_state(key: str):
    """(the locale Flask-Babel chose for this request or None, g's `key` or None, g itself or
    None outside an app context), read from g's own object: every string of a page asks, and
    each look-up through the `g` proxy costs as much as the rest of the answer."""
    try:
        request_g = g._get_current_object()
    except RuntimeError:
        return None, None, None
    values = request_g.__dict__
    return (getattr(values.get("_flask_babel"), "babel_locale", None), values.get(key),
            request_g)


def _formatted(eval_ctx, text: str, variables: dict):
    """As Jinja's newstyle gettext: escaped where the template escapes, and always a format
    string (a translation's "%%" is one "%", with or without variables)."""
    if eval_ctx.autoescape:
        # What Markup(text) % variables makes, without its helper object per value (a draft
        # page formats a few hundred strings): every value escaped, numbers kept as numbers
        # for %d. A translation from our catalogue, its variables escaped.
        return Markup(text % {name: value if isinstance(value, (int, float)) else escape(value)  # nosec B704
                              for name, value in variables.items()})
    return text % variables


@pass_eval_context
def _gettext(eval_ctx, string: str, **variables):
    return _formatted(eval_ctx, current_translations().ugettext(string), variables)


@pass_eval_context
def _ngettext(eval_ctx, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    return _formatted(eval_ctx, current_translations().ungettext(singular, plural, num),
                      variables)


@pass_eval_context
def _pgettext(eval_ctx, context: str, string: str, **variables):
    variables.setdefault("context", context)
    return _formatted(eval_ctx, current_translations().upgettext(context, string), variables)


@pass_eval_context
def _npgettext(eval_ctx, context: str, singular: str, plural: str, num: int, **variables):
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    return _formatted(eval_ctx, current_translations().unpgettext(context, singular, plural,
                                                                  num), variables)


def install_fast_gettext(app) -> None:
    """Templates use `current_translations`, with Jinja's newstyle formatting, called directly.

    Jinja's own newstyle callables go through three calls of the template context per string
    (`_` resolves `gettext`, which calls the translation function through the context again);
    a draft of forty sections has some two hundred strings, and those calls were a fifth of its
    page. These are the same functions in one call each (tests/test_i18n.py compares them)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext,
                                 pgettext=_pgettext, npgettext=_npgettext)
