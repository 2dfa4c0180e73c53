"""A participant's score of how a round went, with an optional remark."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.extensions import db
from ..core.timeutil import utcnow
from ..processes.models import Round

#: The scale, as Dutch school marks: 1 (very poor) to 10 (excellent).
LOWEST, HIGHEST = 1, 10


class Rating(db.Model):
    """Once per person per round: the unique key refuses a second one, also from two tabs."""
    __tablename__ = "process_rating"
    __table_args__ = (sa.UniqueConstraint("round_id", "user_id"),
                      sa.CheckConstraint(f"score BETWEEN {LOWEST} AND {HIGHEST}",
                                         name="score_range"))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    score: Mapped[int]
    #: Plain text, cleaned with bleach on save (no markup kept); shown escaped.
    remark: Mapped[str] = mapped_column(sa.String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    round: Mapped[Round] = relationship()
    user: Mapped[User] = relationship()
