"""Dutch by default, English complete, and no string outside the catalogues."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from .factories import login, make_user, submit

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "participation" / "translations"


def _catalogue(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("locale", ["nl", "en"])
@pytest.mark.once
def test_catalogue_has_no_untranslated_or_fuzzy_entries(locale):
    catalogue = _catalogue(locale)
    bad = [m.id for m in catalogue if m.id and (m.fuzzy or not all(
        m.string if isinstance(m.string, tuple) else [m.string]))]
    assert bad == []


@pytest.mark.once
def test_every_string_in_the_code_is_in_the_catalogues(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract",
                    "--no-location", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-o", str(pot),
                    str(ROOT)], check=True, cwd=ROOT)
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    assert wanted, "extraction found no strings"
    for locale in ("nl", "en"):
        have = {m.id for m in _catalogue(locale) if m.id}
        missing = sorted(map(str, wanted - have))
        assert missing == [], f"{locale}: run `make extract-messages` and translate: {missing}"


def test_dutch_is_the_default_and_the_switch_is_remembered(client, app):
    home = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in home and "Inloggen" in home
    response = submit(client, "/language", {"locale": "en", "next": "/privacy"}, page_url="/")
    assert response.status_code == 302 and response.headers["Location"] == "/privacy"
    page = client.get("/privacy").get_data(as_text=True)
    assert '<html lang="en">' in page and "Privacy statement" in page
    submit(client, "/language", {"locale": "nl", "next": "/"}, page_url="/")
    assert '<html lang="nl">' in client.get("/").get_data(as_text=True)


def test_language_is_saved_on_the_account(client, app):
    with app.app_context():
        make_user()
    login(client)
    submit(client, "/language", {"locale": "en", "next": "/"}, page_url="/")
    other = app.test_client()
    login(other)
    assert '<html lang="en">' in other.get("/").get_data(as_text=True)


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(client):
    assert submit(client, "/language", {"locale": "de", "next": "/"}, page_url="/").status_code == 400
    response = submit(client, "/language", {"locale": "en", "next": "//evil.example/"},
                      page_url="/")
    assert response.headers["Location"] == "/"


def test_templates_follow_a_forced_locale_inside_a_request(app):
    """Templates' strings come from a per-request cache of translations: mail rendered in the
    recipient's language (force_locale) inside a Dutch request must still be English, and the
    page after it Dutch again."""
    from flask import render_template_string
    from flask_babel import force_locale

    template = '{{ _("Log in") }} / {{ ngettext("%(num)d reaction", "%(num)d reactions", 2) }}'
    with app.test_request_context("/"):
        assert render_template_string(template) == "Inloggen / 2 reacties"
        with force_locale("en"):
            assert render_template_string(template) == "Log in / 2 reactions"
        assert render_template_string(template) == "Inloggen / 2 reacties"


@pytest.mark.parametrize("autoescape", [True, False])
def test_the_templates_gettext_is_jinjas_newstyle_gettext(app, autoescape):
    """core.i18n installs its own template callables (one call per string instead of three):
    they must write exactly what Jinja's newstyle gettext writes, escaping included, in HTML
    templates and in plain-text mail."""
    from jinja2 import Environment

    from participation.core.i18n import current_translations

    sources = [
        '{{ _("Log in") }}',
        '{{ _("Version %(n)d, published on %(date)s.", n=3, date="<b>1 & 2</b>") }}',
        '{{ gettext("React to section %(number)s", number="2.1 <x>") }}',
        '{{ ngettext("%(num)d reaction", "%(num)d reactions", 1) }}',
        '{{ ngettext("%(num)d reaction", "%(num)d reactions", 7) }}',
        '{{ ngettext("Read the %(num)d reaction", "Read the %(num)d reactions", n) }}',
        '{{ _("100%% of %(what)s", what="a & b") }}',
        '{{ _("Version %(n)d, published on %(date)s.", n=true, date=none) }}',
        '{{ _("Version %(n)d, published on %(date)s.", n=2.0, date="<i>x</i>"|safe) }}',
        '{{ pgettext("month", "May") }} {{ npgettext("n", "%(num)d item", "%(num)d items", 2) }}',
        '{% trans n=3 %}{{ n }} of them{% endtrans %}',
        '{% trans count=2 %}{{ count }} reaction{% pluralize %}{{ count }} reactions'
        '{% endtrans %}',
    ]
    jinja = Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
    with app.test_request_context("/"):
        translations = current_translations()
        jinja.install_gettext_callables(
            gettext=translations.ugettext, ngettext=translations.ungettext,
            pgettext=translations.upgettext, npgettext=translations.unpgettext,
            newstyle=True)
        ours = app.jinja_env.overlay(autoescape=autoescape)
        for source in sources:
            expected = jinja.from_string(source).render(n=4)
            assert ours.from_string(source).render(n=4) == expected, source
        assert "Inloggen" in ours.from_string(sources[0]).render()
        assert ("&lt;b&gt;1 &amp; 2&lt;/b&gt;" in ours.from_string(sources[1]).render()) \
            is autoescape


def test_the_fast_date_format_matches_babels(app):
    """Pages show times through a formatter that skips Babel per call: it must give Babel's
    text, in winter and summer time and across the changes, with the zone as CET/CEST in both
    languages (Babel's plain English would say "+0100"; British English, like Dutch, CET)."""
    from datetime import datetime, timedelta, timezone

    from babel.dates import format_datetime, get_timezone
    from flask_babel import force_locale

    from participation.core.i18n import DATETIME_FORMAT
    from participation.core.templating import fast_datetime

    moments = [datetime(2026, 3, 29, 0, 0) + timedelta(minutes=37 * n) for n in range(12)]
    moments += [datetime(2026, 10, 25, 0, 0) + timedelta(minutes=29 * n) for n in range(12)]
    moments += [datetime(2026, month, 1, 23, 59, 59) for month in range(1, 13)]
    amsterdam = get_timezone("Europe/Amsterdam")
    for locale, babel_locale in (("nl", "nl"), ("en", "en_GB")):
        with app.test_request_context("/"), force_locale(locale):
            for moment in moments:
                expected = format_datetime(moment.replace(tzinfo=timezone.utc), DATETIME_FORMAT,
                                           tzinfo=amsterdam, locale=babel_locale)
                assert fast_datetime(moment) == expected, moment


def test_the_fast_day_format_matches_babels(app):
    """Lists show days ("27 november 2026") without Babel per call: Babel's text, in Europe/
    Amsterdam (a UTC time late on the last day of a month is the next month there), in both
    languages, also when a page switches language halfway (mail in the recipient's language)."""
    from datetime import datetime, timedelta, timezone

    from babel.dates import format_datetime, get_timezone
    from flask_babel import force_locale

    from participation.core.templating import fast_date

    moments = [datetime(2026, month, 1, 0, 0) - timedelta(minutes=1) for month in range(1, 13)]
    moments += [datetime(2026, 3, 29, 0, 30), datetime(2026, 10, 25, 23, 30)]
    amsterdam = get_timezone("Europe/Amsterdam")
    with app.test_request_context("/"):
        for locale, babel_locale in (("nl", "nl"), ("en", "en_GB"), ("nl", "nl")):
            with force_locale(locale):
                for moment in moments:
                    expected = format_datetime(moment.replace(tzinfo=timezone.utc),
                                               "d MMMM yyyy", tzinfo=amsterdam,
                                               locale=babel_locale)
                    assert fast_date(moment) == expected, (locale, moment)
