"""Builders for round-1 tests: processes with rounds and themes, PDFs, contributions."""
from __future__ import annotations

import io
import uuid
from datetime import timedelta

from participation.contributions.models import Contribution, ContributionState
from participation.extensions import db
from participation.processes.models import Audience, ModerationMode, RoundKind
from participation.processes.services import add_round, add_theme, create_process
from participation.sanitize import markdown_to_html
from participation.timeutil import utcnow


def make_process(slug="economie", *, opens=-1, closes=10, moderation="post", audience="registered",
                 public=True, themes=("Werklocaties", "Arbeidsmarkt", "Energietransitie")):
    """A process whose input round opens/closes `opens`/`closes` days from now."""
    now = utcnow()
    process = create_process(slug=slug, title=f"Traject {slug}", summary="Samenvatting",
                             intro_md="Over *dit* traject.", contact="team@assen.example",
                             is_public=public)
    add_round(process, kind=RoundKind.input, opens_at=now + timedelta(days=opens),
              closes_at=now + timedelta(days=closes), moderation=ModerationMode(moderation),
              audience=Audience(audience))
    add_round(process, kind=RoundKind.feedback, opens_at=now + timedelta(days=closes + 20),
              closes_at=now + timedelta(days=closes + 40), moderation=ModerationMode.post,
              audience=Audience.invited)
    for title in themes:
        add_theme(process, title=title, description=f"Over {title.lower()}.")
    db.session.commit()
    return process


def make_contribution(process, theme, author, *, title="Inbreng", body="Tekst van de inbreng.",
                      state="published", organisation=None, created_at=None):
    round_ = process.round_of(RoundKind.input)
    organisation = organisation or (author.organisation if author else None)
    item = Contribution(round=round_, theme=theme, author=author, organisation=organisation,
                        organisation_name=organisation.name if organisation else None,
                        organisation_kind=organisation.kind if organisation else None,
                        title=title, body_md=body, body_html=markdown_to_html(body),
                        state=ContributionState(state), submission_key=uuid.uuid4().hex,
                        created_at=created_at or utcnow(), updated_at=created_at or utcnow())
    db.session.add(item)
    return item


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(data: bytes, name: str = "positiepaper.pdf"):
    """A file for the Flask test client's form data."""
    return (io.BytesIO(data), name)
