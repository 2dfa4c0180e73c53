"""Who may speak for an organisation (issue 13, finding 3): a stranger who registers for a known
company takes part at once, but is listed as a resident until a verified member or the team
confirms them; the team confirms new organisations; an organisation's e-mail domain may confirm
members when the team switches it on. Through the real views, a real SMTP server and the
participation document."""
from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from participation.accounts.models import (DecisionBasis, Membership, Organisation, User,
                                           VerificationState)
from participation.audit.models import AuditEvent
from participation.contributions.models import Contribution
from participation.core.extensions import db
from participation.processes.models import Process

from .factories import (csrf_token, field_errors, login, make_comment, make_organisation,
                        make_process, make_user, publish_draft, submission_key, submit)

PASSWORD = "zonnige-werklocatie-7"
COMPANY = "Van der Veen Logistiek"
STRANGER = "stranger@elders.example"
MEMBER = "marieke@vanderveen.example"


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") + (
        f"#{parts.fragment}" if parts.fragment else "")


@pytest.fixture
def world(app):
    """An open round 1, a company with a verified member (Marieke), a moderator."""
    with app.app_context():
        make_process("economie")
        company = make_organisation(COMPANY, "business", "logistiek")
        make_user(MEMBER, name="Marieke van der Veen", organisation=company, locale="en")
        make_user("mod@example.nl", role="moderator", name="Mo Derator", locale="en")
        return {"company_id": company.id}


def register(client, email=STRANGER, *, name="Sam Vreemd", **choice):
    data = {"name": name, "email": email, "password": PASSWORD, "password_confirm": PASSWORD,
            "consent": "y", "org_name": "", "org_kind": "", "org_sector": "", **choice}
    return submit(client, "/account/register", data)


def register_for_company(client, world, email=STRANGER, **extra):
    return register(client, email, participate_as="existing",
                    organisation_id=str(world["company_id"]), org_role="directeur",
                    org_kvk="1234 5678", **extra)


def confirm_address(client, mailbox, email=STRANGER):
    mailbox.deliver()
    mail = mailbox.to(email)[-1]
    assert client.get(path_of(mail.link("/account/confirm/"))).status_code == 302
    return mail


def give_input(client, app, title="Ruimte voor logistiek"):
    with app.app_context():
        theme_id = db.session.scalar(sa.select(Process)).themes[0].id
    url = "/p/economie/input/new"
    html = client.get(url).get_data(as_text=True)
    key = submission_key(html)
    response = client.post(url, data={"csrf_token": csrf_token(html), "submission_key": key,
                                      "theme_id": str(theme_id), "title": title,
                                      "body": "We hebben ruimte nodig."})
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    return response


def document(app, *, public: bool):
    from participation.export.services import document as build

    with app.test_request_context():
        process = db.session.scalar(sa.select(Process))
        return build(process, public=public, language="en")


def listed_under(doc, title: str) -> str:
    """The name of the stakeholder the item with `title` is listed under."""
    return next(s.name for s, item in doc.items() if item.title == title)


def item_titled(doc, title: str):
    return next(item for _s, item in doc.items() if item.title == title)


def membership(app, email=STRANGER) -> Membership:
    with app.app_context():
        found = db.session.scalar(sa.select(Membership).join(User, User.id == Membership.user_id)
                                .where(User.email == email))
        db.session.expunge_all()
        return found


def decide(client, url: str, page_url: str):
    page = client.get(page_url)
    assert page.status_code == 200
    return client.post(url, data={"csrf_token": csrf_token(page.get_data(as_text=True))})


# --- the stranger, the member who confirms, and the document ---------------------------------

def test_a_stranger_is_a_resident_until_a_verified_member_confirms(client, app, world, mailbox):
    assert register_for_company(client, world).status_code == 302
    stored = membership(app)
    assert (stored.state, stored.role, stored.kvk) == (VerificationState.unverified,
                                                       "directeur", "12345678")
    # The confirmation mail says what happens next; the members hear nothing before the
    # address is confirmed (an unconfirmed address must not mail a company's people).
    mailbox.deliver()
    assert mailbox.to(MEMBER) == []
    confirm_address(client, mailbox)
    mailbox.deliver()
    request_mail = mailbox.only(MEMBER)
    assert request_mail.subject == f"Sam Vreemd asks to take part for {COMPANY}"
    assert "elders.example" in request_mail.text and "directeur" in request_mail.text
    assert "12345678" in request_mail.text

    # The stranger takes part at once, and is told how their input is listed.
    login(client, STRANGER, PASSWORD)
    give_input(client, app)
    public, internal = document(app, public=True), document(app, public=False)
    assert listed_under(public, "Ruimte voor logistiek") == "Resident 1"
    assert listed_under(internal, "Ruimte voor logistiek") == "Resident 1"
    assert item_titled(public, "Ruimte voor logistiek").unverified_organisation is None
    assert item_titled(internal, "Ruimte voor logistiek").unverified_organisation == COMPANY
    assert COMPANY not in [s.name for s in public.stakeholders]
    # The public pages say the same, without naming the company.
    member = app.test_client()
    login(member, MEMBER)
    listing = member.get("/p/economie/input").get_data(as_text=True)
    card = listing[listing.index("Ruimte voor logistiek"):][:600]
    assert "A resident (organisation not verified)" in card and COMPANY not in card

    # The member follows the link in the mail, sees the evidence, and confirms.
    page_url = path_of(request_mail.link("/account/organisation/requests"))
    page = member.get(page_url).get_data(as_text=True)
    assert "Sam Vreemd" in page and "elders.example" in page and "12345678" in page
    done = decide(member, f"/memberships/{stored.id}/confirm", page_url)
    assert done.status_code == 302
    assert "now takes part for" in member.get(done.headers["Location"]).get_data(as_text=True)

    stored = membership(app)
    assert stored.state is VerificationState.verified and stored.decided_via is DecisionBasis.member
    assert stored.decided_at is not None and stored.decided_by_id is not None
    public, internal = document(app, public=True), document(app, public=False)
    assert listed_under(public, "Ruimte voor logistiek") == COMPANY
    assert item_titled(internal, "Ruimte voor logistiek").unverified_organisation is None
    assert COMPANY in member.get("/p/economie/input").get_data(as_text=True)
    mailbox.deliver()
    decided = mailbox.to(STRANGER)[-1]
    assert "Het is bevestigd" in decided.text
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "membership.confirm"))
        assert event.target_id == stored.id and event.after["organisation"] == COMPANY


def test_the_internal_formats_mark_the_unverified_organisation(client, app, world, mailbox):
    from participation.export import formats

    register_for_company(client, world)
    confirm_address(client, mailbox)
    login(client, STRANGER, PASSWORD)
    give_input(client, app)
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        internal, public = document(app, public=False), document(app, public=True)
        internal_csv = formats.to_csv(internal).decode("utf-8-sig")
        public_csv = formats.to_csv(public).decode("utf-8-sig")
        internal_html = formats.FORMATS["html"].render(internal).decode()
        public_html = formats.FORMATS["html"].render(public).decode()
        internal_docx = formats.FORMATS["docx"].render(internal)
        internal_xlsx = formats.FORMATS["xlsx"].render(internal)
    row = next(r for r in csv_rows(internal_csv) if r["title"] == "Ruimte voor logistiek")
    assert row["stakeholder"] == "Resident 1" and row["unverified_organisation"] == COMPANY
    assert COMPANY not in public_csv and COMPANY not in public_html
    assert f"organisation not verified: {COMPANY}" in internal_html
    assert f"organisation not verified: {COMPANY}" in _docx_text(internal_docx)
    sheet = _xlsx_rows(internal_xlsx)
    column = sheet[0].index("Organisation not verified")
    assert [r[column] for r in sheet[1:] if "Ruimte voor logistiek" in r] == [COMPANY]


def _docx_text(data: bytes) -> str:
    import io

    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def _xlsx_rows(data: bytes) -> list[list]:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def csv_rows(text: str) -> list[dict]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


def test_a_verified_member_can_refuse_and_the_person_goes_on_as_a_resident(client, app, world,
                                                                            mailbox):
    register_for_company(client, world)
    confirm_address(client, mailbox)
    login(client, STRANGER, PASSWORD)
    give_input(client, app, "Eerste inbreng")
    member = app.test_client()
    login(member, MEMBER)
    stored = membership(app)
    done = decide(member, f"/memberships/{stored.id}/refuse", "/account/organisation/requests")
    assert done.status_code == 302
    # Refused twice (a second click): nothing more happens.
    again = decide(member, f"/memberships/{stored.id}/refuse", "/account/organisation/requests")
    assert "already been decided" in member.get(again.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action.like("membership.%"))) == 1
        stranger = db.session.scalar(sa.select(User).where(User.email == STRANGER))
        assert stranger.organisation_id is None
    assert membership(app).state is VerificationState.refused
    mailbox.deliver()
    assert "niet bevestigd" in mailbox.to(STRANGER)[-1].text
    # Still taking part, as a resident; what was written before stays a resident's too.
    give_input(client, app, "Tweede inbreng")
    doc = document(app, public=False)
    assert listed_under(doc, "Eerste inbreng") == listed_under(doc, "Tweede inbreng") == "Resident 1"
    assert item_titled(doc, "Tweede inbreng").unverified_organisation is None
    with app.app_context():
        second = db.session.scalar(sa.select(Contribution).where(
            Contribution.title == "Tweede inbreng"))
        assert second.organisation_id is None


def test_the_team_confirms_a_new_organisation_and_who_registered_it(client, app, world, mailbox):
    response = register(client, "sanne@korenschoof.example", name="Sanne Koren",
                        participate_as="new", org_name="Bakkerij De Korenschoof",
                        org_kind="business", org_sector="bakkerij", org_role="eigenaar")
    assert response.status_code == 302
    # Not in everyone's list until the team confirmed it.
    assert "Bakkerij De Korenschoof" not in app.test_client().get(
        "/account/register").get_data(as_text=True)
    confirm_address(client, mailbox, "sanne@korenschoof.example")
    login(client, "sanne@korenschoof.example", PASSWORD)
    give_input(client, app, "Brood en banen")
    assert listed_under(document(app, public=True), "Brood en banen") == "Resident 1"

    moderator = app.test_client()
    login(moderator, "mod@example.nl")
    queue = moderator.get("/organisations").get_data(as_text=True)
    assert "Bakkerij De Korenschoof" in queue and "Sanne Koren" in queue
    assert "korenschoof.example" in queue and "eigenaar" in queue
    with app.app_context():
        org_id = db.session.scalar(sa.select(Organisation.id).where(
            Organisation.name == "Bakkerij De Korenschoof"))
    assert decide(moderator, f"/organisations/{org_id}/confirm",
                  "/organisations").status_code == 302
    again = decide(moderator, f"/organisations/{org_id}/confirm", "/organisations")
    assert "already been decided" in moderator.get(again.headers["Location"]).get_data(
        as_text=True)

    assert listed_under(document(app, public=True), "Brood en banen") == "Bakkerij De Korenschoof"
    assert "Bakkerij De Korenschoof" in app.test_client().get(
        "/account/register").get_data(as_text=True)
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.action.like("organisation.%") | AuditEvent.action.like("membership.%"))
            .order_by(AuditEvent.id)))
        assert actions == ["organisation.confirm", "membership.confirm"]
    mailbox.deliver()
    assert "Bakkerij De Korenschoof" in mailbox.to("sanne@korenschoof.example")[-1].text


def test_a_second_person_for_a_waiting_organisation_joins_it(client, app, world, mailbox):
    """The new organisation is not in the list yet: naming it again joins it, unverified."""
    register(client, "a@korenschoof.example", name="Anna", participate_as="new",
             org_name="Bakkerij De Korenschoof", org_kind="business", org_sector="bakkerij",
             org_role="eigenaar")
    other = app.test_client()
    assert register(other, "b@korenschoof.example", name="Bert", participate_as="new",
                    org_name="bakkerij  de korenschoof", org_kind="business",
                    org_sector="bakkerij", org_role="bakker").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Organisation.id)).where(
            Organisation.name_key == "bakkerij de korenschoof")) == 1
        rows = db.session.execute(sa.select(User.email, Membership.registered_organisation)
                                  .join(Membership, Membership.user_id == User.id)
                                  .order_by(User.email)).all()
        assert [tuple(r) for r in rows if "korenschoof" in r[0]] == [
            ("a@korenschoof.example", True), ("b@korenschoof.example", False)]


def test_offline_input_entered_by_the_team_stays_under_its_organisation(app, world):
    from participation.contributions.services import record_offline
    from participation.processes.models import RoundKind

    with app.test_request_context():
        waiting = make_organisation("Nieuw Bedrijf", state="unverified")
        process = db.session.scalar(sa.select(Process))
        moderator = db.session.scalar(sa.select(User).where(User.role == "moderator"))
        record_offline(entered_by=moderator, round_=process.round_of(RoundKind.input),
                       theme=process.themes[0], organisation=waiting, individual_name="",
                       source="brief van 3 maart", title="Per post", body_md="Tekst.",
                       submission_key="f" * 32)
        db.session.commit()
    assert listed_under(document(app, public=True), "Per post") == "Nieuw Bedrijf"


# --- the e-mail domain ---------------------------------------------------------------------

def test_the_email_domain_confirms_when_the_team_switched_it_on(client, app, world, mailbox):
    with app.app_context():
        company = db.session.get(Organisation, world["company_id"])
        company.website_domain = "vanderveen.nl"
        db.session.commit()
    # Off by default: a matching address waits like anyone.
    register_for_company(client, world, "jan@vanderveen.nl")
    confirm_address(client, mailbox, "jan@vanderveen.nl")
    assert membership(app, "jan@vanderveen.nl").state is VerificationState.unverified

    moderator = app.test_client()
    login(moderator, "mod@example.nl")
    url = f"/organisations/{world['company_id']}"
    page = moderator.get(url).get_data(as_text=True)
    bad = moderator.post(url, data={"csrf_token": csrf_token(page),
                                    "website_domain": "niet een domein",
                                    "auto_confirm_domain": "y"})
    assert bad.status_code == 400
    assert any(e.startswith("website_domain:") for e in field_errors(bad.get_data(as_text=True)))
    assert 'value="niet een domein"' in bad.get_data(as_text=True)
    for _ in range(2):  # saved twice: the second changes nothing
        saved = moderator.post(url, data={"csrf_token": csrf_token(page),
                                          "website_domain": "https://www.VanderVeen.nl/contact",
                                          "auto_confirm_domain": "y"})
        assert saved.status_code == 302
    with app.app_context():
        company = db.session.get(Organisation, world["company_id"])
        assert (company.website_domain, company.auto_confirm_domain) == ("vanderveen.nl", True)
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "organisation.settings")) == 1
    # Switching it on confirmed the one who was waiting at the domain.
    assert membership(app, "jan@vanderveen.nl").decided_via is DecisionBasis.domain

    # From now on, at once when the address is confirmed; another domain still waits.
    newcomer = app.test_client()
    register_for_company(newcomer, world, "piet@post.vanderveen.nl")
    mailbox.deliver()
    assert "Zodra u uw e-mailadres bevestigt" in mailbox.to("piet@post.vanderveen.nl")[-1].text
    confirm_address(newcomer, mailbox, "piet@post.vanderveen.nl")
    assert membership(app, "piet@post.vanderveen.nl").state is VerificationState.verified
    impostor = app.test_client()
    register_for_company(impostor, world, "x@evilvanderveen.nl")
    confirm_address(impostor, mailbox, "x@evilvanderveen.nl")
    assert membership(app, "x@evilvanderveen.nl").state is VerificationState.unverified


def test_the_team_sets_the_kvk_number_a_login_service_is_matched_against(app, world):
    moderator = app.test_client()
    login(moderator, "mod@example.nl")
    with app.app_context():
        make_organisation("Slagerij Smit").kvk = "87654321"
        db.session.commit()
    url = f"/organisations/{world['company_id']}"
    page = moderator.get(url).get_data(as_text=True)
    assert 'name="kvk"' in page
    bad = moderator.post(url, data={"csrf_token": csrf_token(page), "kvk": "1234"})
    assert bad.status_code == 400
    assert any(e.startswith("kvk:") for e in field_errors(bad.get_data(as_text=True)))
    taken = moderator.post(url, data={"csrf_token": csrf_token(page), "kvk": "8765 4321"})
    assert taken.status_code == 400
    assert any(e.startswith("kvk:") for e in field_errors(taken.get_data(as_text=True)))
    saved = moderator.post(url, data={"csrf_token": csrf_token(page), "kvk": "12.34.56.78"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, world["company_id"]).kvk == "12345678"
        event = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "organisation.settings"))
        assert event.after["kvk"] == "12345678"


# --- evidence ------------------------------------------------------------------------------

@pytest.mark.parametrize("kvk", ["1234", "123456789", "1234567a", "KvK 12345678"])
def test_a_kvk_number_of_the_wrong_form_is_explained_and_kept(client, app, world, kvk):
    response = register(client, participate_as="existing", organisation_id=str(world["company_id"]),
                        org_role="directeur", org_kvk=kvk)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert [e for e in field_errors(html) if e.startswith("org_kvk:")], field_errors(html)
    assert f'value="{kvk}"' in html and 'value="directeur"' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id)).where(
            User.email == STRANGER)) == 0


def test_a_role_is_asked_for_a_new_claim_but_not_to_keep_one(client, app, world):
    response = register(client, participate_as="existing", organisation_id=str(world["company_id"]))
    assert any(e.startswith("org_role:") for e in field_errors(response.get_data(as_text=True)))
    # A member who only changes their name keeps their confirmed membership.
    member = app.test_client()
    login(member, MEMBER)
    saved = submit(member, "/account/", {"name": "Marieke V.", "locale": "en",
                                         "participate_as": "existing", "org_role": "",
                                         "organisation_id": str(world["company_id"])})
    assert saved.status_code == 302
    assert membership(app, MEMBER).state is VerificationState.verified


def test_moving_to_another_organisation_keeps_earlier_input_where_it_was(client, app, world,
                                                                          mailbox):
    """Memberships are per organisation: a confirmed member who moves on asks anew, and what
    they wrote for the first organisation stays listed under it."""
    with app.app_context():
        make_organisation("Provincie Drenthe", "government", "overheid")
    member = app.test_client()
    login(member, MEMBER)
    give_input(member, app, "Voor Van der Veen")
    with app.app_context():
        province = db.session.scalar(sa.select(Organisation.id).where(
            Organisation.name == "Provincie Drenthe"))
    assert submit(member, "/account/", {"name": "Marieke", "locale": "en",
                                        "participate_as": "existing", "org_role": "adviseur",
                                        "organisation_id": str(province)}).status_code == 302
    give_input(member, app, "Voor de provincie")
    doc = document(app, public=True)
    assert listed_under(doc, "Voor Van der Veen") == COMPANY
    assert listed_under(doc, "Voor de provincie") == "Resident 1"
    profile = member.get("/account/").get_data(as_text=True)
    assert "Not confirmed yet" in profile
    # The person who moved is told what happens next.
    mailbox.deliver()
    assert any("Provincie Drenthe" in m.subject for m in mailbox.to(MEMBER))


# --- who may decide ------------------------------------------------------------------------

def test_only_a_verified_member_of_the_organisation_or_the_team_decides(client, app, world,
                                                                         mailbox):
    with app.app_context():
        other = make_organisation("Drenthe College", "education", "onderwijs")
        make_user("docent@drenthecollege.example", name="Docent", organisation=other)
        make_user("nieuw@vanderveen.example", name="Nog niet bevestigd",
                  organisation=db.session.get(Organisation, world["company_id"]),
                  membership="unverified")
    register_for_company(client, world)
    confirm_address(client, mailbox)
    stored = membership(app)
    for email in ("docent@drenthecollege.example", "nieuw@vanderveen.example", STRANGER):
        someone = app.test_client()
        login(someone, email, PASSWORD if email == STRANGER else "lange-wachtzin-42")
        token = csrf_token(someone.get("/").get_data(as_text=True))
        for decision in ("confirm", "refuse"):
            response = someone.post(f"/memberships/{stored.id}/{decision}",
                                    data={"csrf_token": token})
            assert response.status_code == 403, (email, decision)
        page = someone.get("/account/organisation/requests")
        if email.startswith("docent"):  # their own organisation's page: nobody of ours on it
            assert page.status_code == 200 and "Sam Vreemd" not in page.get_data(as_text=True)
        else:
            assert page.status_code == 403
    assert membership(app).state is VerificationState.unverified
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_two_people_confirming_at_once_record_one_decision(app, world, mailbox):
    """The member and a moderator press Confirm at the same moment: both get an answer, one
    decision is made and recorded. Repeated: a race shows only sometimes."""
    member, moderator = app.test_client(), app.test_client()
    login(member, MEMBER)
    login(moderator, "mod@example.nl")
    tokens = {c: csrf_token(c.get("/").get_data(as_text=True)) for c in (member, moderator)}
    company = None
    for attempt in range(8):
        with app.app_context():
            company = company or db.session.get(Organisation, world["company_id"])
            user = make_user(f"race{attempt}@elders.example", name=f"Race {attempt}",
                             organisation=db.session.merge(company), membership="unverified")
            membership_id = db.session.scalar(sa.select(Membership.id).where(
                Membership.user_id == user.id))
        ready = threading.Barrier(2)
        answers = []

        def press(client, ready=ready, answers=answers, url=f"/memberships/{membership_id}/confirm"):
            ready.wait(timeout=30)
            answers.append(client.post(url, data={"csrf_token": tokens[client]}).status_code)
        threads = [threading.Thread(target=press, args=(c,)) for c in (member, moderator)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert answers == [302, 302]
        with app.app_context():
            assert db.session.get(Membership, membership_id).state is VerificationState.verified
            assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.target_type == "membership",
                AuditEvent.target_id == membership_id)) == 1


# --- the thread, the chooser, and fixed query counts -------------------------------------------

def test_a_thread_shows_an_unverified_member_as_a_resident(app, world, count_queries):
    with app.app_context():
        company = db.session.get(Organisation, world["company_id"])
        moderator = db.session.scalar(sa.select(User).where(User.role == "moderator"))
        process = db.session.scalar(sa.select(Process))
        version = publish_draft(process, moderator)
        section = next(s for s in version.sections if s.number == "2.2")
        verified = db.session.scalar(sa.select(User).where(User.email == MEMBER))
        mine = make_comment(section, verified, "Van een bevestigd lid.").id
        stranger = make_user(STRANGER, name="Sam", organisation=company, membership="unverified")
        theirs = make_comment(section, stranger, "Van een vreemde.").id
        section_id = section.id
        db.session.commit()
    reader = app.test_client()
    login(reader, MEMBER)
    with count_queries() as small:
        html = reader.get("/p/economie/draft/s/2.2").get_data(as_text=True)

    def who(comment_id):
        return re.search(rf'<strong id="c-{comment_id}-who">(.*?)</strong>', html).group(1)
    assert who(mine) == COMPANY
    assert who(theirs) == "A resident (organisation not verified)"
    with app.app_context():
        from participation.drafts.models import Section

        for n in range(20):
            someone = make_user(f"p{n}@elders.example", organisation=db.session.get(
                Organisation, world["company_id"]), membership="unverified" if n % 2 else
                "verified")
            make_comment(db.session.get(Section, section_id), someone, f"Reactie {n}.")
        db.session.commit()
    with count_queries() as large:
        reader.get("/p/economie/draft/s/2.2")
    assert large.count == small.count


def test_the_document_takes_a_fixed_number_of_queries(app, world, count_queries):
    from .factories import make_contribution

    def add(n, start):
        with app.app_context():
            process = db.session.scalar(sa.select(Process))
            company = db.session.get(Organisation, world["company_id"])
            for i in range(start, start + n):
                author = make_user(f"m{i}@elders.example", organisation=company,
                                   membership="unverified" if i % 2 else "verified")
                make_contribution(process, process.themes[0], author, title=f"Inbreng {i}")
            db.session.commit()
    add(2, 0)
    with count_queries() as small:
        document(app, public=False)
    add(30, 2)
    with count_queries() as large:
        doc = document(app, public=False)
    assert large.count == small.count
    assert sum(1 for _s, item in doc.items() if item.unverified_organisation) == 16


def test_the_dashboard_counts_unverified_members_as_residents(app, world):
    from participation.dashboard.services import _participants

    from .factories import make_contribution

    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        company = db.session.get(Organisation, world["company_id"])
        member = db.session.scalar(sa.select(User).where(User.email == MEMBER))
        stranger = make_user(STRANGER, organisation=company, membership="unverified")
        make_contribution(process, process.themes[0], member)
        make_contribution(process, process.themes[0], stranger)
        db.session.commit()
        rows, total = _participants(process)
        by_kind = {row.kind: row.participants for row in rows}
        assert by_kind[company.kind].people_input == 1
        assert by_kind[company.kind].organisations_input == 1
        assert by_kind[None].people_input == 1
        assert (total.people_input, total.organisations_input) == (2, 1)


def test_deleting_an_unverified_account_does_not_put_its_input_under_the_company(
        client, app, world, mailbox):
    register_for_company(client, world)
    confirm_address(client, mailbox)
    login(client, STRANGER, PASSWORD)
    give_input(client, app)
    with app.test_request_context():
        from participation.privacy.erasure import ItemChoice, delete_account

        stranger = db.session.scalar(sa.select(User).where(User.email == STRANGER))
        delete_account(stranger, ItemChoice.keep)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Membership.id)).where(
            Membership.user_id == stranger.id)) == 0
    assert listed_under(document(app, public=True), "Ruimte voor logistiek") == "Resident 1"


# --- the migration ---------------------------------------------------------------------------

def test_the_migration_takes_what_was_known_as_verified(fresh_database):
    """Organisations and ties of people to them that existed before 0007 are the team's known
    state: verified, also for an organisation someone wrote for and has since left."""
    from flask_migrate import upgrade

    from participation import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database()})
    with app.app_context():
        upgrade(revision="0006_reading_indexes")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO organisation (id, name, name_key, kind, sector, created_at) VALUES "
                "(1, 'A', 'a', 'business', '', CURRENT_TIMESTAMP), "
                "(2, 'B', 'b', 'business', '', CURRENT_TIMESTAMP)"))
            conn.execute(sa.text(
                "INSERT INTO user_account (id, email, name, password_hash, role, organisation_id,"
                " locale, created_at) VALUES "
                "(1, 'a@x.example', 'A', 'x', 'participant', 2, 'nl', CURRENT_TIMESTAMP), "
                "(2, 'b@x.example', 'B', 'x', 'participant', NULL, 'nl', CURRENT_TIMESTAMP)"))
            conn.execute(sa.text(
                "INSERT INTO process (id, slug, title, summary, intro_md, intro_html, contact,"
                " is_public, created_at) VALUES (1, 'p', 'P', '', '', '', '', :yes,"
                " CURRENT_TIMESTAMP)"),
                {"yes": True})
            conn.execute(sa.text(
                "INSERT INTO round (id, process_id, kind, opens_at, closes_at, moderation,"
                " audience) VALUES (1, 1, 'input', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'post',"
                " 'registered')"))
            conn.execute(sa.text(
                "INSERT INTO theme (id, process_id, title, description, position, created_at)"
                " VALUES (1, 1, 'T', '', 0, CURRENT_TIMESTAMP)"))
            conn.execute(sa.text(
                "INSERT INTO contribution (round_id, theme_id, author_id, organisation_id,"
                " organisation_name, organisation_kind, title, body_md, body_html, state,"
                " submission_key, created_at, updated_at) VALUES (1, 1, 1, 1, 'A', 'business',"
                " 't', 'b', 'b', 'published', 'k', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        upgrade()
        pairs = db.session.execute(sa.select(
            Membership.user_id, Membership.organisation_id, Membership.state,
            Membership.decided_via).order_by(Membership.organisation_id)).all()
        assert [tuple(p) for p in pairs] == [
            (1, 1, VerificationState.verified, DecisionBasis.earlier),
            (1, 2, VerificationState.verified, DecisionBasis.earlier)]
        assert set(db.session.scalars(sa.select(Organisation.state))) == {
            VerificationState.verified}
        # A new organisation starts unverified, also when written outside the app.
        db.session.commit()
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO organisation (id, name, name_key, kind, sector,"
                                 " created_at) VALUES (3, 'C', 'c', 'other', '',"
                                 " CURRENT_TIMESTAMP)"))
        assert db.session.scalar(sa.select(Organisation.state).where(
            Organisation.name == "C")) is VerificationState.unverified
        db.session.remove()
        db.engine.dispose()


def test_the_profile_and_queue_take_a_fixed_number_of_queries(app, world, count_queries):
    def newcomers(start, n):
        with app.app_context():
            company = db.session.get(Organisation, world["company_id"])
            for i in range(start, start + n):
                make_user(f"n{i}@elders.example", organisation=company, membership="unverified")
                make_organisation(f"Nieuw {i}", state="unverified")
    member, moderator = app.test_client(), app.test_client()
    login(member, MEMBER)
    login(moderator, "mod@example.nl")

    def counts():
        found = {}
        for client, url in ((member, "/account/"), (moderator, "/organisations"),
                            (member, "/account/organisation/requests")):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            found[url] = counter.count
        return found
    newcomers(0, 1)
    small = counts()
    newcomers(1, 30)
    assert counts() == small
    assert small["/account/"] <= 3
    assert "31 people ask to take part" in member.get("/account/").get_data(as_text=True)
