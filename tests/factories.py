"""Builders the tests share: users, organisations, processes with rounds and themes, drafts,
contributions, comments, PDFs; and the form helpers (CSRF token, submit, log in)."""
from __future__ import annotations

import functools
import io
import re
import uuid
from datetime import timedelta

import sqlalchemy as sa

from participation.contributions.models import Contribution
from participation.core.extensions import db
from participation.core.mixins import ModerationState
from participation.drafts.models import DraftVersion
from participation.processes.models import Audience, ModerationMode, Round, RoundKind
from participation.processes.services import add_round, add_theme, create_process
from participation.core.sanitize import markdown_to_html
from participation.core.timeutil import utcnow


def count(model, *where) -> int:
    """How many rows of `model` there are (that match `where`)."""
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


@functools.lru_cache(maxsize=1024)
def _html(markdown: str) -> str:
    """markdown_to_html once per text: volume tests make thousands of items with one text."""
    return markdown_to_html(markdown)


def make_process(slug="economie", *, opens=-1, closes=10, moderation="post", audience="registered",
                 public=True, themes=("Werklocaties", "Arbeidsmarkt", "Energietransitie")):
    """A process whose input round opens/closes `opens`/`closes` days from now."""
    now = utcnow()
    process = create_process(slug=slug, title=f"Traject {slug}", summary="Samenvatting",
                             intro_md="Over *dit* traject.", contact="team@assen.example",
                             is_public=public)
    add_round(process, kind=RoundKind.input, opens_at=now + timedelta(days=opens),
              closes_at=now + timedelta(days=closes), moderation=ModerationMode(moderation),
              audience=Audience(audience))
    add_round(process, kind=RoundKind.feedback, opens_at=now + timedelta(days=closes + 20),
              closes_at=now + timedelta(days=closes + 40), moderation=ModerationMode.post,
              audience=Audience.invited)
    for title in themes:
        add_theme(process, title=title, description=f"Over {title.lower()}.")
    db.session.commit()
    return process


def make_contribution(process, theme, author, *, title="Inbreng", body="Tekst van de inbreng.",
                      state="published", organisation=None, created_at=None):
    round_ = process.round_of(RoundKind.input)
    organisation = organisation or (author.organisation if author else None)
    item = Contribution(round=round_, theme=theme, author=author, organisation=organisation,
                        organisation_name=organisation.name if organisation else None,
                        organisation_kind=organisation.kind if organisation else None,
                        title=title, body_md=body, body_html=_html(body),
                        state=ModerationState(state), submission_key=uuid.uuid4().hex,
                        created_at=created_at or utcnow(), updated_at=created_at or utcnow())
    db.session.add(item)
    return item


def pdf_bytes(pages: int = 1) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)  # the same pages, the same bytes
    return out.getvalue()


def upload(data: bytes, name: str = "positiepaper.pdf"):
    """A file for the Flask test client's form data."""
    return (io.BytesIO(data), name)


DRAFT_MD = """Deze agenda beschrijft de economische koers.

# Aanleiding

De economie van Assen verandert.

# Ambities per thema

## Werklocaties

Ruimte voor bedrijven op de juiste plek.

## Arbeidsmarkt

Meer mensen aan het werk.

## Energie

Netcongestie vraagt om slimme oplossingen.

# Uitvoering

Het projectteam voert de agenda uit.
"""


def open_feedback_round(process, audience="registered", moderation="post"):
    """Round 1 closed, round 2 open now."""
    now = utcnow()
    input_round = process.round_of(RoundKind.input)
    input_round.opens_at, input_round.closes_at = now - timedelta(days=40), now - timedelta(days=10)
    feedback = process.round_of(RoundKind.feedback)
    feedback.opens_at, feedback.closes_at = now - timedelta(days=1), now + timedelta(days=14)
    feedback.audience = Audience(audience)
    feedback.moderation = ModerationMode(moderation)
    db.session.commit()
    return feedback


def publish_draft(process, author, markdown=DRAFT_MD, matches=None):
    from participation.drafts.parsing import parse_markdown
    from participation.drafts.services import add_version, proposed_matches, publish

    version = add_version(process, parse_markdown(markdown), source_kind="markdown",
                          source_name="concept.md", by=author)
    publish(version, matches if matches is not None else proposed_matches(version), by=author)
    db.session.commit()
    return version


def make_comment(section, author, body="Een reactie.", parent=None, state="published",
                 by_team=False, created_at=None):
    from participation.comments.models import Comment

    round_ = _feedback_round(section)
    organisation = author.organisation if author else None
    comment = Comment(round_id=round_.id, lineage_id=section.lineage_id, section_id=section.id,
                      **Comment.place_under(parent), author_id=author.id,
                      organisation_id=organisation.id if organisation else None,
                      organisation_name=organisation.name if organisation else None,
                      organisation_kind=organisation.kind if organisation else None,
                      by_team=by_team, body_md=body, body_html=_html(body),
                      state=ModerationState(state), submission_key=uuid.uuid4().hex,
                      created_at=created_at or utcnow(), updated_at=created_at or utcnow())
    db.session.add(comment)
    db.session.flush()
    return comment


def _feedback_round(section) -> Round:
    return db.session.execute(
        db.select(Round).join(DraftVersion, DraftVersion.process_id == Round.process_id)
        .where(DraftVersion.id == section.version_id, Round.kind == RoundKind.feedback)
    ).scalar_one()


def make_many_comments(section, authors, bodies, *, state="published",
                       thread: bool | int = False) -> list[int]:
    """One comment on `section` per text in `bodies`, by `authors` in turn, in a few bulk
    INSERTs: for tests of volume, where make_comment's INSERT per comment (the ORM inserts
    self-referencing rows one by one) takes minutes on PostgreSQL. With `thread`, every third
    comment starts a conversation and the two after it reply in a chain (depth 0, 1, 2); with
    a number n for `thread`, every n-th, and the n - 1 after it (deeper than the screen's
    three levels from n = 4). The comments' ids, in the order of `bodies`."""
    from participation.comments.models import Comment

    round_id, start = _feedback_round(section).id, utcnow()
    ids: list[int | None] = [None] * len(bodies)
    chain = 3 if thread is True else max(1, int(thread))
    for depth in range(chain):
        positions = [i for i in range(len(bodies)) if i % chain == depth]
        rows = []
        for i in positions:
            author = authors[i % len(authors)]
            organisation = author.organisation
            written = start + timedelta(microseconds=i)  # in the order of `bodies`
            rows.append({
                "round_id": round_id, "lineage_id": section.lineage_id, "section_id": section.id,
                "parent_id": ids[i - 1] if depth else None, "depth": depth,
                "root_id": ids[i - depth] if depth else None,
                "author_id": author.id,
                "organisation_id": organisation.id if organisation else None,
                "organisation_name": organisation.name if organisation else None,
                "organisation_kind": organisation.kind if organisation else None,
                "by_team": False, "body_md": bodies[i], "body_html": _html(bodies[i]),
                "state": ModerationState(state), "submission_key": uuid.uuid4().hex,
                "created_at": written, "updated_at": written})
        if rows:
            made = db.session.scalars(
                sa.insert(Comment).returning(Comment.id, sort_by_parameter_order=True), rows)
            for i, comment_id in zip(positions, made.all(), strict=True):
                ids[i] = comment_id
    return ids


def verify_membership(user, organisation=None):
    """The team has confirmed that `user` takes part for `organisation` (by default the one they
    take part for now) and confirmed the organisation itself: their items are listed under it.
    For setups that registered through the form, where every membership starts unverified."""
    from participation.accounts.models import DecisionBasis, Membership, VerificationState

    organisation = organisation or user.organisation
    membership = db.session.scalar(db.select(Membership).where(
        Membership.user_id == user.id, Membership.organisation_id == organisation.id))
    if membership is None:
        membership = Membership(user=user, organisation=organisation)
        db.session.add(membership)
    membership.state = VerificationState.verified
    membership.decided_at = utcnow()
    membership.decided_via = DecisionBasis.team
    organisation.state = VerificationState.verified
    db.session.commit()
    return membership


# --- accounts and forms -------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SUBMISSION_KEY_RE = re.compile(r'name="submission_key" type="hidden" value="([^"]*)"')


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def submission_key(html: str) -> str:
    """The key a contribution or comment form carries, so that a double click saves once."""
    match = SUBMISSION_KEY_RE.search(html)
    assert match, "no submission key on the page"
    return match.group(1)


def submit(client, url: str, data: dict, *, follow_redirects: bool = False, page_url=None):
    """Load the form page, take its CSRF token, and post `data` as a browser would (with the
    version the form was made from, unless `data` names one)."""
    page = client.get(page_url or url)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(html),
                                  **form_versions(html, url, page_url or url), **data},
                       follow_redirects=follow_redirects)


#: The hidden fields that say what an edit form was made from (participation.core.conflicts).
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
_VERSION_INPUT = re.compile(r'<input\b[^>]*\bname="(version|role_was)"[^>]*>')


def form_versions(html: str, url: str, page_url: str) -> dict[str, str]:
    """The version fields of the page's form that posts to `url` (no action: to the page)."""
    from html import unescape
    from urllib.parse import urlsplit

    for form in _FORM.finditer(html):
        action = re.search(r'\baction="([^"]*)"', form.group(1))
        target = unescape(action.group(1)) if action else page_url
        found = {m.group(1): re.search(r'\bvalue="([^"]*)"', m.group(0)).group(1)
                 for m in _VERSION_INPUT.finditer(form.group(2))}
        if found and urlsplit(target).path == urlsplit(url).path:
            return found
    return {}


def field_errors(html: str) -> list[str]:
    """The messages shown next to fields, as a person reads them."""
    found = re.findall(r'<p class="field-error" id="([^"]+)-error">(.*?)</p>', html, re.S)
    return [f"{fid}: {re.sub(r'<[^>]+>', '', text).replace('Error:', '').replace('Fout:', '').strip()}"
            for fid, text in found]


def make_user(email="pieter@example.nl", password="lange-wachtzin-42", *, role="participant",
              name="Pieter de Vries", confirmed=True, organisation=None, locale="nl",
              membership="verified"):
    """A user in the database (call inside an app context). With an organisation, their
    membership of it is `membership` ("verified": known to the team, as everyone was before
    memberships were checked; "unverified"; None: no membership row)."""
    from flask import current_app

    from participation.accounts.models import User
    from participation.core.roles import Role
    from participation.accounts.passwords import hash_password
    from participation.core.timeutil import utcnow

    user = User(email=email, name=name, password_hash=hash_password(password), role=Role(role),
                organisation=organisation, locale=locale,
                email_confirmed_at=utcnow() if confirmed else None, consent_at=utcnow(),
                # The current statement: only the consent tests meet an outdated one.
                consent_version=current_app.config["PRIVACY_STATEMENT_VERSION"])
    db.session.add(user)
    if organisation is not None and membership is not None:
        from participation.accounts.models import DecisionBasis, Membership, VerificationState

        verified = membership == "verified"
        db.session.add(Membership(
            user=user, organisation=organisation, state=VerificationState(membership),
            role="medewerker", decided_at=utcnow() if verified else None,
            decided_via=DecisionBasis.team if verified else None))
    db.session.commit()
    return user


def make_organisation(name="Bakkerij Bolk", kind="business", sector="food", *,
                      state="verified", website_domain="", auto_confirm_domain=False):
    """An organisation, confirmed by the team unless `state` says otherwise."""
    from participation.accounts.models import (Organisation, OrganisationKind,
                                               VerificationState, name_key)

    organisation = Organisation(name=name, name_key=name_key(name), kind=OrganisationKind(kind),
                                sector=sector, state=VerificationState(state),
                                website_domain=website_domain,
                                auto_confirm_domain=auto_confirm_domain)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def login(client, email="pieter@example.nl", password="lange-wachtzin-42", remember=False):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    response = submit(client, "/account/login", data)
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    return response
