"""The accessibility statement: in Dutch and English, with the figures of the last checks, and
linked from every page's footer."""
from __future__ import annotations

import re
from dataclasses import replace

from participation.main import accessibility
from participation.main.accessibility import Compliance

from .factories import login, make_user, submit


def _english(client, path="/toegankelijkheid") -> str:
    submit(client, "/language", {"locale": "en", "next": path}, page_url="/")
    return client.get(path).get_data(as_text=True)


def test_the_statement_gives_status_figures_limitations_and_contact(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "CONTACT_EMAIL", "toegankelijkheid@assen.example")
    page = _english(client)
    assert "<h1>Accessibility statement</h1>" in page
    figures = accessibility.MEASURED
    # Today's figures leave a deviation (the PDF's row headers): partial, never a claim of
    # full compliance.
    assert figures.compliance is Compliance.partial
    assert "This site complies partially" in page and "complies fully" not in page
    rows = dict(re.findall(r"<td>([^<]+)</td><td>([^<]+)</td>", page))
    assert rows["Errors"] == str(figures.html_errors)
    assert rows["Errors in the PDF"] == str(figures.pdf_errors)
    assert rows["Violations of WCAG 2.1 A and AA"] == str(figures.axe_violations)
    assert rows["Tab presses from the first item of the moderation queue to its actions"] == \
        str(figures.queue_tabs_to_bulk_action)
    assert "Results of the checks of 1 December 2026" in page
    assert "Attachments that participants upload" in page
    assert "In the PDF, the first column of a table" in page
    assert "does not pass the PDF/UA check" not in page  # 0 errors: that limitation is gone
    assert '<a href="mailto:toegankelijkheid@assen.example">' in page
    assert "Gemeente Assen" in page


def test_without_a_contact_address_it_sends_people_to_the_municipality(client, app):
    page = _english(client)
    assert "mailto:" not in page
    assert "Contact Gemeente Assen in the way you usually do." in page


def test_a_limitation_goes_when_its_check_is_clean(client, app, monkeypatch):
    clean = replace(accessibility.MEASURED, pdf_errors=0, html_errors=0,
                    html_pages_with_errors=0, narrow_pages_scrolling=0,
                    docx_contents_filled=True, docx_language_set=True, pdf_row_headers=True)
    monkeypatch.setattr("participation.main.views.MEASURED", clean)
    page = _english(client)
    assert clean.compliance is Compliance.full
    assert "This site complies fully" in page
    assert "does not pass the PDF/UA check" not in page
    assert "In the PDF, the first column of a table" not in page
    assert "scroll sideways because" not in page
    # What no check covers stays.
    assert "Attachments that participants upload" in page


def test_it_is_in_dutch_by_default_and_linked_from_every_footer(client, app):
    page = client.get("/toegankelijkheid").get_data(as_text=True)
    assert '<html lang="nl">' in page
    with app.app_context():
        make_user()
    login(client)
    for path in ("/", "/privacy", "/account/", "/toegankelijkheid"):
        footer = client.get(path).get_data(as_text=True).split('<footer class="site-footer">')[1]
        assert 'href="/toegankelijkheid"' in footer, path
