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
        **member_check_labels(),
        **concern_labels(),
    }


def member_check_labels() -> dict:
    """The words of the member check in the document (export.member_check)."""
    return {
        "checked_on": _("Checked on %(date)s"),
        "reaction_received": _("reaction received"),
        "member_check": _("Reactions of participants on this document"),
        "member_check_intro": _("From %(opens)s to %(closes)s every participant with an "
                                "account could check how their input is shown in this "
                                "document, with the responses, and confirm it or react. "
                                "%(invited)s participants got a personal link; %(replied)s "
                                "replied. Their reactions follow, with the municipality's "
                                "answers."),
        "member_check_none": _("No participant reacted; those who replied confirmed how "
                               "their input is shown."),
        "about": _("About"),
        "on_the_whole": _("Their input as a whole"),
        "member_reaction": _("Reaction"),
        "member_answer": _("Answer of the municipality"),
        "no_answer": _("Not answered yet."),
        "checked_column": _("Checked on"),
        "reaction_column": _("Reaction received"),
        "reactions_sheet": _("Reactions on the document"),
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


def rating_labels() -> dict:
    """The words of the chapter on how participants rated the process (participation.ratings)."""
    return {
        "ratings": _("How participants rated the process"),
        "ratings_intro": _("After taking part, participants could give each round a score from "
                           "1 (very poor) to 10 (excellent), once, with an optional remark."),
        "respondents": _("Respondents"),
        "average": _("Average score"),
        "score": _("Score"),
        "count": _("Number of participants"),
        "distribution": _("Scores given: %(round)s"),
        "chart_description": _("One bar per score from 1 to 10: how many participants gave "
                               "it. The same numbers are in the table."),
        "remarks": _("Remarks: %(round)s"),
        "no_remarks": _("No remarks."),
        "remarks_column": _("Remarks"),
        "ratings_sheet": _("Ratings"),  #: an Excel sheet's name: at most 31 characters
        "no_ratings": _("Nobody has rated this round."),
        "by": _("by"),
        "ratings_table": _("Ratings per round"),
    }


def rating_chart(chart_id: str, title: str, description: str, distribution: dict):
    """The distribution as the dashboard draws its numbers (an SVG with a title and a
    description; the table beside it has the same numbers)."""
    from ..dashboard.svg import bar_chart

    return bar_chart(chart_id, title, description,
                     [(str(score), n) for score, n in sorted(distribution.items())])
