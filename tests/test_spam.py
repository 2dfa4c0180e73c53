"""Spam checks on the public forms: the honeypot and the minimum time to fill in a form.

A refused form writes nothing, keeps the text and says only that it was not sent.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer
from playwright.sync_api import Page, expect

from participation.accounts.models import User
from participation.comments.models import Comment
from participation.contributions.models import Contribution
from participation.drafts.models import DraftVersion, Section
from participation.core.extensions import db
from participation.mail.models import OutboxMessage
from participation.moderation.models import Flag
from participation.processes.models import Process

from .browser import assert_accessible
from .factories import (csrf_token, form_versions, login, make_comment, make_contribution,
                        make_organisation, make_process, make_user, open_feedback_round,
                        publish_draft)

NOT_SENT = "This form was not sent. Your text is kept: check it and send it again."
STARTED_RE = re.compile(r'name="form_started" type="hidden" value="([^"]*)"')


@dataclass(frozen=True)
class PublicForm:
    url: str
    data: dict
    model: type
    kept: str  # a typed value the page must show again
    logged_in: bool = True


@pytest.fixture
def world(app):
    """Round 1 open in "economie"; round 2 open in "tweede" with a contribution and a comment
    by Anna to report and reply to; Pieter (English) takes part."""
    with app.app_context():
        theme_id = make_process().themes[0].id
        second = make_process("tweede")
        open_feedback_round(second)
        moderator = make_user("mod@example.nl", role="moderator", name="Mod", locale="en")
        make_user(organisation=make_organisation("Drenth Logistiek BV", "business", "logistiek"),
                  locale="en")
        anna = make_user("anna@example.nl", name="Anna", locale="en")
        version = publish_draft(second, moderator)
        section = next(s for s in version.sections if s.number == "2.2")
        contribution = make_contribution(second, second.themes[0], anna, title="Van Anna")
        comment = make_comment(section, anna, "Meer stages graag.")
        db.session.commit()
        return {
            "register": PublicForm("/account/register", {
                "name": "Marieke Bos", "email": "marieke@example.nl",
                "password": "drentse-ondernemer-2026", "password_confirm":
                "drentse-ondernemer-2026", "participate_as": "individual", "consent": "y"},
                User, 'value="Marieke Bos"', logged_in=False),
            "contribution": PublicForm("/p/economie/input/new", {
                "theme_id": str(theme_id), "title": "Ruimte voor logistiek",
                "body": "Een lange tekst over ruimte voor logistiek op De Vaart."},
                Contribution, "Een lange tekst over ruimte voor logistiek op De Vaart."),
            "comment": PublicForm("/p/tweede/draft/s/2.2", {
                "body": "Een reactie over stages die ik niet kwijt wil."},
                Comment, "Een reactie over stages die ik niet kwijt wil."),
            "reply": PublicForm(f"/p/tweede/comments/{comment.id}/reply", {
                "body": "Een antwoord dat ik niet kwijt wil."},
                Comment, "Een antwoord dat ik niet kwijt wil."),
            "password reset": PublicForm("/account/password/forgot", {
                "email": "pieter@example.nl"}, OutboxMessage, 'value="pieter@example.nl"',
                logged_in=False),
            "flag": PublicForm(f"/p/tweede/flag/contribution/{contribution.id}", {
                "reason": "other", "note": "Dit lijkt reclame voor een webwinkel."},
                Flag, "Dit lijkt reclame voor een webwinkel."),
        }


FORMS = ["register", "contribution", "comment", "reply", "password reset", "flag"]


def visitor_for(client, form: PublicForm):
    if form.logged_in:
        login(client)
    else:
        with client.session_transaction() as session:
            session["locale"] = "en"
    return client


def load(client, url: str) -> dict:
    """The hidden fields of the form page, as a browser would send them."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    fields = {"csrf_token": csrf_token(html)}
    key = re.search(r'name="submission_key" type="hidden" value="([^"]*)"', html)
    if key:
        fields["submission_key"] = key.group(1)
    started = STARTED_RE.search(html)
    assert started, "the page has no start time"
    fields["form_started"] = started.group(1)
    assert re.search(r'<input autocomplete="off" id="website" name="website" tabindex="-1" '
                     r'type="text" value="">', html), "the page has no honeypot"
    return {**fields, **form_versions(html, url, url)}


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def summary(html: str) -> list[str]:
    """The messages of the error summary at the top of the form."""
    found = re.search(r'<div class="error-summary".*?</div>', html, re.DOTALL)
    return [re.sub(r"<[^>]+>|\s+", " ", item).strip()
            for item in re.findall(r"<li>(.*?)</li>", found.group(0), re.DOTALL)] if found else []


def assert_refused_neutrally(response, form: PublicForm):
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # Only that it was not sent: nothing tells a bot which check it failed.
    assert summary(html) == [NOT_SENT]
    assert form.kept in html
    assert 'name="website" tabindex="-1" type="text" value=""' in html  # the honeypot emptied


@pytest.mark.parametrize("name", FORMS)
def test_a_filled_honeypot_writes_nothing_and_keeps_the_text(client, app, world, name):
    form = world[name]
    visitor_for(client, form)
    before = rows(app, form.model)
    response = client.post(form.url, data={**load(client, form.url), **form.data,
                                           "website": "https://goedkope-pillen.example"})
    assert_refused_neutrally(response, form)
    assert "goedkope-pillen" not in response.get_data(as_text=True)
    assert rows(app, form.model) == before


@pytest.mark.parametrize("name", FORMS)
def test_a_form_sent_too_fast_writes_nothing_and_keeps_the_text(client, app, world, name,
                                                                 monkeypatch):
    monkeypatch.setitem(app.config, "SPAM_MIN_SECONDS", 3)
    form = world[name]
    visitor_for(client, form)
    before = rows(app, form.model)
    response = client.post(form.url, data={**load(client, form.url), **form.data})
    assert_refused_neutrally(response, form)
    assert rows(app, form.model) == before


def test_both_refusals_say_the_same(client, app, world, monkeypatch):
    form = world["contribution"]
    visitor_for(client, form)
    honeypot = client.post(form.url, data={**load(client, form.url), **form.data,
                                           "website": "x"}).get_data(as_text=True)
    monkeypatch.setitem(app.config, "SPAM_MIN_SECONDS", 3)
    too_fast = client.post(form.url, data={**load(client, form.url), **form.data}
                           ).get_data(as_text=True)
    assert summary(honeypot) == summary(too_fast) == [NOT_SENT]


def test_a_person_who_waits_gets_through_and_the_kept_start_time_counts(client, app, world,
                                                                        monkeypatch):
    monkeypatch.setitem(app.config, "SPAM_MIN_SECONDS", 1)
    form = world["contribution"]
    visitor_for(client, form)
    before = rows(app, Contribution)
    fields = load(client, form.url)
    refused = client.post(form.url, data={**fields, **form.data})
    assert NOT_SENT in refused.get_data(as_text=True)
    # The form shown again carries the first start time: sending it again after a pause works.
    assert STARTED_RE.search(refused.get_data(as_text=True)).group(1) == fields["form_started"]
    time.sleep(1.1)
    assert client.post(form.url, data={**fields, **form.data}).status_code == 302
    assert rows(app, Contribution) == before + 1


def test_a_missing_or_forged_start_time_is_refused_when_a_minimum_is_set(client, app, world,
                                                                         monkeypatch):
    monkeypatch.setitem(app.config, "SPAM_MIN_SECONDS", 1)
    form = world["comment"]
    visitor_for(client, form)
    fields = load(client, form.url)
    time.sleep(1.1)
    missing = {k: v for k, v in fields.items() if k != "form_started"}
    # Signed with another key, or changed by hand: not ours.
    forged = URLSafeSerializer("another-secret", salt="participation.form-started"
                               ).dumps(time.time() - 3600)
    tampered = fields["form_started"][:-2] + ("AA" if not fields["form_started"].endswith("AA")
                                              else "BB")
    for data in (missing, {**fields, "form_started": forged},
                 {**fields, "form_started": tampered}):
        response = client.post(form.url, data={**data, **form.data})
        assert_refused_neutrally(response, form)
    assert rows(app, Comment) == 1  # Anna's
    # The page shown again has a fresh, real start time: a person can send after a pause.
    fresh = STARTED_RE.search(response.get_data(as_text=True)).group(1)
    assert fresh not in (fields["form_started"], forged, tampered)
    time.sleep(1.1)
    assert client.post(form.url, data={**fields, "form_started": fresh,
                                       **form.data}).status_code == 302


def test_without_a_minimum_posts_without_the_spam_fields_go_through(client, app, world):
    """The suite's other tests post like this: an absent honeypot counts as empty."""
    form = world["contribution"]
    visitor_for(client, form)
    fields = {k: v for k, v in load(client, form.url).items() if k != "form_started"}
    before = rows(app, Contribution)
    assert client.post(form.url, data={**fields, **form.data}).status_code == 302
    assert rows(app, Contribution) == before + 1


def test_the_other_pages_with_these_forms_carry_the_checks_and_work(client, app, world,
                                                                    monkeypatch):
    """Editing input or a reaction, and the team's offline input, use the same forms: with a
    minimum time set, their pages must carry the fields, or nobody could save them."""
    with app.app_context():
        pieter = db.session.scalar(sa.select(User).where(User.email == "pieter@example.nl"))
        economie, tweede = (db.session.scalar(sa.select(Process).where(Process.slug == slug))
                            for slug in ("economie", "tweede"))
        own_input = make_contribution(economie, economie.themes[0], pieter, title="Eigen")
        section = db.session.scalar(sa.select(Section).join(DraftVersion).where(
            DraftVersion.process_id == tweede.id, Section.number == "2.2"))
        own_comment = make_comment(section, pieter, "Eigen reactie.")
        db.session.commit()
        edits = {f"/p/economie/input/{own_input.id}/edit": {
                     "title": "Eigen, verbeterd", "body": "Verbeterde tekst."},
                 f"/p/tweede/comments/{own_comment.id}/edit": {"body": "Verbeterde reactie."}}
        theme_id = economie.themes[0].id
    monkeypatch.setitem(app.config, "SPAM_MIN_SECONDS", 0.5)
    login(client)
    for url, data in edits.items():
        fields = load(client, url)
        time.sleep(0.6)
        assert client.post(url, data={**fields, **data}).status_code == 302, url
    team = app.test_client()
    login(team, "mod@example.nl")
    url = "/p/economie/input/offline"
    fields = load(team, url)
    time.sleep(0.6)
    assert team.post(url, data={**fields, "organisation_id": "0", "individual_name": "Jan",
                                "source": "brief van 3 maart", "theme_id": str(theme_id),
                                "title": "Per brief", "body": "Tekst uit de brief."}
                     ).status_code == 302


# --- in a browser -------------------------------------------------------------------------

def _tab_through_form(page: Page, first_field: str) -> list[str]:
    """Names of the form controls Tab reaches, from `first_field` to the submit button."""
    page.locator(f"#{first_field}").focus()
    reached = []
    for _ in range(40):
        name = page.evaluate("document.activeElement.name || document.activeElement.type")
        reached.append(name)
        if page.evaluate("document.activeElement.type") == "submit":
            break
        page.keyboard.press("Tab")
    return reached


def _assert_honeypot_hidden(page: Page) -> None:
    trap = page.locator('input[name="website"]')
    expect(trap).to_have_count(1)
    box = trap.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0, box  # off screen
    # Not in the accessibility tree: a screen reader does not announce it.
    expect(page.get_by_role("textbox", name="Leave this field empty")).to_have_count(0)
    expect(page.locator('label[for="website"]')).to_have_text("Leave this field empty")
    expect(page.locator(".form-trap")).to_have_attribute("aria-hidden", "true")


@pytest.mark.browser
def test_the_honeypot_is_invisible_and_out_of_the_tab_order(page: Page, live_server, app,
                                                            world):
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/account/register")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)
    _assert_honeypot_hidden(page)
    reached = _tab_through_form(page, "name")
    assert "website" not in reached
    assert reached[:3] == ["name", "email", "password"], reached

    page.goto(live_server.url + "/account/login")
    page.get_by_label("E-mail address").fill("pieter@example.nl")
    page.get_by_label("Password").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged in")
    page.goto(live_server.url + "/p/economie/input/new")
    assert_accessible(page)
    _assert_honeypot_hidden(page)
    reached = _tab_through_form(page, "theme_id")
    assert "website" not in reached
    assert reached[:3] == ["theme_id", "title", "body"], reached
