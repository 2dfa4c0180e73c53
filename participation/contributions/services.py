"""Round-1 input: submit, edit, withdraw, record offline input, and list what may be read.

Functions flush, callers commit. Rules (window, audience, authorship) are checked by the
callers (participation.contributions.rules) and again here where a mistake would write data.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload, undefer

from ..core import uploads
from ..accounts.models import Organisation, OrganisationKind, User
from ..core.conflicts import check_version, for_change
from ..core.extensions import db
from ..core.mixins import ModerationState
from ..core.search import escape_like
from ..processes.models import ModerationMode, Process, Round, RoundKind, Theme
from ..core.sanitize import markdown_to_html, plain_text
from ..core.timeutil import utcnow
from .models import Attachment, Contribution, ContributionRevision, ThemeTally

log = logging.getLogger(__name__)

PAGE_SIZE = 20


def find_by_submission_key(key: str) -> Contribution | None:
    return db.session.scalar(sa.select(Contribution).where(Contribution.submission_key == key))


def _attach(contribution: Contribution, pdf: uploads.CheckedPdf | None) -> None:
    """Store the paper, to appear with the caller's commit (uploads.store); a paper it
    replaces is deleted from disk once that commit is done. Raises uploads.StorageFailed."""
    if pdf is None:
        return
    stored_name = uploads.store(pdf)
    if contribution.attachment is not None:
        _detach(contribution)
        db.session.flush()
    contribution.attachment = Attachment(stored_name=stored_name,
                                         original_name=pdf.original_name, size=len(pdf.data),
                                         pages=pdf.pages, sha256=pdf.sha256)


def _detach(contribution: Contribution) -> None:
    uploads.discard_after_commit(contribution.attachment.stored_name)
    db.session.delete(contribution.attachment)


def submit(*, author: User, round_: Round, theme: Theme, title: str, body_md: str,
           submission_key: str, pdf: uploads.CheckedPdf | None = None) -> Contribution:
    """A stakeholder's input on a theme, attributed to their organisation as it is now. A second
    send of the same form is refused by the unique `submission_key` (the view saves through
    participation.core.submissions.save_once)."""
    if round_.kind is not RoundKind.input or theme.process_id != round_.process_id:
        raise ValueError("theme and round do not belong together")
    organisation = author.organisation
    contribution = Contribution(
        round=round_, theme=theme, author=author, organisation=organisation,
        organisation_name=organisation.name if organisation else None,
        organisation_kind=organisation.kind if organisation else None,
        title=plain_text(title), body_md=body_md, body_html=markdown_to_html(body_md),
        state=(ModerationState.pending if round_.moderation is ModerationMode.pre
               else ModerationState.published),
        submission_key=submission_key)
    db.session.add(contribution)
    # The same form saved at this moment by another process (a double click answered by two
    # workers) fails this flush with an IntegrityError: the caller's rollback removes this
    # copy of the file, the other one's is kept.
    _attach(contribution, pdf)
    db.session.flush()
    log.info("user %s gave input %s on theme %s", author.id, contribution.id, theme.id)
    return contribution


def offline_contribution(*, entered_by: User | None, round_: Round, theme: Theme,
                         organisation: Organisation | None, individual_name: str, source: str,
                         title: str, body_md: str, submission_key: str,
                         kind: OrganisationKind | None = None,
                         received_at: datetime | None = None,
                         body_html: str | None = None) -> Contribution:
    """Input received by e-mail or at a meeting, entered by the team on the sender's behalf
    (`entered_by` None: from the command line); not yet added to the session (an import adds
    thousands in one flush).

    It is published at once (the team has read it) and carries its source everywhere. Without
    an `organisation`, `individual_name` names the person; with a `kind` too, it names an
    organisation the site has no account of, and the input is listed under that name (the team
    vouches for it, participation.accounts.models.listed_under_organisation). `received_at`:
    when it reached the team, if not now. `body_html`: markdown_to_html(body_md), when the
    caller made it already (an import does, before it holds the database).
    """
    contribution = Contribution(
        round=round_, theme=theme, author=None, organisation=organisation,
        organisation_name=organisation.name if organisation else plain_text(individual_name),
        organisation_kind=organisation.kind if organisation else kind,
        title=plain_text(title), body_md=body_md,
        body_html=body_html if body_html is not None else markdown_to_html(body_md),
        state=ModerationState.published, offline_source=plain_text(source),
        entered_by=entered_by, submission_key=submission_key)
    if received_at is not None:
        contribution.created_at = contribution.updated_at = received_at
    return contribution


def record_offline(*, entered_by: User | None, round_: Round, theme: Theme,
                   organisation: Organisation | None, individual_name: str, source: str,
                   title: str, body_md: str, submission_key: str,
                   pdf: uploads.CheckedPdf | None = None) -> Contribution:
    """One contribution received offline (offline_contribution), with its paper, saved."""
    contribution = offline_contribution(
        entered_by=entered_by, round_=round_, theme=theme, organisation=organisation,
        individual_name=individual_name, source=source, title=title, body_md=body_md,
        submission_key=submission_key)
    db.session.add(contribution)
    _attach(contribution, pdf)
    db.session.flush()
    log.info("user %s recorded offline input %s", getattr(entered_by, "id", None),
             contribution.id)
    return contribution


def edit(contribution: Contribution, *, editor: User, title: str, body_md: str,
         pdf: uploads.CheckedPdf | None = None, remove_pdf: bool = False,
         seen_version: int | None = None) -> bool:
    """Change the text; the previous version is kept as a revision.

    `seen_version` is the version the edit form was made from: from an older one the change is
    refused (EditConflict, participation.core.conflicts). The same text sent again (a double click on
    Save, a form sent twice) changes nothing and is no conflict: False.
    """
    title = plain_text(title)
    removes_pdf = remove_pdf and pdf is None and contribution.attachment is not None
    if (title == contribution.title and body_md == contribution.body_md and pdf is None
            and not removes_pdf):
        return False
    check_version(contribution, seen_version)
    db.session.add(ContributionRevision(
        contribution=contribution, title=contribution.title, body_md=contribution.body_md,
        body_html=contribution.body_html, written_at=contribution.updated_at,
        replaced_by_id=editor.id))
    contribution.title = title
    contribution.body_md = body_md
    contribution.body_html = markdown_to_html(body_md)
    contribution.updated_at = utcnow()
    contribution.raise_version()
    if removes_pdf:
        _detach(contribution)
    _attach(contribution, pdf)
    # Under pre-moderation a changed text is read again by the team before it is shown.
    if (contribution.round.moderation is ModerationMode.pre
            and contribution.state is ModerationState.published):
        contribution.state = ModerationState.pending
    db.session.flush()
    log.info("user %s edited input %s", editor.id, contribution.id)
    return True


def withdraw(contribution: Contribution, *, by: User) -> None:
    contribution.state = ModerationState.withdrawn
    contribution.withdrawn_at = utcnow()
    db.session.flush()
    log.info("user %s withdrew input %s", by.id, contribution.id)


@dataclass(frozen=True)
class ReadingFilter:
    theme_id: int | None = None
    kind: OrganisationKind | None = None
    #: "individual" selects input from people without an organisation.
    individuals: bool = False
    query: str = ""
    page: int = 1


def published_in(round_: Round, flt: ReadingFilter):
    """The statement for published input in a round, filtered; not yet ordered or paged."""
    stmt = sa.select(Contribution).where(Contribution.round_id == round_.id,
                                         Contribution.is_shown)
    if flt.theme_id:
        stmt = stmt.where(Contribution.theme_id == flt.theme_id)
    # By kind as the page shows them: input for an organisation whose author is not confirmed
    # as its member is a resident's.
    if flt.individuals:
        stmt = stmt.where(sa.not_(Contribution.listed_under_organisation))
    elif flt.kind is not None:
        stmt = stmt.where(Contribution.organisation_kind == flt.kind,
                          Contribution.listed_under_organisation)
    for word in flt.query.split()[:8]:
        pattern = f"%{escape_like(word.lower())}%"
        stmt = stmt.where(sa.or_(
            sa.func.lower(Contribution.title).like(pattern, escape="\\"),
            # the published text: a search must not find the words that were redacted
            sa.func.lower(Contribution.published_md).like(pattern, escape="\\"),
            sa.and_(sa.func.lower(sa.func.coalesce(Contribution.organisation_name, "")).like(
                pattern, escape="\\"), Contribution.listed_under_organisation)))
    return stmt


@dataclass(frozen=True, slots=True)
class Card:
    """What a contribution's card in a list shows (contributions/_item.html reads these names
    from a Contribution too): plain data from one row, not an object of the ORM."""
    id: int
    title: str
    organisation_name: str | None
    organisation_kind: OrganisationKind | None
    listed_under_organisation: bool
    theme: Theme
    created_at: datetime
    is_offline: bool
    attachment: bool


@dataclass
class ReadingPage:
    contributions: list[Card]
    total: int
    page: int
    pages: int
    counts_by_theme: dict[int, int]


#: Made once with the round as a parameter (as the cards' statements below).
_TALLY = (sa.select(ThemeTally.theme_id, ThemeTally.shown)
          .where(ThemeTally.round_id == sa.bindparam("round_id", type_=sa.Integer),
                 ThemeTally.shown > 0))


def shown_per_theme(round_: Round) -> dict[int, int]:
    """What everyone may read per theme of the round, from the tally the database keeps (one
    row per theme, not a count over every contribution)."""
    return dict(db.session.execute(_TALLY, {"round_id": round_.id}).all())


def _cards(filtered: sa.Select) -> sa.Select:
    """A page of `filtered` as the columns a card shows, as plain rows (twenty contributions as
    ORM objects, with their texts in two forms, were most of what the page read and made);
    its size and offset are the parameters `size` and `skip`."""
    return (filtered.with_only_columns(
                Contribution.id, Contribution.title, Contribution.organisation_name,
                Contribution.organisation_kind, Contribution.listed_under_organisation,
                Contribution.theme_id, Contribution.created_at, Contribution.offline_source,
                Attachment.id.label("attachment_id"))
            .outerjoin(Attachment, Attachment.contribution_id == Contribution.id)
            .order_by(Contribution.created_at.desc(), Contribution.id.desc())
            .limit(sa.bindparam("size", type_=sa.Integer))
            .offset(sa.bindparam("skip", type_=sa.Integer)))


@functools.cache
def _plain_cards(by_theme: bool) -> sa.Select:
    """The cards of a round, or of one theme of it, without other filters (how nearly every
    reader reads the list), made once with the round and the theme as parameters: building
    and hashing the statement for every page cost more than running it."""
    stmt = sa.select(Contribution).where(
        Contribution.round_id == sa.bindparam("round_id", type_=sa.Integer), Contribution.is_shown)
    if by_theme:
        stmt = stmt.where(Contribution.theme_id == sa.bindparam("theme_id", type_=sa.Integer))
    return _cards(stmt)


def reading_page(round_: Round, flt: ReadingFilter, themes: list[Theme]) -> ReadingPage:
    """One page of published input with the per-theme counts: a fixed number of queries.
    `themes`: the process's themes (loaded with it), which the cards name."""
    counts = shown_per_theme(round_)
    # Filtered by theme alone (or not at all), the list is what the counts per theme count:
    # its total is known without a statement of its own.
    if not (flt.kind or flt.individuals or flt.query.split()):
        total = counts.get(flt.theme_id, 0) if flt.theme_id else sum(counts.values())
        statement = _plain_cards(bool(flt.theme_id))
    else:
        filtered = published_in(round_, flt)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(filtered.subquery()))
        statement = _cards(filtered)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(flt.page, 1), pages)  # a page beyond a list that shrank: its last page
    rows = db.session.execute(statement, {"round_id": round_.id, "theme_id": flt.theme_id,
                                          "size": PAGE_SIZE,
                                          "skip": (page - 1) * PAGE_SIZE}).all()
    by_id = {theme.id: theme for theme in themes}
    cards = [Card(id=row.id, title=row.title, organisation_name=row.organisation_name,
                  organisation_kind=row.organisation_kind,
                  listed_under_organisation=bool(row.listed_under_organisation),
                  theme=by_id[row.theme_id], created_at=row.created_at,
                  is_offline=row.offline_source is not None,
                  attachment=row.attachment_id is not None) for row in rows]
    return ReadingPage(cards, total, page, pages, counts)


def own_contributions(user: User, round_: Round) -> list[Contribution]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(
        sa.select(Contribution).options(joinedload(Contribution.theme))
        .where(Contribution.round_id == round_.id, Contribution.author_id == user.id)
        .order_by(Contribution.created_at.desc())))


def load(process: Process, contribution_id: int, *, lock: bool = False) -> Contribution | None:
    """The contribution with what its pages show; `lock`: for a change (conflicts.for_change)."""
    stmt = (sa.select(Contribution)
            .options(joinedload(Contribution.theme), joinedload(Contribution.attachment),
                     joinedload(Contribution.round), selectinload(Contribution.revisions),
                     undefer(Contribution.listed_under_organisation))
            .join(Round, Contribution.round_id == Round.id)
            .where(Contribution.id == contribution_id, Round.process_id == process.id))
    return db.session.scalar(for_change(stmt, Contribution) if lock else stmt)
