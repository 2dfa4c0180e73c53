"""The audit trail as the team reads it: a sentence per event in their language, with names,
titles, dispositions and section numbers; what was kept behind a disclosure; a fixed number
of queries however long the trail."""
from __future__ import annotations


import lxml.html
import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.core.roles import Role
from participation.admin.services import change_role
from participation.audit.services import record
from participation.contributions.models import Contribution
from participation.drafts.models import Section
from participation.drafts.parsing import parse_markdown
from participation.drafts.services import add_version, latest_published, publish
from participation.export.services import export
from participation.core.extensions import db
from participation.moderation import services as moderation
from participation.moderation.models import Disposition, TargetType
from participation.processes.models import Process

from .factories import (DRAFT_MD, login, make_comment, make_contribution, make_process, make_user,
                        open_feedback_round, publish_draft, submit)

TITLE = "Personeel vinden én houden: samen met het mbo en de werkgevers in de regio"
#: Version 2 puts a new chapter first: "Werklocaties" goes from 2.1 to 3.1, "Arbeidsmarkt"
#: from 2.2 to 3.2; their lineages stay.
DRAFT_V2 = "Deze agenda beschrijft de economische koers.\n\n# Samenvatting\n\nKort.\n\n" + \
    DRAFT_MD.split("\n\n", 1)[1]


@pytest.fixture
def trail(app):
    """A process in round 2 with a draft, a moderator who writes Dutch and one who writes
    English, an admin, a contribution with é in its title and a comment on 2.2."""
    with app.app_context():
        process = make_process()
        open_feedback_round(process)
        moderator = make_user("mod@example.nl", role="moderator", name="Marieke de Vries")
        make_user("mod-en@example.nl", role="moderator", name="Sam Jones", locale="en")
        make_user("admin@example.nl", role="admin", name="Beheerder")
        author = make_user("firma@example.nl", name="Jan Bakker")
        version = publish_draft(process, moderator)
        sections = {s.number: s for s in version.sections}
        contribution = make_contribution(process, process.themes[1], author, title=TITLE)
        comment = make_comment(sections["2.2"], author,
                               "Ik mis de **zorg** in deze paragraaf; dat is de grootste "
                               "werkgever van Assen en het tekort groeit elk jaar.")
        db.session.commit()
        return {"contribution": contribution.id, "comment": comment.id,
                "lineages": [sections["2.1"].lineage_id, sections["2.2"].lineage_id],
                "author": author.id}


def publish_version_2(app):
    """Publish DRAFT_V2, continuing every section of version 1 by its heading."""
    with app.app_context():
        process = db.session.scalar(sa.select(Process))
        moderator = db.session.scalar(sa.select(User).where(User.email == "mod@example.nl"))
        previous = {s.heading: s.id for s in latest_published(process).sections}
        version = add_version(process, parse_markdown(DRAFT_V2), source_kind="markdown",
                              source_name="concept-2.md", by=moderator)
        publish(version, {s.id: previous.get(s.heading) for s in version.sections},
                by=moderator)
        db.session.commit()


def respond(client, trail, body, action, disposition="adopted"):
    page_url = f"/p/economie/moderation/contribution/{trail['contribution']}"
    response = submit(client, page_url + "/response",
                      {"disposition": disposition, "body": body, "action": action,
                       "sections": [str(lid) for lid in trail["lineages"]]}, page_url=page_url)
    assert response.status_code == 302


def events(html: str) -> list[lxml.html.HtmlElement]:
    return lxml.html.fromstring(html).xpath('//li[@class="audit-event"]')


def sentences(html: str) -> list[str]:
    """The sentences on the page, newest first, as read (spaces normalised)."""
    return [" ".join(li.xpath('./p[@class="audit-sentence"]')[0].text_content().split())
            for li in events(html)]


def details(li) -> str:
    """The disclosure's text as read: its parts apart, spaces normalised."""
    [box] = li.xpath("./details")
    return " ".join(" ".join(box.itertext()).split())


def test_a_response_reads_as_a_sentence_in_dutch_with_section_numbers(client, app, trail):
    login(client, "mod@example.nl")
    respond(client, trail, "We nemen dit over in de paragrafen over werk.", "save")
    publish_version_2(app)  # the sections are renumbered after the response was written
    html = client.get("/p/economie/audit?action=response").get_data(as_text=True)
    assert sentences(html) == [
        "Marieke de Vries heeft een conceptreactie van de gemeente op de inbreng “Personeel "
        "vinden én houden: samen met het mbo en de…” geschreven (overgenomen); "
        "paragrafen 3.1, 3.2"]
    assert "\\u00e9" not in html and "&#34;" not in html


def test_the_same_in_english_for_a_team_member_who_reads_english(client, app, trail):
    login(client, "mod@example.nl")
    respond(client, trail, "We nemen dit over.", "publish")
    english = app.test_client()
    login(english, "mod-en@example.nl")
    html = english.get("/p/economie/audit?action=response").get_data(as_text=True)
    assert sentences(html) == [
        "Marieke de Vries published the response to the contribution “Personeel vinden én "
        "houden: samen met het mbo en de…” (adopted); sections 2.1, 2.2",
        "Marieke de Vries wrote the response to the contribution “Personeel vinden én houden: "
        "samen met het mbo en de…” (adopted); sections 2.1, 2.2"]


def test_every_save_of_a_response_is_its_own_sentence(client, app, trail):
    """Draft, publish, edit, edit: four saves and a publication, each told as what it was."""
    login(client, "mod@example.nl")
    respond(client, trail, "Eerste opzet.", "save", disposition="partly")
    respond(client, trail, "Definitief.", "publish")
    respond(client, trail, "Definitief, met een zin erbij.", "save")
    respond(client, trail, "Definitief, met twee zinnen erbij.", "save", disposition="noted")
    html = client.get("/p/economie/audit?action=response").get_data(as_text=True)
    item = "de inbreng “Personeel vinden én houden: samen met het mbo en de…”"
    assert sentences(html) == [
        f"Marieke de Vries heeft de gepubliceerde reactie van de gemeente op {item} gewijzigd "
        "(ter kennisgeving); paragrafen 2.1, 2.2",
        f"Marieke de Vries heeft de gepubliceerde reactie van de gemeente op {item} gewijzigd "
        "(overgenomen); paragrafen 2.1, 2.2",
        f"Marieke de Vries heeft de reactie van de gemeente op {item} gepubliceerd "
        "(overgenomen); paragrafen 2.1, 2.2",
        f"Marieke de Vries heeft de conceptreactie van de gemeente op {item} gewijzigd "
        "(overgenomen); paragrafen 2.1, 2.2",
        f"Marieke de Vries heeft een conceptreactie van de gemeente op {item} geschreven "
        "(deels overgenomen); paragrafen 2.1, 2.2"]


def test_before_and_after_are_readable_lines_behind_a_disclosure(client, app, trail):
    login(client, "mod@example.nl")
    respond(client, trail, "Eerste opzet, met één voorbeeld.", "save", disposition="partly")
    respond(client, trail, "Wij nemen het over.", "save")
    html = client.get("/p/economie/audit?action=response").get_data(as_text=True)
    newest = events(html)[0]
    assert [s.text for s in newest.xpath("./details/summary")] == ["Vastgelegde gegevens"]
    text = details(newest)
    assert ("Oud Verwerking: Deels overgenomen Tekst: Eerste opzet, met één voorbeeld. "
            "Gepubliceerd: nee Paragrafen: 2.1, 2.2") in text
    assert "Nieuw Verwerking: Overgenomen Tekst: Wij nemen het over." in text
    assert "Code response.save" in text
    # The sentence itself carries no raw values, and nothing is JSON.
    assert "Eerste opzet" not in sentences(html)[0]
    assert "partly" not in html and "{" not in text


def test_hiding_and_a_role_change_name_the_item_the_reason_and_the_roles(client, app, trail):
    login(client, "mod@example.nl")
    page_url = f"/p/economie/moderation/comment/{trail['comment']}"
    submit(client, page_url + "/hide", {"reason": "Noemt een buurman bij naam"},
           page_url=page_url)
    admin = app.test_client()
    login(admin, "admin@example.nl")
    submit(admin, f"/admin/users/{trail['author']}/role", {"role": "moderator"},
           page_url="/admin/users")
    assert sentences(admin.get("/audit?action=role").get_data(as_text=True)) == [
        "Beheerder heeft de rol van Jan Bakker gewijzigd van deelnemer in moderator"]
    assert sentences(client.get("/p/economie/audit?action=comment").get_data(as_text=True)) == [
        "Marieke de Vries heeft de reactie “Ik mis de zorg in deze paragraaf; dat is de "
        "grootste…” bij paragraaf 2.2 verborgen: Noemt een buurman bij naam"]


def test_the_codes_other_features_record_read_as_sentences(client, app, trail):
    """Organisation verification and thread answers record these; an unknown code still
    reads as a sentence; a download from the command line is the system's."""
    with app.app_context():
        moderator = db.session.scalar(sa.select(User).where(User.email == "mod@example.nl"))
        process = db.session.scalar(sa.select(Process))
        common = {"actor": moderator, "process_id": process.id}
        record("membership.confirm", target_type="user", target_id=trail["author"],
               after={"organisation": "Bakkerij Bolk", "user": "Jan Bakker"}, **common)
        record("membership.refuse", target_type="user", target_id=trail["author"],
               after={"organisation": "Bakkerij Bolk", "user": "Piet Vreemd"}, **common)
        record("organisation.confirm", target_type="organisation", target_id=1,
               after={"organisation": "Bakkerij Bolk", "user": "Jan Bakker"}, **common)
        record("comment.team_answer", target_type="comment", target_id=trail["comment"],
               after={"disposition": Disposition.already, "text": "Zie 2.2."}, **common)
        record("response.unpublish", target_type="contribution",
               target_id=trail["contribution"], before={"published": True},
               after={"published": False}, **common)
        record("contribution.merge", target_type="contribution",
               target_id=trail["contribution"], **common)
        export(process, "csv", public=True, language="en", actor=None)
        db.session.commit()
    login(client, "mod@example.nl")
    item = "de inbreng “Personeel vinden én houden: samen met het mbo en de…”"
    assert sentences(client.get("/p/economie/audit").get_data(as_text=True))[:7] == [
        "Het systeem heeft de openbare versie van het participatiedocument gedownload (CSV, "
        "Engels)",
        f"Marieke de Vries heeft iets gewijzigd aan {item} (contribution.merge)",
        f"Marieke de Vries heeft de reactie van de gemeente op {item} teruggetrokken; het is "
        "weer een concept",
        "Marieke de Vries heeft in de discussie geantwoord op de reactie “Ik mis de zorg in "
        "deze paragraaf; dat is de grootste…” bij paragraaf 2.2, als reactie van de "
        "gemeente (al opgenomen)",
        "Marieke de Vries heeft de organisatie Bakkerij Bolk bevestigd, aangemeld door Jan "
        "Bakker",
        "Marieke de Vries heeft niet bevestigd dat Piet Vreemd bij Bakkerij Bolk hoort",
        "Marieke de Vries heeft bevestigd dat Jan Bakker bij Bakkerij Bolk hoort"]


def test_user_text_in_a_sentence_is_escaped(client, app, trail):
    with app.app_context():
        db.session.get(Contribution, trail["contribution"]).title = "<b>Vet</b> & co"
        db.session.commit()
    login(client, "mod@example.nl")
    page_url = f"/p/economie/moderation/contribution/{trail['contribution']}"
    hidden = submit(client, page_url + "/hide", {"reason": "<script>alert(1)</script>"},
                    page_url=page_url)
    assert hidden.status_code == 302, hidden.get_data(as_text=True)[-3000:]
    html = client.get("/p/economie/audit").get_data(as_text=True)
    assert "<b>Vet</b>" not in html and "<script>alert(1)</script>" not in html
    assert "&lt;b&gt;Vet&lt;/b&gt; &amp; co" in html
    assert sentences(html)[0] == ("Marieke de Vries heeft de inbreng “<b>Vet</b> & co” "
                                  "verborgen: <script>alert(1)</script>")


def _more_events(app, trail, rounds: range) -> None:
    """Every kind of event the page names things for, once per number in `rounds`, on new
    items: eight events each."""
    with app.test_request_context():  # a published response mails a link to the item
        process = db.session.scalar(sa.select(Process))
        moderator = db.session.scalar(sa.select(User).where(User.email == "mod@example.nl"))
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.nl"))
        author = db.session.get(User, trail["author"])
        section = db.session.scalar(sa.select(Section).where(Section.number == "2.1"))
        for n in rounds:
            contribution = make_contribution(process, process.themes[n % 3], author,
                                             title=f"Inbreng {n}")
            comment = make_comment(section, author, f"Reactie {n}")
            db.session.flush()
            for kind, item in ((TargetType.contribution, contribution),
                               (TargetType.comment, comment)):
                moderation.save_response(process, kind, item, moderator,
                                         disposition=Disposition.noted, body_md=f"Dank {n}.",
                                         lineage_ids=trail["lineages"], publish=True)
                moderation.hide(process, kind, item, moderator, f"Reden {n}")
            person = make_user(f"deelnemer{n}@example.nl", name=f"Deelnemer {n}")
            change_role(person, Role.staff, actor=admin)
            record("theme.up", actor=moderator, target_type="theme",
                   target_id=process.themes[n % 3].id, process_id=process.id)
        db.session.commit()


def test_the_page_makes_the_same_queries_for_few_and_many_events(client, app, trail,
                                                                  count_queries):
    login(client, "admin@example.nl")

    def measure():
        found = {}
        for url in ("/p/economie/audit", "/audit"):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            found[url] = counter.count
        return found
    _more_events(app, trail, range(1))
    few = measure()
    _more_events(app, trail, range(1, 14))  # 112 events more: the page shows the newest 100
    many = measure()
    assert few == many
    assert max(many.values()) <= 12, many
    shown = sentences(client.get("/audit").get_data(as_text=True))
    assert len(shown) == 100
    assert shown[:2] == [
        "Marieke de Vries heeft het thema “Arbeidsmarkt” omhoog gezet",
        "Beheerder heeft de rol van Deelnemer 13 gewijzigd van deelnemer in medewerker"]
