"""Draft versions and their sections. A section's lineage ties it to the same section in
earlier and later versions, so comments stay with the text they were about."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..core.timeutil import utcnow


class DraftVersion(db.Model):
    __tablename__ = "draft_version"
    __table_args__ = (sa.UniqueConstraint("process_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"), index=True)
    #: 1, 2, ... in order of upload; published versions keep theirs.
    number: Mapped[int]
    #: "markdown" or "docx": what the team uploaded.
    source_kind: Mapped[str] = mapped_column(sa.String(10))
    source_name: Mapped[str] = mapped_column(sa.String(200), default="")
    preamble_md: Mapped[str] = mapped_column(sa.Text, default="")
    preamble_html: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: None while the team previews it; set once, when it is published.
    published_at: Mapped[datetime | None]
    #: An unpublished upload that the team discarded; kept for the record.
    discarded_at: Mapped[datetime | None]

    sections: Mapped[list[Section]] = relationship(back_populates="version",
                                                   order_by="Section.position")


class SectionLineage(db.Model):
    """One section across versions: comments belong here, not to one version's text."""
    __tablename__ = "section_lineage"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("process.id"), index=True)


class Section(db.Model):
    __tablename__ = "section"
    __table_args__ = (sa.UniqueConstraint("version_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("draft_version.id"), index=True)
    #: Set when the version is published (a preview has none yet).
    lineage_id: Mapped[int | None] = mapped_column(sa.ForeignKey("section_lineage.id"),
                                                   index=True)
    #: The predecessor in the previous version (None for a new section), for the diff.
    previous_id: Mapped[int | None] = mapped_column(sa.ForeignKey("section.id"))
    position: Mapped[int]
    #: "3.2": computed from the heading levels; the anchor is derived from it.
    number: Mapped[str] = mapped_column(sa.String(20))
    level: Mapped[int]
    heading: Mapped[str] = mapped_column(sa.String(300))
    body_md: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")

    version: Mapped[DraftVersion] = relationship(back_populates="sections")
    previous: Mapped[Section | None] = relationship(remote_side=[id])

    @property
    def anchor(self) -> str:
        return "s-" + self.number.replace(".", "-")
