"""Whole numbers from outside (URL paths, query strings, form fields) kept to what the database's
integer columns hold, before they reach a query: out of range is "not found" or "not given",
never a 500 (OverflowError in SQLite's driver, "integer out of range" from PostgreSQL)."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

#: The largest value of the narrowest integer column: every id and number column is sa.Integer
#: (migrations/versions), which is 32-bit on PostgreSQL (SQLite's are 64-bit).
INT_MAX = 2**31 - 1


def db_int(value: str | int) -> int:
    """`value` as a whole number from 0 to INT_MAX, else ValueError.

    Made for the two places that turn outside text into numbers: ``request.args.get(name,
    default, type=db_int)`` (Werkzeug gives the default on ValueError) and WTForms'
    ``coerce=db_int`` (the field shows its "could not coerce" error). 0 is allowed because
    select fields use it for "none chosen"; no row has id 0, so a query finds nothing.
    """
    number = int(value)  # "1.5", "abc", "²" and numbers of over 4,300 digits: ValueError
    if not 0 <= number <= INT_MAX:
        raise ValueError(f"{number} is outside 0..{INT_MAX}")
    return number


def db_int_or_blank(value: str | int | None) -> int | None:
    """`value` as in db_int, or None for a blank one: a required select's placeholder option
    has value="" (HTML requires that of its first option), and None is "none chosen"."""
    if value is None or value == "":
        return None
    return db_int(value)


def db_int_or_none(value: str | int | None) -> int | None:
    """`value` as in db_int, or None where db_int refuses it (for ids inside posted values)."""
    try:
        return db_int(value)
    except (TypeError, ValueError):
        return None


class IdConverter(IntegerConverter):
    """Werkzeug's ``int`` converter, bounded to the ids a row can have (1..INT_MAX): a path such
    as /p/x/input/9223372036854775808 matches no route, which is a 404."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1,  # noqa: A002
                 max: int | None = INT_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


def register(app: Flask) -> None:
    """Every ``<int:...>`` in a route is an IdConverter; call before the blueprints are added."""
    app.url_map.converters["int"] = IdConverter
