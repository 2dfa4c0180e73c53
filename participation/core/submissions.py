"""A form saved once, however often it is sent: a double click, a reload that sends it again.

A form that creates something carries a random key per page (SubmissionKeyMixin,
participation.core.forms), stored on what it creates under a unique constraint. The view saves
through `save_once`, which answers a second send of the same page with DuplicateSubmission and
what the first send made, so the view shows that instead of a copy.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from .extensions import db

T = TypeVar("T")


class DuplicateSubmission(Exception):
    """This form was saved before; `.original` is what its first send made."""

    def __init__(self, original):
        super().__init__(getattr(original, "id", None))
        self.original = original


def save_once(save: Callable[[], T], *, find: Callable[[str], T | None], key: str,
              look_first: bool = True) -> T:
    """What `save()` made (it flushes; the view commits), or DuplicateSubmission when the form
    with this submission `key` was saved before: `find(key)` finds the first send's row, either
    already committed or, when two web processes answer a double click at the same moment, by
    the unique key that refuses the second row at the flush. Either way this send's changes are
    rolled back (a file it stored goes with them, participation.core.uploads).

    `look_first=False` leaves finding a second send to the unique key alone: one statement
    less for every save, for a save that is cheap to attempt (no file to store first).
    """
    original = find(key) if look_first else None
    if original is not None:
        db.session.rollback()
        raise DuplicateSubmission(original)
    try:
        return save()
    except IntegrityError:
        db.session.rollback()
        original = find(key)
        if original is None:
            raise
        raise DuplicateSubmission(original) from None
