"""Ids are unique on a page: the header's forms (log out, language) carry a CSRF field of their
own beside the page's form, and two `id="csrf_token"` would make a label or a script find the
wrong one (Nu HTML Checker: "Duplicate ID")."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from .factories import login, make_user

ID = re.compile(r'\sid="([^"]+)"')


def duplicate_ids(html: str) -> list[str]:
    return sorted(i for i, n in Counter(ID.findall(html)).items() if n > 1)


@pytest.mark.parametrize("path", ["/", "/account/login", "/account/register",
                                  "/account/password/forgot"])
def test_a_visitors_pages_with_forms_have_unique_ids(client, app, path):
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="csrf_token"' in html
    assert duplicate_ids(html) == []


def test_a_logged_in_page_with_its_own_form_and_both_header_forms_has_unique_ids(client, app):
    with app.app_context():
        make_user()
    login(client)
    html = client.get("/account/password").get_data(as_text=True)
    assert html.count('name="csrf_token"') == 3  # log out, language, the page's own form
    assert duplicate_ids(html) == []
