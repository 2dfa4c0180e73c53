"""Two people changing one thing at once: the version a form was made from, the refusal of a save
from an older one, and what the form shows then (the `conflict_notice` macro, macros/form.html).

An edit form carries the version of the row it was made from (VersionField). The service checks
it against the row (check_version) and raises the version when it changes the text or settings
(VersionedMixin.raise_version); between loading and saving, the database refuses an UPDATE of a
row whose version moved on (StaleDataError, PostgreSQL lets two saves get that far). Either way
nothing is overwritten: the person gets the form back with their own text, the newer one beside
it, and the newer version in the form, so that sending it again replaces the newer text knowingly.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

from .integers import db_int_or_none

#: No row has this version: what a form sent without a (readable) version counts as made from,
#: so that its save is answered as a conflict rather than saved over whatever is there now.
UNKNOWN = -1

MESSAGE = _l("Someone else (or you, in another tab) saved a change here after you opened this "
             "form. Nothing has been overwritten: your text is kept in the form, and the text as "
             "it is now is shown above it. Compare them; to replace it with yours, send the form "
             "again.")


class EditConflict(Exception):
    """A save from a form made from another version than the row's; `.current` is the row."""

    def __init__(self, current):
        super().__init__(getattr(current, "id", None))
        self.current = current


#: What a save meets when someone else saved first: the service's check of the form's version,
#: or the database's refusal of the UPDATE (the row changed after this request loaded it).
CONFLICTS = (EditConflict, StaleDataError)


def check_version(row, seen: int | None) -> None:
    """Refuse (EditConflict) a change made from a form of another version than `row`'s.

    `seen` None: the change does not come from a form (a command, the demo, a test's set-up),
    so there is no version to hold it to."""
    if seen is not None and seen != row.version:
        raise EditConflict(row)


class VersionField(HiddenField):
    """The version of the row the form was made from; 0 when there was no row yet (a first
    response). Missing or unreadable (a page from before versions, a hand-made post): UNKNOWN."""

    def process_formdata(self, valuelist):
        value = db_int_or_none(valuelist[0]) if valuelist else None
        self.data = UNKNOWN if value is None else value


@dataclass
class Conflict:
    """The version someone else saved, as the conflict notice shows it beside the form."""
    #: (label, text) per field, as typed (Markdown is shown as written, not rendered).
    fields: list[tuple[str, str]] = field(default_factory=list)
    saved_at: datetime | None = None


def answer(form, version: int, fields: list[tuple[str, str]],
           saved_at: datetime | None = None) -> Conflict:
    """Turn `form` into the conflict answer: the message in its error summary and the newer
    `version` in its version field; the person's own values stay in the form as sent."""
    form.form_errors.append(MESSAGE)
    form.version.data = version
    return Conflict(fields, saved_at)


def for_change(stmt, *of):
    """`stmt` for rows about to be changed: on PostgreSQL they stay locked until the commit
    (FOR NO KEY UPDATE, which still lets rows that refer to them be added), so a second writer
    waits and then reads what the first saved; objects already loaded are brought up to date.

    Without it, a change that does not raise the version (approving, withdrawing) would meet an
    edit that did, saved between its loading and its saving, as a StaleDataError. On SQLite a
    writing request holds the database's write lock from its start, or from such a read at
    the latest (participation.core.write_lock, which reads the `for_change` option), and
    SQLite has no such clause: none is added."""
    return (stmt.with_for_update(of=list(of) or None, key_share=True)
            .execution_options(populate_existing=True, for_change=True))
