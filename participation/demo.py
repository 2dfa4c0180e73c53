"""Demo data for `flask --app participation demo` and `make run`. Running it twice changes nothing.

The Assen process has a closed round 1 with input from a dozen organisations and an open
round 2; a second, small process has its round 1 open, so a visitor can try it at once.
The texts are in demo_content.py.
"""
from __future__ import annotations

import re
import secrets
import uuid
from datetime import timedelta

import sqlalchemy as sa

from . import demo_content as content
from .accounts.models import (DecisionBasis, Membership, Organisation, OrganisationKind, User,
                              VerificationState, name_key)
from .accounts.passwords import hash_password
from .accounts.services import create_user
from .core.roles import Role
from .contributions.models import Contribution
from .core.extensions import db
from .core.mixins import ModerationState
from .processes.models import Audience, ModerationMode, Process, RoundKind
from .processes.services import add_round, add_theme, create_process
from .core.sanitize import markdown_to_html
from .core.timeutil import utcnow

DEMO_ADMIN_EMAIL = "admin@assen.example"
DEMO_MODERATOR_EMAIL = "projectteam@assen.example"


def load_demo(admin_password: str) -> tuple[str, str] | None:
    """Create what is missing. Returns the admin's credentials when the admin was created now."""
    organisations = _organisations()
    created = None
    if _user(DEMO_ADMIN_EMAIL) is None:
        create_user(DEMO_ADMIN_EMAIL, admin_password, Role.admin, name="Demo beheerder")
        created = (DEMO_ADMIN_EMAIL, admin_password)
    moderator = _user(DEMO_MODERATOR_EMAIL) or create_user(
        DEMO_MODERATOR_EMAIL, secrets.token_urlsafe(24), Role.moderator, name="Projectteam EZ")
    if _process(content.ASSEN_PROCESS["slug"]) is None:
        _assen(organisations, moderator)
        _assen_draft(_process(content.ASSEN_PROCESS["slug"]), organisations, moderator)
    if _process(content.SMALL_PROCESS["slug"]) is None:
        _small()
    _pending(organisations)
    db.session.flush()
    return created


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _process(slug: str) -> Process | None:
    return db.session.scalar(sa.select(Process).where(Process.slug == slug))


def _organisations() -> dict[str, Organisation]:
    existing = {o.name_key: o for o in db.session.scalars(sa.select(Organisation))}
    found = {}
    for name, kind, sector in content.ORGANISATIONS:
        organisation = existing.get(name_key(name))
        if organisation is None:
            # Known to the team: confirmed, as every organisation was before memberships were
            # checked (migration 0007).
            organisation = Organisation(name=name, name_key=name_key(name),
                                        kind=OrganisationKind(kind), sector=sector,
                                        state=VerificationState.verified, decided_at=utcnow())
            db.session.add(organisation)
        found[name] = organisation
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


def _pending(organisations: dict[str, Organisation]) -> None:
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

    for org_name, kind, sector, name, email, role, kvk in content.PENDING_NEW_ORGANISATIONS:
        organisation = db.session.scalar(sa.select(Organisation).where(
            Organisation.name_key == name_key(org_name)))
        if organisation is None:
            organisation = Organisation(name=org_name, name_key=name_key(org_name),
                                        kind=OrganisationKind(kind), sector=sector)
            db.session.add(organisation)
        person(name, email, organisation, role, kvk, True)
    for org_name, name, email, role, kvk in content.PENDING_MEMBERS:
        person(name, email, organisations[org_name], role, kvk, False)


def _contribution(round_, theme, title, body_md, created_at, *, author=None, organisation=None,
                  individual=None, offline_source=None, entered_by=None) -> Contribution:
    return Contribution(
        round=round_, theme=theme, author=author, organisation=organisation,
        organisation_name=organisation.name if organisation else individual,
        organisation_kind=organisation.kind if organisation else None,
        title=title, body_md=body_md, body_html=markdown_to_html(body_md),
        state=ModerationState.published, offline_source=offline_source, entered_by=entered_by,
        submission_key=uuid.uuid4().hex, created_at=created_at, updated_at=created_at)


def _assen(organisations: dict[str, Organisation], moderator: User) -> None:
    now = utcnow().replace(second=0, microsecond=0)
    process = create_process(**content.ASSEN_PROCESS, is_public=True)
    input_round = add_round(process, kind=RoundKind.input, opens_at=now - timedelta(days=70),
                            closes_at=now - timedelta(days=30), moderation=ModerationMode.post,
                            audience=Audience.registered)
    add_round(process, kind=RoundKind.feedback, opens_at=now - timedelta(days=7),
              closes_at=now + timedelta(days=21), moderation=ModerationMode.post,
              audience=Audience.invited)
    themes = [add_theme(process, title=t, description=d) for t, d in content.ASSEN_THEMES]
    start = input_round.opens_at
    for n, (org_name, theme_index, title, body) in enumerate(content.CONTRIBUTIONS):
        organisation = organisations[org_name]
        db.session.add(_contribution(
            input_round, themes[theme_index], title, body, start + timedelta(days=1 + n * 1.5),
            author=_stakeholder(org_name, organisation), organisation=organisation))
    for n, (person, theme_index, title, body) in enumerate(content.INDIVIDUAL_CONTRIBUTIONS):
        db.session.add(_contribution(
            input_round, themes[theme_index], title, body, start + timedelta(days=5 + n * 9),
            author=_stakeholder(person, None), individual=person))
    for n, (org_name, theme_index, title, body, source) in enumerate(
            content.OFFLINE_CONTRIBUTIONS):
        db.session.add(_contribution(
            input_round, themes[theme_index], title, body, start + timedelta(days=20 + n * 10),
            organisation=organisations[org_name], offline_source=source, entered_by=moderator))


def _assen_draft(process: Process, organisations: dict[str, Organisation],
                 moderator: User) -> None:
    """Version 1 of the draft agenda, published, with threaded comments from the stakeholders."""
    from . import demo_draft_content as draft
    from .comments.models import Comment
    from .drafts.parsing import parse_markdown
    from .drafts.services import add_version, publish

    version = add_version(process, parse_markdown(draft.DRAFT_V1_MD), source_kind="markdown",
                          source_name="concept-economische-agenda.md", by=moderator)
    publish(version, {s.id: None for s in version.sections}, by=moderator)
    version.published_at = utcnow() - timedelta(days=7)
    sections = {s.number: s for s in version.sections}
    feedback_round = process.round_of(RoundKind.feedback)
    made: dict[str, Comment] = {}
    start = version.published_at
    items = [(key, number, parent, org, body, False) for key, number, parent, org, body
             in draft.DEMO_COMMENTS]
    items += [(key, number, parent, None, body, True) for key, number, parent, body
              in draft.TEAM_REPLIES]
    for n, (key, number, parent_key, org_name, body, by_team) in enumerate(items):
        section = sections[number]
        parent = made.get(parent_key) if parent_key else None
        organisation = organisations.get(org_name) if org_name else None
        if by_team:
            author = moderator
        else:
            author = _stakeholder(org_name or f"Inwoner {key}", organisation)
        db.session.flush()
        moment = start + timedelta(hours=3 + n * 5)
        comment = Comment(
            round_id=feedback_round.id, lineage_id=section.lineage_id, section_id=section.id,
            parent_id=parent.id if parent else None, depth=parent.depth + 1 if parent else 0,
            author_id=author.id, organisation_id=organisation.id if organisation else None,
            organisation_name=organisation.name if organisation else None,
            organisation_kind=organisation.kind if organisation else None, by_team=by_team,
            body_md=body, body_html=markdown_to_html(body), state=ModerationState.published,
            submission_key=uuid.uuid4().hex, created_at=moment, updated_at=moment)
        db.session.add(comment)
        db.session.flush()
        made[key] = comment


def _small() -> None:
    now = utcnow().replace(second=0, microsecond=0)
    process = create_process(**content.SMALL_PROCESS, is_public=True)
    add_round(process, kind=RoundKind.input, opens_at=now - timedelta(days=3),
              closes_at=now + timedelta(days=30), moderation=ModerationMode.post,
              audience=Audience.registered)
    add_round(process, kind=RoundKind.feedback, opens_at=now + timedelta(days=45),
              closes_at=now + timedelta(days=75), moderation=ModerationMode.post,
              audience=Audience.invited)
    for title, description in content.SMALL_THEMES:
        add_theme(process, title=title, description=description)
