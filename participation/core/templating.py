"""What every template can use: the role predicates, languages, dates in Europe/Amsterdam.

Knows no feature: a feature adds its own globals with its blueprint (`app_template_global`,
`app_context_processor`), registered by the app factory.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, g, has_request_context, request
from flask_babel import format_datetime, get_locale

from markupsafe import Markup

from .i18n import DATETIME_FORMAT, babel_state, install_fast_gettext
from .roles import PREDICATES
from .sanitize import CONTROL_CHARACTER, without_control_characters
from .urls import fixed_url

_has_control = CONTROL_CHARACTER.search
#: A heading tag of cleaned user text: bleach leaves h3 and h4 without attributes.
_USER_HEADING = re.compile(r"<(/?)h([34])>")


def _printable(value):
    """Every {{ value }} without control characters, which no HTML page may contain: text
    stored before forms dropped them (or by a command) must not make a page invalid."""
    if isinstance(value, str) and _has_control(value):
        cleaned = without_control_characters(value)
        # It was Markup already (safe); only control characters went.
        return Markup(cleaned) if isinstance(value, Markup) else cleaned  # nosec B704
    return value


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.finalize = _printable
    install_fast_gettext(app)

    # What is the same on every page is a global of the environment, set once: a context
    # processor runs (and merges its dict) on every render_template, which was a fixed cost of
    # every page. Mail rendered by a command sees these too.
    app.jinja_env.globals.update(PREDICATES, languages=app.config["LANGUAGES"],
                                 municipality=app.config["MUNICIPALITY_NAME"],
                                 fixed_url=fixed_url)

    @app.context_processor
    def this_request():
        if not has_request_context():  # mail rendered by a command
            return {}
        return {
            "current_locale": str(get_locale()),
            # The header's log-out and language forms are written in base.html with
            # csrf_token() (Flask-WTF's, which reads no request body: an error page for a
            # too-large request renders them too), not as two form objects per page: building
            # them was a fixed cost of every page.
            "here": request.full_path.rstrip("?"),
        }

    @app.template_filter("datetime")
    def _datetime(value, format=DATETIME_FORMAT):
        """A UTC time from the database, shown in Europe/Amsterdam with its zone."""
        if not value:
            return ""
        if format == DATETIME_FORMAT and has_request_context():
            return fast_datetime(value)  # the same text, without Babel's cost per call
        return format_datetime(value, format)

    @app.template_filter("headings_under")
    def _headings_under(html, level: int):
        """Participants' headings (stored as h3 and h4: core.sanitize) one level under the
        page heading `level`, so that text right under the page's h1 skips no level."""
        shift = 2 - level
        if not html or shift <= 0:
            return html
        # Cleaned HTML in, only its bare heading tags renumbered.
        renumbered = _USER_HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) - shift}>", str(html))
        return Markup(renumbered)  # nosec B704

    @app.template_filter("date")
    def _date(value):
        if not value:
            return ""
        if isinstance(value, datetime) and has_request_context():
            return fast_date(value)  # the same text, without Babel's cost per call
        return format_datetime(value, "d MMMM yyyy")


_AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _month_names() -> dict:
    """The current locale's month names, looked up once per request (and per locale: mail in
    the recipient's language is rendered under force_locale)."""
    locale, cache, _request_g = babel_state("_moments")
    if locale is None or cache is None or cache["locale"] is not locale:
        locale = get_locale()
        months = locale.months["format"]["wide"]
        cache = g._moments = {"locale": locale, "months": {m: months[m] for m in range(1, 13)}}
    return cache


def fast_date(value: datetime) -> str:
    """"27 november 2026": Babel's "d MMMM yyyy" of a UTC time in Europe/Amsterdam, without
    Babel per call (a page of twenty contributions spent more on its dates than on its query)."""
    local = value.replace(tzinfo=timezone.utc).astimezone(_AMSTERDAM)
    return f"{local.day} {_month_names()['months'][local.month]} {local.year:04d}"


def fast_datetime(value: datetime) -> str:
    """"27 november 2026, 10:00 CET": Babel's DATETIME_FORMAT, made without Babel per call
    (the zone as CET/CEST in English too, where Babel would write "+0100"):
    the month names of the current locale are looked up once per request, and each minute is
    formatted once (a thread of thousands of comments has many in the same minute)."""
    cache = _month_names()
    key = value.replace(second=0, microsecond=0)
    text = cache.get(key)
    if text is None:
        local = key.replace(tzinfo=timezone.utc).astimezone(_AMSTERDAM)
        text = cache[key] = (f"{local.day} {cache['months'][local.month]} {local.year}, "
                             f"{local.hour:02d}:{local.minute:02d} {local.tzname()}")
    return text
