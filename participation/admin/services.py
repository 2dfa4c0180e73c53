"""Roles and process set-up: the rules, the changes and their audit trail."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..accounts.login_limits import BY_NAME, LOGIN_LIMITS
from ..accounts.models import User
from ..core.roles import Role
from ..audit.services import record
from ..core.conflicts import check_version, for_change
from ..core.extensions import db
from ..core.paging import paginate_within
from ..core.integers import db_int_or_none
from ..core.search import escape_like
from ..processes.models import Audience, ModerationMode, Process, Round, RoundKind
from ..processes.services import add_round, create_process
from ..core.limiter import Lock
from ..core.sanitize import markdown_to_html, plain_text
from .rules import can_change_role

log = logging.getLogger(__name__)

PAGE_SIZE = 50


# --- roles --------------------------------------------------------------------------------

@dataclass
class UserPage:
    users: list[User]
    total: int
    page: int
    pages: int


def user_page(query: str = "", page: int = 1) -> UserPage:
    """One page of people by name, searched on name or e-mail: two queries, whatever the size.
    Deleted accounts (emptied rows kept for their items) are nobody to manage."""
    stmt = sa.select(User).where(User.deleted_at.is_(None))
    query = " ".join(query.split())
    if query:
        pattern = f"%{escape_like(query.lower())}%"
        stmt = stmt.where(sa.or_(sa.func.lower(User.name).like(pattern, escape="\\"),
                                 User.email.like(pattern, escape="\\")))
    listing = paginate_within(stmt.options(joinedload(User.organisation))
                              .order_by(sa.func.lower(User.name), User.id), page, PAGE_SIZE)
    return UserPage(listing.items, listing.total, listing.page, max(1, listing.pages))


def admin_ids(*, lock: bool = False) -> list[int]:
    """The admins' ids; `lock` holds their rows until the commit, so that two admins who take
    the role from each other at the same moment cannot leave the site without one."""
    stmt = sa.select(User.id).where(User.role == Role.admin).order_by(User.id)
    if lock:
        stmt = stmt.with_for_update()
    return list(db.session.scalars(stmt))


class RoleChangeRefused(Exception):
    """The change would leave the site without an admin (or the actor is no admin)."""


class RoleConflict(Exception):
    """Another admin changed the person's role after the page was made; `.current` is it now."""

    def __init__(self, current: Role):
        super().__init__(current.value)
        self.current = current


def change_role(target: User, new_role: Role, *, actor: User,
                role_was: str | None = None) -> bool:
    """Give `target` `new_role` and record it. False when they already had it.

    `role_was` is the role the page showed (a Role's value): when the person has another role
    now, someone changed it meanwhile and RoleConflict says to which; nothing changes. None:
    not from a page, nothing to hold the change to.
    """
    admins = admin_ids(lock=True)
    # The person's row too, after the admins' (always in this order: two changes at once wait
    # for each other instead of each holding what the other needs): their role as it is now.
    db.session.scalar(for_change(sa.select(User).where(User.id == target.id)))
    # The locked list, not the actor's role as loaded with the request, says who is admin now.
    if actor.id not in admins or not can_change_role(actor, target, new_role, len(admins)):
        raise RoleChangeRefused
    old_role = target.role
    if old_role is new_role:
        return False
    if role_was is not None and role_was != old_role.value:
        raise RoleConflict(old_role)
    target.role = new_role
    record("role.change", actor=actor, target_type="user", target_id=target.id,
           before={"role": old_role}, after={"role": new_role})
    db.session.flush()
    log.info("user %s: role %s -> %s by user %s", target.id, old_role.value, new_role.value,
             actor.id)
    return True


# --- login locks --------------------------------------------------------------------------

@dataclass(frozen=True)
class LoginLock:
    """A login lock as the team reads it: whose it is, what was counted, how long it lasts."""
    limit: str
    subject: str
    #: "account" or "address".
    kind: str
    #: The account's e-mail address, the client's address, or the hash of an e-mail address
    #: that has no account.
    who: str
    user: User | None
    count: int
    seconds_left: int

    def audit_values(self) -> dict:
        # An account is the event's target; its e-mail address is not copied into the trail.
        values = {"limit": self.limit, "attempts": self.count, "seconds_left": self.seconds_left}
        if self.user is None:
            values["address" if self.kind == "address" else "account_hash"] = self.who
        return values


def _user_id(subject: str) -> int | None:
    kind, _, value = subject.partition(":")
    return db_int_or_none(value) if kind == "user" else None


def _described(locks: list[Lock]) -> list[LoginLock]:
    """The locks with their accounts, in one query whatever their number."""
    ids = {_user_id(lock.subject) for lock in locks} - {None}
    users = {user.id: user for user in db.session.scalars(
        sa.select(User).where(User.id.in_(ids)))} if ids else {}
    described = []
    for lock in locks:
        kind, _, value = lock.subject.partition(":")
        user = users.get(_user_id(lock.subject))
        if kind == "addr":
            who, kind = value, "address"
        elif user is not None and user.deleted_at is None:
            who, kind = user.email, "account"
        else:  # an e-mail address without an account (hashed), or a deleted account
            who, kind, user = lock.subject, "account", None
        described.append(LoginLock(lock.limit, lock.subject, kind, who, user, lock.count,
                                   lock.seconds_left))
    return described


def login_locks() -> list[LoginLock]:
    """Every login lock now: per account first, then per address; the longest wait first.
    Raises LocksNotListable or LimitStorageUnavailable (participation.core.limiter)."""
    return _described([lock for limit in LOGIN_LIMITS for lock in limit.locks()])


def lift_login_lock(limit_name: str, subject: str, *, actor: User) -> LoginLock | None:
    """Let `subject` log in again at once, recorded; None when there was no lock (any more)."""
    lifted = BY_NAME[limit_name].lift(subject)
    if lifted is None:
        return None
    lock = _described([lifted])[0]
    record("ratelimit.lift", actor=actor, target_type="user" if lock.user else "login_lock",
           target_id=lock.user.id if lock.user else None, before=lock.audit_values(),
           after={**lock.audit_values(), "attempts": 0, "seconds_left": 0})
    db.session.flush()
    log.info("login lock %s of %s lifted by user %s", limit_name, subject, actor.id)
    return lock


# --- processes and rounds -----------------------------------------------------------------

def slug_taken(slug: str) -> bool:
    return db.session.scalar(sa.select(Process.id).where(Process.slug == slug)) is not None


def _round_values(round_: Round) -> dict:
    return {"opens_at": round_.opens_at, "closes_at": round_.closes_at,
            "moderation": round_.moderation, "audience": round_.audience}


def _same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise ValueError("a round must close after it opens")


def create_process_with_rounds(*, actor: User, slug: str, title: str, summary: str,
                               intro_md: str, contact: str, is_public: bool,
                               input_window: tuple[datetime, datetime],
                               feedback_window: tuple[datetime, datetime]) -> Process:
    """A new process with its input and feedback rounds (times in naive UTC), recorded.

    Both rounds start with moderation afterwards and every registered person as audience; the
    team sets them per round. Flushes only: the caller commits process and rounds together.
    """
    for window in (input_window, feedback_window):
        _check_window(*window)
    process = create_process(slug=slug, title=title, summary=summary, intro_md=intro_md,
                             contact=contact, is_public=is_public)
    rounds = [add_round(process, kind=kind, opens_at=opens, closes_at=closes,
                        moderation=ModerationMode.post, audience=Audience.registered)
              for kind, (opens, closes) in ((RoundKind.input, input_window),
                                            (RoundKind.feedback, feedback_window))]
    record("process.create", actor=actor, target_type="process", target_id=process.id,
           process_id=process.id,
           after={"slug": process.slug, "title": process.title, "is_public": process.is_public,
                  "rounds": {r.kind.value: _round_values(r) for r in rounds}})
    log.info("process %s (%s) created by user %s", process.id, process.slug, actor.id)
    return process


def edit_process(process: Process, *, actor: User, title: str, summary: str, intro_md: str,
                 contact: str, is_public: bool, seen_version: int | None = None) -> bool:
    """Save the process's texts and visibility; record what changed. False when nothing did.
    From a form made from an older version: EditConflict (participation.core.conflicts)."""
    wanted = {"title": plain_text(title), "summary": plain_text(summary), "intro_md": intro_md,
              "contact": plain_text(contact), "is_public": is_public}
    before = {name: getattr(process, name) for name, value in wanted.items()
              if getattr(process, name) != value}
    after = {name: wanted[name] for name in before}
    if not after:
        return False
    check_version(process, seen_version)
    for name, value in after.items():
        setattr(process, name, value)
    process.raise_version()
    if "intro_md" in after:
        process.intro_html = markdown_to_html(intro_md)
    record("process.edit", actor=actor, target_type="process", target_id=process.id,
           process_id=process.id, before=before, after=after)
    db.session.flush()
    log.info("process %s edited by user %s: %s", process.id, actor.id, sorted(after))
    return True


def change_round(round_: Round, *, actor: User, opens_at: datetime, closes_at: datetime,
                 moderation: ModerationMode, audience: Audience,
                 seen_version: int | None = None) -> bool:
    """Set a round's window (naive UTC), moderation and audience; record what changed.
    From a form made from an older version: EditConflict (participation.core.conflicts)."""
    current = _round_values(round_)
    # The form shows whole minutes: a moment left as shown keeps its stored seconds.
    opens_at, closes_at = (current[name] if _same_minute(current[name], value) else value
                           for name, value in (("opens_at", opens_at), ("closes_at", closes_at)))
    _check_window(opens_at, closes_at)
    wanted = {"opens_at": opens_at, "closes_at": closes_at, "moderation": moderation,
              "audience": audience}
    before = {k: current[k] for k in wanted if current[k] != wanted[k]}
    if not before:
        return False
    check_version(round_, seen_version)
    after = {k: wanted[k] for k in before}
    for name, value in after.items():
        setattr(round_, name, value)
    round_.raise_version()
    record("round.change", actor=actor, target_type="round", target_id=round_.id,
           process_id=round_.process_id, before=before, after=after)
    db.session.flush()
    log.info("round %s changed by user %s: %s", round_.id, actor.id, sorted(after))
    return True
