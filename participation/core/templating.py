"""What every template can use: permissions, languages, dates in Europe/Amsterdam."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _

from .forms import EmptyForm
from ..permissions import DATETIME_FORMAT, PREDICATES, can_moderate


def register(app: Flask) -> None:
    from .i18n import install_fast_gettext

    from ..moderation.labels import DISPOSITION_LABELS

    app.jinja_env.add_extension("jinja2.ext.do")
    install_fast_gettext(app)
    app.jinja_env.globals["disposition_labels"] = DISPOSITION_LABELS

    @app.context_processor
    def globals_for_templates():
        if not has_request_context():  # mail rendered by a command
            return {**PREDICATES, "municipality": current_app.config["MUNICIPALITY_NAME"]}
        return {
            **PREDICATES,
            "languages": current_app.config["LANGUAGES"],
            "current_locale": str(get_locale()),
            "municipality": current_app.config["MUNICIPALITY_NAME"],
            # formdata=None: these only carry a CSRF token and must never read the request body
            # (an error page for a too-large request renders them too).
            "language_form": EmptyForm(formdata=None),
            "logout_form": EmptyForm(formdata=None),
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

    @app.template_global()
    def thread_labels(process, can_write: bool) -> dict:
        """What every comment in a thread shows, translated and built once per page."""
        from flask_login import current_user
        from flask_wtf.csrf import generate_csrf

        from ..comments.services import author_labels
        from ..moderation.labels import disposition_names

        return {
            "can_write": can_write, "csrf": generate_csrf() if can_write else "",
            "user_id": current_user.id if current_user.is_authenticated else None,
            "base": url_for("processes.process", slug=process.slug),
            "team": _("project team"), "resident": _("A resident"),
            "municipality": _("Municipality"), "pending": _("Waiting for the project team"),
            "in_reply_to": _("In reply to"), "agree": _("I agree"), "reply": _("Reply"),
            "to": _("to"), "change": _("Change"), "withdraw": _("Withdraw"),
            "withdrawn": _("Comment withdrawn"), "not_shown": _("Comment not shown"),
            "removed": _("Comment removed"),
            "reply_to_removed": _("Reply to a contribution that was removed"),
            "reply_to_withdrawn": _("Reply to a contribution its author withdrew"),
            "name": author_labels(),
            "response": _("Response of the municipality"), "report": _("Report"),
            "moderate": _("Moderate and respond"),
            "is_team_member": can_moderate(current_user),
            "dispositions": disposition_names(),
        }

    @app.template_filter("date")
    def _date(value):
        return format_datetime(value, "d MMMM yyyy") if value else ""


_AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def fast_datetime(value: datetime) -> str:
    """"27 november 2026, 10:00 CET": Babel's DATETIME_FORMAT, made without Babel per call
    (the zone as CET/CEST in English too, where Babel would write "+0100"):
    the month names of the current locale are looked up once per request, and each minute is
    formatted once (a thread of thousands of comments has many in the same minute)."""
    cache = g.get("_moments")
    if cache is None:
        months = get_locale().months["format"]["wide"]
        cache = g._moments = {"months": {m: months[m] for m in range(1, 13)}}
    key = value.replace(second=0, microsecond=0)
    text = cache.get(key)
    if text is None:
        local = key.replace(tzinfo=timezone.utc).astimezone(_AMSTERDAM)
        text = cache[key] = (f"{local.day} {cache['months'][local.month]} {local.year}, "
                             f"{local.hour:02d}:{local.minute:02d} {local.tzname()}")
    return text
