"""The member check in headless Chromium, with axe and the HTML checker on every page: the team
opens the window, a participant follows the link mailed through the real SMTP server, sees
their items with the responses, confirms one and reacts to another; the team changes the
response and answers; the document shows "checked on" and the reactions chapter in every
format. A used and an expired link are refused with a clear message."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import expect

from participation.audit.models import AuditEvent
from participation.core.extensions import db
from participation.core.timeutil import utc_to_amsterdam, utcnow
from participation.processes.models import Process
from participation.review.models import MemberCheck

from .browser import assert_accessible
from .factories import count
from .member_check_setup import ready_process
from .test_browser import site  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

REACTION = "Het gaat om stages in de zorg, niet alleen het mbo."
ANSWER = "Dank u, we noemen de zorg apart in paragraaf 2."


def _moment(delta: timedelta) -> str:
    return utc_to_amsterdam(utcnow() + delta).strftime("%Y-%m-%dT%H:%M")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _texts(app, slug: str, tmp_path) -> dict[str, str]:
    """The public English document in every format, as text to search."""
    from participation.export.services import export

    with app.test_request_context():
        process = db.session.scalar(sa.select(Process).where(Process.slug == slug))
        data = {fmt: export(process, fmt, public=True, language="en", actor=None)
                for fmt in ("html", "pdf", "docx", "xlsx", "csv", "json")}
    (tmp_path / "doc.pdf").write_bytes(data["pdf"])
    pdf = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "doc.pdf"), "-"],
                         check=True, capture_output=True, text=True).stdout
    with zipfile.ZipFile(io.BytesIO(data["docx"])) as package:
        docx = re.sub(r"<[^>]+>", "", package.read("word/document.xml").decode("utf-8"))
    book = load_workbook(io.BytesIO(data["xlsx"]), read_only=True)
    xlsx = " ".join(f"[{sheet.title}] " + " ".join(str(c) for row in sheet.iter_rows(values_only=True)
                                                   for c in row if c is not None)
                    for sheet in book.worksheets)
    html_text = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", " ",
                                               data["html"].decode("utf-8"), flags=re.S))
    return {"html": _flat(html_text), "pdf": _flat(pdf), "docx": _flat(docx),
            "xlsx": _flat(xlsx), "csv": data["csv"].decode("utf-8-sig"),
            "json": data["json"].decode("utf-8")}


def test_member_check_from_the_mail_to_the_document(site, page, app, mailbox,  # noqa: F811
                                                     tmp_path):
    with app.test_request_context():
        ready = ready_process()

    # The team opens the window.
    page.goto(site.url + "/account/login")
    page.get_by_role("button", name="English").click()
    page.get_by_label("E-mail address").fill("mod@assen.example")
    page.get_by_label("Password").fill("lange-wachtzin-42")
    page.get_by_role("button", name="Log in").click()
    site.open(f"/p/{ready.slug}/member-check")
    expect(page.get_by_text("Every item in the document has been answered.")).to_be_visible()
    page.get_by_label("Opens").fill(_moment(timedelta(minutes=-1)))
    page.get_by_label("Closes").fill(_moment(timedelta(days=14)))
    page.get_by_role("button", name="Open the check and send the links").click()
    expect(page.get_by_role("status")).to_contain_text("The check is open")
    assert_accessible(page)
    mailbox.deliver()
    link = mailbox.only("anna@bolk.example").link("/review/")
    bert_link = mailbox.only("bert@example.nl").link("/review/")

    # The participant, in a browser of her own.
    anna = page.context.browser.new_context()
    mine = anna.new_page()
    mine.set_default_timeout(10_000)
    mine.goto(link)
    mine.get_by_role("button", name="English").click()
    expect(mine.get_by_role("heading", level=1)).to_have_text("Check your input")
    assert_accessible(mine)
    mine.get_by_role("button", name="Open my check").click()
    expect(mine.get_by_role("heading", level=1)).to_have_text("Check your input")
    assert_accessible(mine)
    first = mine.locator("article", has_text="Meer bedrijventerrein")
    expect(first).to_contain_text("We nemen dit over.")  # the response, as in the document
    expect(first).to_contain_text("Adopted")
    expect(mine.locator("article", has_text="Paragraaf een mist de haven.")).to_contain_text(
        "Dank, de haven komt erin.")
    expect(mine.get_by_text("Zonnepanelen")).to_have_count(0)  # Bert's, not hers
    first.get_by_label("Yes, this is correct").check()
    first.get_by_role("button", name="Send").click()
    expect(mine.get_by_role("status")).to_contain_text("your confirmation has been saved")
    second = mine.locator("article", has_text="Stageplaatsen")
    second.get_by_label("I have a correction or a reaction").check()
    second.get_by_label("Your correction or reaction").fill(REACTION)
    second.get_by_role("button", name="Send").click()
    expect(mine.get_by_role("status")).to_contain_text("your reaction has been saved")
    expect(mine.locator("article", has_text="Meer bedrijventerrein")).to_contain_text(
        "You confirmed this on")
    assert_accessible(mine)
    # The same link again: refused, with a way on.
    mine.goto(link)
    expect(mine.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    expect(mine.get_by_text("This personal link has already been used")).to_be_visible()
    expect(mine.get_by_role("button", name="Send me a new link")).to_be_visible()
    assert_accessible(mine)
    anna.close()

    # The team sees the reaction from the queue, changes the response and answers.
    site.open(f"/p/{ready.slug}/moderation")
    page.get_by_role("link", name="1 reaction on the document waits for an answer").click()
    assert_accessible(page)
    page.get_by_role("link", name=REACTION).click()
    assert_accessible(page)
    page.get_by_label("Partly adopted").check()
    page.get_by_label("Response", exact=True).fill("Deels, via het ROC en de zorg.")
    page.get_by_role("button", name="Save and publish the response").click()
    expect(page.get_by_role("status")).to_contain_text("The response has been changed")
    page.get_by_label("The municipality's answer").fill(ANSWER)
    page.get_by_role("button", name="Save the answer").click()
    expect(page.get_by_role("status")).to_contain_text("The answer has been saved")
    expect(page.get_by_role("row", name=re.compile("answered on"))).to_have_count(1)
    with app.app_context():
        assert count(AuditEvent, AuditEvent.action == "response.save") == 5  # 4 + the change
        assert count(AuditEvent, AuditEvent.action == "member_check.answer") == 1

    # The preview in the site and every format: "checked on" and the chapter.
    site.open(f"/p/{ready.slug}/export/preview?version=public&language=en")
    expect(page.get_by_role("heading", name="7. Reactions of participants on this document")) \
        .to_be_visible()
    texts = _texts(app, ready.slug, tmp_path)
    for fmt in ("html", "pdf", "docx", "xlsx"):
        text = texts[fmt]
        assert "checked on" in text.lower() and "reaction received" in text.lower(), fmt
        assert "Reactions of participants on this document" in text or \
            "Reactions on the document" in text, fmt
        assert REACTION in text and ANSWER in text, fmt
        assert "Deels, via het ROC en de zorg." in text, fmt
    rows = list(csv.DictReader(io.StringIO(texts["csv"])))
    assert [r["response"] for r in rows if r["kind"] == "document_reaction"] == [ANSWER]
    assert {r["reaction_received"] for r in rows if r["stakeholder"] == "Bakkerij Bolk"
            and r["kind"] != "document_reaction"} == {"yes"}
    document = json.loads(texts["json"])
    [reaction] = document["member_check"]["reactions"]
    assert reaction["text_md"] == REACTION and reaction["answer_md"] == ANSWER

    # Bert's link after the window closed.
    with app.app_context():
        db.session.execute(sa.update(MemberCheck).values(closes_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    page.goto(bert_link)
    expect(page.get_by_text("This link has expired: the check of the document is closed.")) \
        .to_be_visible()
    assert_accessible(page)
