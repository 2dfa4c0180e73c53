"""The findings of personal data in a contribution's or comment's text and the team's decision."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..comments.models import Comment
from ..contributions.models import Contribution
from ..core.extensions import db
from ..core.mixins import VersionedMixin
from ..core.timeutil import utcnow


class RedactionState(enum.Enum):
    #: Found, waiting for the team; the public already reads the suggested redaction (nothing
    #: found goes public unreviewed).
    suggested = "suggested"
    agreed = "agreed"  #: the team agreed (all or some findings redacted)
    dismissed = "dismissed"  #: the team found nothing to redact: the text is published as written


class Redaction(VersionedMixin, db.Model):
    """One per contribution or comment whose text has findings; rewritten when its author edits."""
    __tablename__ = "redaction"
    __table_args__ = (
        sa.CheckConstraint("(contribution_id IS NULL) <> (comment_id IS NULL)",
                           name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contribution.id"),
                                                        unique=True)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comment.id"), unique=True)
    state: Mapped[RedactionState] = mapped_column(
        sa.Enum(RedactionState, native_enum=False, length=12, validate_strings=True))
    #: The body_md the findings are of (the author's text at the last scan).
    source_md: Mapped[str] = mapped_column(sa.Text)
    #: [{"start", "end", "kind", "text", "redact": bool}], in the order of the text.
    findings: Mapped[list] = mapped_column(sa.JSON)
    found_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    contribution: Mapped[Contribution | None] = relationship()
    comment: Mapped[Comment | None] = relationship()

    @property
    def item(self):
        return self.contribution if self.contribution_id or self.contribution else self.comment

    @property
    def redacted_count(self) -> int:
        return sum(1 for f in self.findings if f.get("redact"))
