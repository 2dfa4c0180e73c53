"""Changing or taking back what one wrote in a round (input, a reaction): the steps every such
page takes before it handles its form."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, request
from flask_login import current_user

from ..core.extensions import login_manager
from .rules import Refusal

T = TypeVar("T")


def own_item(load: Callable[..., T], write_refusal: Callable[[object, T], Refusal | None], *,
             taking_back: bool = False) -> tuple[T, Refusal | None]:
    """The item an edit or withdraw page is about, and why the person may not change it now
    (None: they may).

    `load(lock=...)` returns the item or aborts with 404 (missing, or not theirs to see); a POST
    locks its row until the commit (participation.core.conflicts.for_change). `write_refusal`
    is the item's write rule. The page is not shown to a visitor (the login page) or, on a GET,
    to anyone but the author (403); a POST keeps the text and its form shows the refusal. Taking
    something back never waits for agreeing to a new privacy statement, and a visitor's goes to
    the login page on a POST too (there is no text to keep).
    """
    item = load(lock=request.method == "POST")
    refusal = write_refusal(current_user, item)
    if taking_back and refusal is Refusal.consent:
        refusal = None
    if refusal is Refusal.login and (taking_back or request.method == "GET"):
        abort(login_manager.unauthorized())
    if refusal is Refusal.not_author and request.method == "GET":
        abort(403)
    return item, refusal
