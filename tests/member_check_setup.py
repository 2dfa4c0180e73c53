"""A process ready for its member check: two participants (one for an organisation, one as a
resident) with input in round 1 and a reaction in round 2, every item answered; shared by
tests/test_member_check.py and tests/test_browser_member_check.py."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from participation.core.extensions import db
from participation.mail.models import OutboxMessage
from participation.moderation.models import Disposition, TargetType
from participation.moderation.services import save_response

from .factories import (make_comment, make_contribution, make_organisation, make_process,
                        make_user, open_feedback_round, publish_draft)


@dataclass
class Ready:
    slug: str
    contributions: list[int]
    comment: int
    unanswered: int


def ready_process(*, answer_all: bool = True, locale: str = "en") -> Ready:
    """Call inside an app context."""
    process = make_process("agenda")
    moderator = make_user("mod@assen.example", role="moderator", name="Mod", locale=locale)
    bakery = make_organisation("Bakkerij Bolk")
    anna = make_user("anna@bolk.example", name="Anna Bolk", organisation=bakery, locale=locale)
    bert = make_user("bert@example.nl", name="Bert Jansen", locale=locale)
    themes = process.themes
    first = make_contribution(process, themes[0], anna, title="Meer bedrijventerrein",
                              body="Wij willen ruimte aan de rand van de stad.")
    second = make_contribution(process, themes[1], anna, title="Stageplaatsen",
                               body="Meer stages voor het mbo.")
    third = make_contribution(process, themes[2], bert, title="Zonnepanelen",
                              body="Zonnepanelen op alle daken van bedrijven.")
    db.session.commit()
    open_feedback_round(process)
    version = publish_draft(process, moderator)
    comment = make_comment(version.sections[0], anna, body="Paragraaf een mist de haven.")
    db.session.commit()
    answers = [(TargetType.contribution, first, Disposition.adopted, "We nemen dit over."),
               (TargetType.contribution, second, Disposition.partly, "Deels, via het ROC."),
               (TargetType.comment, comment, Disposition.noted, "Dank, de haven komt erin.")]
    if answer_all:
        answers.append((TargetType.contribution, third, Disposition.not_adopted,
                        "Niet overgenomen: geen geld."))
    for kind, item, disposition, text in answers:
        save_response(process, kind, item, moderator, disposition=disposition, body_md=text,
                      lineage_ids=[], publish=True)
    # The mails about the responses belong to the set-up, not to the member check.
    db.session.execute(sa.delete(OutboxMessage))
    db.session.commit()
    return Ready(process.slug, [first.id, second.id, third.id], comment.id,
                 0 if answer_all else 1)
