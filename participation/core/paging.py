"""Long lists a page at a time: Flask-SQLAlchemy's db.paginate, the page kept within the list."""
from __future__ import annotations

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import lazyload

from .extensions import db


def paginate_within(stmt: sa.Select, page: int, per_page: int,
                    total: int | None = None) -> Pagination:
    """`db.paginate` of `stmt` at `page`, brought within 1 to the last page first: a link to
    page 9 of a list that has shrunk since, or a search that finds fewer, shows the last page
    rather than an empty one. Two queries, as db.paginate makes, with the count first, counted
    as db.paginate counts (without eager loads and order); one when the caller knows `total`
    already (from counts it shows anyway)."""
    if total is None:
        counted = stmt.options(lazyload("*")).order_by(None).subquery()
        total = db.session.scalar(sa.select(sa.func.count()).select_from(counted))
    last = max(1, -(-total // per_page))
    listing = db.paginate(stmt, page=min(max(page, 1), last), per_page=per_page,
                          error_out=False, count=False)
    listing.total = total
    return listing
