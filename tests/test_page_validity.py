"""Pages without a flaw, as the test client gets them: labels that work their own form's field,
select placeholders with an empty value, every table named and in a scrolling region of its own,
and — with the Nu HTML Checker (Java, node_modules) — every page valid HTML for every role."""
from __future__ import annotations

from collections import Counter

import lxml.html
import pytest
import sqlalchemy as sa

from participation.core.extensions import db
from participation.invitations.models import InvitationKind
from participation.invitations.services import invite
from participation.processes.models import Theme

from .browser import ServedDocument, html_errors
from .factories import login, make_contribution, make_process, make_user
from .test_access import _clients, _url, world  # noqa: F401  (the fixture)

INVITATIONS = "/p/economie/invitations"
NEW_INPUT = "/p/economie/input/new"


def page(client, path: str) -> lxml.html.HtmlElement:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return lxml.html.fromstring(response.get_data(as_text=True))


@pytest.fixture
def team(app, client):
    """An open process with a published and a waiting contribution and an invitation, and a
    moderator and an admin who read English."""
    with app.test_request_context():
        process = make_process()
        author = make_user(locale="en")
        make_contribution(process, process.themes[0], author, title="Ruimte voor opslag")
        make_contribution(process, process.themes[1], author, title="Nog niet gezien",
                          state="pending")
        moderator = make_user("mod@example.nl", role="moderator", locale="en")
        make_user("admin@example.nl", role="admin", name="Beheerder", locale="en")
        invite(process, email="x@example.nl", name="X", organisation_name="",
               kind=InvitationKind.read_along, by=moderator)
        db.session.commit()
    return client


# --- labels and ids -------------------------------------------------------------------------

def test_on_the_invitations_page_each_label_works_a_field_of_its_own_form(team):
    login(team, "mod@example.nl")
    html = page(team, INVITATIONS)
    ids = Counter(html.xpath("//@id"))
    assert [i for i, n in ids.items() if n > 1] == []
    single = html.xpath('//form[.//input[@name="email"]]')[0]
    csv = html.xpath('//form[.//input[@type="file"]]')[0]
    assert single is not csv
    for form in (single, csv):
        labels = form.xpath(".//label[@for]")
        assert labels
        for label in labels:
            target = html.get_element_by_id(label.get("for"))
            assert target.xpath("ancestor::form")[0] is form, label.text_content()
    # The CSV form's choice has ids of its own; the names the server reads stay the same.
    assert [r.get("id") for r in csv.xpath('.//input[@type="radio"]')] == ["csv-kind-0",
                                                                           "csv-kind-1"]
    assert {r.get("name") for r in csv.xpath('.//input[@type="radio"]')} == {"kind"}
    assert csv.xpath('.//input[@type="file"]/@name') == ["file"]


def test_a_page_with_a_form_per_row_gives_no_two_csrf_fields_one_id(team):
    login(team, "mod@example.nl")
    html = page(team, "/p/economie/themes")
    tokens = html.xpath('//input[@name="csrf_token"]')
    assert len(tokens) > 3  # the header's two forms and one per theme and action
    ids = [t.get("id") for t in tokens if t.get("id")]
    assert len(ids) == len(set(ids))


# --- select placeholders --------------------------------------------------------------------

def test_the_theme_placeholder_has_an_empty_value_and_is_chosen_at_first(team):
    login(team)
    select = page(team, NEW_INPUT).get_element_by_id("theme_id")
    assert select.get("required") is not None
    first = select.xpath("option")[0]
    assert first.get("value") == "" and first.text == "Choose a theme"
    assert first.get("selected") is not None
    assert all(o.get("value") for o in select.xpath("option")[1:])


def test_sending_the_placeholder_says_next_to_the_field_to_choose_a_theme(team, app):
    login(team)
    form = page(team, NEW_INPUT)
    token = form.xpath('//input[@name="csrf_token"]/@value')[0]
    key = form.xpath('//input[@name="submission_key"]/@value')[0]
    answer = team.post(NEW_INPUT, data={"csrf_token": token, "submission_key": key,
                                        "theme_id": "", "title": "Stageplekken",
                                        "body": "Meer stageplekken in de zorg."})
    assert answer.status_code == 200
    html = lxml.html.fromstring(answer.get_data(as_text=True))
    error = html.get_element_by_id("theme_id-error").text_content()
    assert "Choose a theme from the list." in error
    assert "could not coerce" not in answer.get_data(as_text=True)
    # The text stays and the placeholder is still the choice shown.
    assert html.get_element_by_id("title").get("value") == "Stageplekken"
    assert html.get_element_by_id("theme_id").xpath("option[@selected]/@value") == [""]


def test_a_theme_given_in_the_link_is_chosen(team, app):
    login(team)
    with app.app_context():
        theme_id = db.session.scalar(sa.select(Theme.id).where(Theme.title == "Arbeidsmarkt"))
    select = page(team, f"{NEW_INPUT}?theme={theme_id}").get_element_by_id("theme_id")
    assert select.xpath("option[@selected]/@value") == [str(theme_id)]


def test_the_offline_form_always_has_an_organisation_choice_so_it_is_not_required(team):
    login(team, "mod@example.nl")
    select = page(team, "/p/economie/input/offline").get_element_by_id("organisation_id")
    assert select.get("required") is None
    assert select.xpath("option")[0].text == "A person without organisation"


# --- lists and tables -----------------------------------------------------------------------

def test_the_input_list_is_a_list_named_by_its_heading(team):
    html = page(team, "/p/economie/input")
    results = html.xpath('//*[@aria-labelledby="results-title"]')
    assert [r.tag for r in results] == ["ul"]
    assert len(results[0].xpath("li/article")) == 1  # the published one


def _tables(html) -> list[tuple[str, str, str]]:
    """Each table as (its caption, its wrapper's class, the wrapper's name reference)."""
    found = []
    for table in html.xpath("//main//table"):
        wrap = table.getparent()
        caption = "".join(table.xpath("caption//text()")).strip()
        # The keyboard reaches the region: it takes focus, or holds something that does.
        reachable = wrap.get("tabindex") == "0" or wrap.xpath(
            ".//a[@href] | .//button | .//input[not(@type='hidden')] | .//select")
        found.append((caption, wrap.get("class", "") if wrap.get("role") == "region"
                      and reachable else "",
                      wrap.get("aria-labelledby") or wrap.get("aria-label") or ""))
    return found


@pytest.mark.parametrize("path, who", [
    ("/admin/users", "admin@example.nl"),
    ("/p/economie", "mod@example.nl"),
    ("/p/economie/themes", "mod@example.nl"),
    ("/p/economie/invitations", "mod@example.nl"),
    ("/p/economie/moderation", "mod@example.nl"),
])
def test_every_table_has_a_caption_and_scrolls_in_a_named_region(team, path, who):
    login(team, who)
    html = page(team, path)
    tables = _tables(html)
    assert tables, "the page shows a table"
    for caption, wrap, name in tables:
        assert caption, path
        assert "table-wrap" in wrap.split() and name, path
        if not name.startswith(("doc-", "users-", "rounds-", "themes-", "invitations-",
                                "queue-")):
            continue
        assert html.get_element_by_id(name).tag == "caption"


def test_the_export_preview_names_each_table(team, app):
    with app.app_context():
        make_user("staff@example.nl", role="staff", locale="en")
    login(team, "staff@example.nl")
    html = page(team, "/p/economie/export/preview?version=public&language=en")
    tables = _tables(html)
    assert len(tables) >= 4
    for caption, wrap, name in tables:
        assert caption and "table-wrap" in wrap.split()
        assert html.get_element_by_id(name).text_content().strip() == caption
    assert "The rounds" in [caption for caption, _, _ in tables]


# --- the Nu HTML Checker on every page, for every role --------------------------------------

@pytest.mark.once  # the HTML is the same whichever database made it
def test_every_page_is_valid_html_for_every_role(app, world):  # noqa: F811
    """Every page a GET route answers with, as a visitor, a participant, a moderator and an
    admin see it: 0 errors from the Nu HTML Checker (pages the browser tests do not visit too)."""
    clients = _clients(app)
    errors, checked = [], 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.endpoint in {"static", "accounts.logout"}:
            continue
        url = _url(rule, world)
        for role in ("visitor", "participant", "moderator", "admin"):
            response = clients[role].get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            checked += 1
            errors += [f"[{role}] {e}" for e in html_errors(ServedDocument(url, response.data))]
    assert checked > 100
    assert errors == [], "\n".join(errors)
