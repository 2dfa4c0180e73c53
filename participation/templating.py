"""What every template can use: permissions, languages, dates in Europe/Amsterdam."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import format_datetime, get_locale

from .forms import EmptyForm
from .permissions import DATETIME_FORMAT, PREDICATES


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def globals_for_templates():
        return {
            **PREDICATES,
            "languages": current_app.config["LANGUAGES"],
            "current_locale": str(get_locale()),
            "municipality": current_app.config["MUNICIPALITY_NAME"],
            # formdata=None: these only carry a CSRF token and must never read the request body
            # (an error page for a too-large request renders them too).
            "language_form": EmptyForm(formdata=None),
            "logout_form": EmptyForm(formdata=None),
            "here": request.full_path.rstrip("?") if request else "/",
        }

    @app.template_filter("datetime")
    def _datetime(value, format=DATETIME_FORMAT):
        """A UTC time from the database, shown in Europe/Amsterdam with its zone."""
        return format_datetime(value, format) if value else ""

    @app.template_filter("date")
    def _date(value):
        return format_datetime(value, "d MMMM yyyy") if value else ""
