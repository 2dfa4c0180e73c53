"""Writes the demo into the database; running it twice changes nothing.

The Assen process has a closed round 1 with input from a dozen organisations and an open
round 2 with a published draft and threaded comments; a second, small process has its round 1
open, so a visitor can try it at once. What they say is in `data/`, read by `content.py`.
"""
from __future__ import annotations

import re
import secrets
import uuid
from datetime import timedelta

import sqlalchemy as sa

from ..accounts.models import (DecisionBasis, Membership, Organisation, OrganisationKind, User,
                               VerificationState, name_key)
from ..accounts.passwords import hash_password
from ..accounts.services import create_user
from ..comments.models import Comment
from ..contributions.models import Contribution
from ..core.extensions import db
from ..core.mixins import ModerationState
from ..core.roles import Role
from ..core.sanitize import markdown_to_html
from ..core.timeutil import utcnow
from ..drafts.parsing import parse_markdown
from ..drafts.services import add_version, publish
from ..processes.models import Audience, ModerationMode, Process, RoundKind
from ..processes.services import add_round, add_theme, create_process
from . import content

DEMO_ADMIN_EMAIL = "admin@assen.example"
DEMO_MODERATOR_EMAIL = "projectteam@assen.example"
#: The processes' folders in data/.
ASSEN = "economische-agenda"
BINNENSTAD = "binnenstad"


def load_demo(admin_password: str) -> tuple[str, str] | None:
    """Create what is missing. Returns the admin's credentials when the admin was created now."""
    listed = content.organisations()
    organisations = _organisations(listed.known)
    created = None
    if _user(DEMO_ADMIN_EMAIL) is None:
        create_user(DEMO_ADMIN_EMAIL, admin_password, Role.admin, name="Demo beheerder")
        created = (DEMO_ADMIN_EMAIL, admin_password)
    moderator = _user(DEMO_MODERATOR_EMAIL) or create_user(
        DEMO_MODERATOR_EMAIL, secrets.token_urlsafe(24), Role.moderator, name="Projectteam EZ")
    assen = content.process(ASSEN)
    if _process(assen.slug) is None:
        _assen(assen, organisations, moderator)
        _assen_draft(_process(assen.slug), organisations, moderator)
    binnenstad = content.process(BINNENSTAD)
    if _process(binnenstad.slug) is None:
        _small(binnenstad)
    _pending(listed, organisations)
    db.session.flush()
    return created


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _process(slug: str) -> Process | None:
    return db.session.scalar(sa.select(Process).where(Process.slug == slug))


def _organisations(known: list[content.KnownOrganisation]) -> dict[str, Organisation]:
    existing = {o.name_key: o for o in db.session.scalars(sa.select(Organisation))}
    found = {}
    for entry in known:
        organisation = existing.get(name_key(entry.name))
        if organisation is None:
            # Known to the team: confirmed, as every organisation was before memberships were
            # checked (migration 0007).
            organisation = Organisation(name=entry.name, name_key=name_key(entry.name),
                                        kind=OrganisationKind(entry.kind), sector=entry.sector,
                                        state=VerificationState.verified, decided_at=utcnow())
            db.session.add(organisation)
        found[entry.name] = organisation
    db.session.flush()
    return found


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]


def _stakeholder(name: str, organisation: Organisation | None) -> User:
    """A demo participant; nobody knows the password (it is random and not shown)."""
    email = f"{_slug(organisation.name if organisation else name)}@demo.example"
    user = _user(email)
    if user is None:
        user = User(email=email, name=f"Contactpersoon {organisation.name}" if organisation
                    else name, password_hash=hash_password(secrets.token_urlsafe(24)),
                    role=Role.participant, organisation=organisation, locale="nl",
                    email_confirmed_at=utcnow(), consent_at=utcnow(), consent_version="demo")
        db.session.add(user)
        if organisation is not None:
            db.session.add(Membership(user=user, organisation=organisation,
                                      state=VerificationState.verified, role="contactpersoon",
                                      decided_at=utcnow(), decided_via=DecisionBasis.team))
    return user


def _pending(listed: content.Organisations, organisations: dict[str, Organisation]) -> None:
    """A new organisation and a newcomer to a known one, both waiting for the team."""
    def person(name: str, email: str, organisation: Organisation, role: str, kvk, new: bool):
        if _user(email) is not None:
            return
        user = User(email=email, name=name, password_hash=hash_password(secrets.token_urlsafe(24)),
                    role=Role.participant, organisation=organisation, locale="nl",
                    email_confirmed_at=utcnow(), consent_at=utcnow(), consent_version="demo")
        db.session.add(user)
        db.session.add(Membership(user=user, organisation=organisation, role=role, kvk=kvk,
                                  state=VerificationState.unverified,
                                  registered_organisation=new))

    for entry in listed.new_organisations:
        organisation = db.session.scalar(sa.select(Organisation).where(
            Organisation.name_key == name_key(entry.organisation)))
        if organisation is None:
            organisation = Organisation(name=entry.organisation,
                                        name_key=name_key(entry.organisation),
                                        kind=OrganisationKind(entry.kind), sector=entry.sector)
            db.session.add(organisation)
        person(entry.name, entry.email, organisation, entry.role, entry.kvk, True)
    for entry in listed.new_members:
        person(entry.name, entry.email, organisations[entry.organisation], entry.role, entry.kvk,
               False)


def _contribution(round_, theme, title, body_md, created_at, *, author=None, organisation=None,
                  individual=None, offline_source=None, entered_by=None) -> Contribution:
    return Contribution(
        round=round_, theme=theme, author=author, organisation=organisation,
        organisation_name=organisation.name if organisation else individual,
        organisation_kind=organisation.kind if organisation else None,
        title=title, body_md=body_md, body_html=markdown_to_html(body_md),
        state=ModerationState.published, offline_source=offline_source, entered_by=entered_by,
        submission_key=uuid.uuid4().hex, created_at=created_at, updated_at=created_at)


def _create_process(text: content.ProcessText) -> Process:
    return create_process(slug=text.slug, title=text.title, summary=text.summary,
                          intro_md=text.intro_md, contact=text.contact, is_public=True)


def _assen(text: content.ProcessText, organisations: dict[str, Organisation],
           moderator: User) -> None:
    now = utcnow().replace(second=0, microsecond=0)
    process = _create_process(text)
    input_round = add_round(process, kind=RoundKind.input, opens_at=now - timedelta(days=70),
                            closes_at=now - timedelta(days=30), moderation=ModerationMode.post,
                            audience=Audience.registered)
    add_round(process, kind=RoundKind.feedback, opens_at=now - timedelta(days=7),
              closes_at=now + timedelta(days=21), moderation=ModerationMode.post,
              audience=Audience.invited)
    themes = {title: add_theme(process, title=title, description=description)
              for title, description in text.themes}
    for item in content.contributions(ASSEN):
        organisation = organisations[item.organisation] if item.organisation else None
        if item.offline_source:
            # Given on paper, by mail or at a meeting: the team typed it in, it has no author.
            author, entered_by = None, moderator
        else:
            author, entered_by = _stakeholder(item.resident or item.organisation, organisation), None
        db.session.add(_contribution(
            input_round, themes[item.theme], item.title, item.body_md,
            input_round.opens_at + timedelta(days=item.days_after_opening), author=author,
            organisation=organisation, individual=item.resident,
            offline_source=item.offline_source, entered_by=entered_by))


def _assen_draft(process: Process, organisations: dict[str, Organisation],
                 moderator: User) -> None:
    """Version 1 of the draft agenda, published, with threaded comments from the stakeholders."""
    version = add_version(process, parse_markdown(content.draft(ASSEN, 1)), source_kind="markdown",
                          source_name="concept-economische-agenda.md", by=moderator)
    publish(version, {s.id: None for s in version.sections}, by=moderator)
    version.published_at = utcnow() - timedelta(days=7)
    sections = {s.number: s for s in version.sections}
    feedback_round = process.round_of(RoundKind.feedback)
    made: dict[str, Comment] = {}
    for item in content.comments(ASSEN):
        section = sections[item.section]
        parent = made[item.reply_to] if item.reply_to else None
        organisation = organisations[item.organisation] if item.organisation else None
        if item.by_team:
            author = moderator
        else:
            author = _stakeholder(item.organisation or f"Inwoner {item.key}", organisation)
        db.session.flush()
        moment = version.published_at + timedelta(hours=item.hours_after_publication)
        comment = Comment(
            round_id=feedback_round.id, lineage_id=section.lineage_id, section_id=section.id,
            **Comment.place_under(parent), author_id=author.id,
            organisation_id=organisation.id if organisation else None,
            organisation_name=organisation.name if organisation else None,
            organisation_kind=organisation.kind if organisation else None,
            by_team=item.by_team, body_md=item.body_md, body_html=markdown_to_html(item.body_md),
            state=ModerationState.published, submission_key=uuid.uuid4().hex, created_at=moment,
            updated_at=moment)
        db.session.add(comment)
        db.session.flush()
        made[item.key] = comment


def _small(text: content.ProcessText) -> None:
    now = utcnow().replace(second=0, microsecond=0)
    process = _create_process(text)
    add_round(process, kind=RoundKind.input, opens_at=now - timedelta(days=3),
              closes_at=now + timedelta(days=30), moderation=ModerationMode.post,
              audience=Audience.registered)
    add_round(process, kind=RoundKind.feedback, opens_at=now + timedelta(days=45),
              closes_at=now + timedelta(days=75), moderation=ModerationMode.post,
              audience=Audience.invited)
    for title, description in text.themes:
        add_theme(process, title=title, description=description)
