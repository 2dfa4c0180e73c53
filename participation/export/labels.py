"""The words of the participation document, translated once per export.

Every renderer that people read (DOCX, PDF, HTML, XLSX) takes its words from `labels()`, called
inside `force_locale(language)`, so that one export is wholly in the language chosen. CSV and
JSON keep the stable codes ("business", "adopted") that other software reads.
"""
from __future__ import annotations

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from ..moderation.labels import disposition_names


def labels() -> dict:
    return {
        "document": _("Participation document"),
        "public": _("Public version"),
        "internal": _("Internal version: includes hidden and rejected items; not for publication"),
        "generated": _("Made on"),
        "draft_version": _("Based on version %(number)s of the draft"),
        "contents": _("Contents"),
        "page": _("Page"),
        "of": _("of"),
        "process": _("The process"),
        "process_intro": _("The municipality asked for input in two rounds. In round 1 "
                           "everyone could give open input on themes; in round 2 participants "
                           "commented on the sections of the draft, and those who missed "
                           "round 1 were invited by e-mail to read along."),
        "round": _("Round"),
        "rounds_table": _("The rounds"),
        "rounds": {"input": _("Round 1: input"), "feedback": _("Round 2: feedback on the draft")},
        "round_short": {"input": _("Round 1"), "feedback": _("Round 2")},
        "period": _("Period"),
        "audience": _("Who could take part"),
        "audiences": {"registered": _("Everyone with an account"),
                      "invited": _("Invited participants and those who took part in round 1")},
        "invited": _("Invitations sent"),
        "accepted": _("Invitations accepted"),
        "participants": _("Participants"),
        "contributions": _("Contributions"),
        "reactions": _("Reactions"),
        "item_total": _("Contributions and reactions"),
        "total": _("Total"),
        "participants_by_kind": _("Participants by kind"),
        "kind": _("Kind"),
        "kinds": {"business": _("Business"),
                  "education": _("Education or knowledge institution"),
                  "government": _("Government"),
                  "civil_society": _("Civil-society organisation"),
                  "other": _("Other organisation"),
                  "individual": _("Resident")},
        "overview": _("Overview of stakeholders"),
        "overview_intro": _("Organisations are named; residents are listed as numbers and never "
                            "by name."),
        "stakeholder": _("Stakeholder"),
        "invited_to_read_along": _("Invited to read along"),
        "read_along": _("Read along"),
        "yes": _("yes"),
        "no": _("no"),
        "per_theme": _("Contributions per theme"),
        "per_section": _("Reactions per section of the draft"),
        "theme": _("Theme"),
        "section": _("Section"),
        "stakeholders": _("Stakeholders"),
        "by_stakeholder": _("Contributions and responses per stakeholder"),
        "no_items": _("No contributions."),
        "given_at": _("Given on"),
        "received_offline": _("Received outside the site: %(source)s"),
        "unverified_organisation": _("organisation not verified: %(name)s"),
        "unverified_column": _("Organisation not verified"),
        "offline": _("Received outside the site"),
        "items_sheet": _("Contributions and reactions"),
        "in_reply_to": _("In reply to"),
        "response": _("Response of the municipality"),
        "no_response": _("No response yet."),
        "draft_response": _("draft, not published"),
        "team_reply": _("Reply of the municipality in the discussion"),
        "hidden_reason": _("Reason for hiding"),
        "rejection_reason": _("Reason for not publishing"),
        "reason": _("Reason of the project team"),
        "disposition": _("Disposition"),
        "dispositions": disposition_names(),
        "taken_up_in": _("Taken up in"),
        "states": {"published": _("Published"), "pending": _("Waiting for moderation"),
                   "rejected": _("Rejected"), "withdrawn": _("Withdrawn")},
        "hidden": _("Hidden by the project team"),
        "state": _("State"),
        "index": _("Index"),
        "index_by_theme": _("Index by theme"),
        "index_by_section": _("Index by section of the draft"),
        "text": _("Text"),
        "title": _("Title"),
        **concern_labels(),
    }


def concern_labels() -> dict:
    """The words of the chapter "what came back most"."""
    return {
        "concerns": _("What came back most"),
        "concerns_intro": _("The input about the same concern, as the project team grouped "
                            "and coded it, with the municipality's answer: per group or "
                            "code, how many stakeholders and contributions or reactions, and "
                            "the response they got."),
        "no_concerns": _("The project team has not grouped or coded the input."),
        "concern_kinds": {"group": _("Group"), "code": _("Code")},
        "concern": _("Group or code"),
        "items": _("Items"),
        "key_phrases": _("Key phrases"),
        "shared_response": _("One response to all of them"),
        "most_common": _("Most common response (%(num)s items)"),
        "dispositions_count": _("Responses by disposition"),
        "no_response_yet": _("No response yet"),
        "concern_answer": _("Answer of the municipality"),
        "concern_facts": _("%(items)s items from %(stakeholders)s stakeholders"),
    }


def date(value) -> str:
    return format_date(value, "d MMMM yyyy") if value else ""


def datetime(value) -> str:
    return format_datetime(value, "d MMMM yyyy, HH:mm") if value else ""
