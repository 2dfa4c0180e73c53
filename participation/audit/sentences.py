"""The audit trail in words: one sentence per event in the reader's language, and the values
before and after as readable lines. What the sentences name (titles, people, section numbers)
is loaded for a whole page at once: one query per kind of thing, however many events."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from babel import Locale, UnknownLocaleError
from flask import has_request_context
from flask_babel import format_datetime, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.labels import KIND_LABELS as ORGANISATION_KIND_LABELS
from ..accounts.models import User
from ..admin.labels import AUDIENCE_CHOICES, MODERATION_CHOICES, ROLE_LABELS
from ..comments.models import Comment
from ..contributions.models import Contribution
from ..drafts.models import DraftVersion, Section
from ..core.extensions import db
from ..invitations.labels import KIND_CHOICES as INVITATION_KIND_CHOICES
from ..moderation.labels import DISPOSITION_LABELS
from ..processes.models import Process, Round, Theme
from ..core.templating import fast_datetime
from .models import AuditEvent

#: Action code (or "code:variant", see `_variant`) -> the sentence. Placeholders: %(actor)s
#: who did it, %(item)s what it was done to ("the contribution “…”"), and per action the
#: values named below; a value an event lacks reads as "—".
SENTENCES = {
    "contribution.approve": _l("%(actor)s approved %(item)s"),
    "contribution.reject": _l("%(actor)s did not publish %(item)s: %(reason)s"),
    "contribution.hide": _l("%(actor)s hid %(item)s: %(reason)s"),
    "contribution.unhide": _l("%(actor)s showed %(item)s again: %(reason)s"),
    "contribution.import": _l("%(actor)s imported %(item)s from %(file)s, line %(line)s"),
    "contribution.flags_dismissed": _l("%(actor)s looked at the reports on %(item)s and kept "
                                       "it as it is"),
    "contribution.redaction": _l("%(actor)s decided which personal data in %(item)s is "
                                 "replaced in the published text"),
    "response.save:new_draft": _l("%(actor)s wrote a draft response to %(item)s "
                                  "(%(disposition)s)"),
    "response.save:new": _l("%(actor)s wrote the response to %(item)s (%(disposition)s)"),
    "response.save:draft": _l("%(actor)s changed the draft response to %(item)s "
                              "(%(disposition)s)"),
    "response.save": _l("%(actor)s changed the published response to %(item)s "
                        "(%(disposition)s)"),
    "response.publish": _l("%(actor)s published the response to %(item)s (%(disposition)s)"),
    "response.unpublish": _l("%(actor)s took the response to %(item)s back; it is a draft "
                             "again"),
    "comment.team_answer": _l("%(actor)s answered %(item)s in the thread, as the "
                              "municipality's response (%(disposition)s)"),
    "comment.team_answer:plain": _l("%(actor)s answered %(item)s in the thread, as the "
                                    "municipality's response"),
    "template.add": _l("%(actor)s added the response template “%(title)s”"),
    "template.edit": _l("%(actor)s changed the response template “%(title)s”"),
    "analysis.refresh": _l("%(actor)s ran the analysis of %(item)s"),
    "group.rename": _l("%(actor)s named a group of the analysis “%(title)s”"),
    "group.merge": _l("%(actor)s merged groups of the analysis into “%(title)s”"),
    "group.move": _l("%(actor)s moved items to the group “%(title)s”"),
    "group.split": _l("%(actor)s moved items to the new group “%(title)s”"),
    "code.add": _l("%(actor)s added the code “%(title)s”"),
    "code.rename": _l("%(actor)s renamed a code to “%(title)s”"),
    "code.delete": _l("%(actor)s removed the code “%(title)s”"),
    "code.tag": _l("%(actor)s gave items the code “%(title)s”"),
    "code.untag": _l("%(actor)s took the code “%(title)s” off an item"),
    "role.change": _l("%(actor)s changed the role of %(user)s from %(from_role)s to "
                      "%(to_role)s"),
    "process.create": _l("%(actor)s created the process “%(title)s”"),
    "process.edit": _l("%(actor)s changed %(item)s: %(fields)s"),
    "round.change": _l("%(actor)s changed %(item)s: %(fields)s"),
    "theme.up": _l("%(actor)s moved %(item)s up"),
    "theme.down": _l("%(actor)s moved %(item)s down"),
    "theme.retire": _l("%(actor)s closed %(item)s to new input"),
    "theme.restore": _l("%(actor)s opened %(item)s to new input again"),
    "draft.publish": _l("%(actor)s published version %(number)s of the draft"),
    "export:public": _l("%(actor)s downloaded the public version of the participation "
                        "document (%(format)s, %(language)s)"),
    "export:internal": _l("%(actor)s downloaded the internal version of the participation "
                          "document (%(format)s, %(language)s)"),
    "invitation.send": _l("%(actor)s invited %(email)s: %(kind)s"),
    "invitation.resend": _l("%(actor)s sent the invitation to %(email)s again"),
    "invitation.revoke": _l("%(actor)s withdrew the invitation to %(email)s"),
    "account.delete:keep": _l("%(actor)s deleted their account and left their input "
                              "without their name"),
    "account.delete:remove": _l("%(actor)s deleted their account and removed their input"),
    "membership.confirm": _l("%(actor)s confirmed that %(user)s belongs to %(organisation)s"),
    "membership.refuse": _l("%(actor)s did not confirm that %(user)s belongs to "
                            "%(organisation)s"),
    "organisation.confirm": _l("%(actor)s confirmed the organisation %(organisation)s, "
                               "registered by %(user)s"),
    "organisation.refuse": _l("%(actor)s did not confirm the organisation %(organisation)s, "
                              "registered by %(user)s"),
    "organisation.settings": _l("%(actor)s changed the settings of the organisation "
                                "%(organisation)s"),
    "ratelimit.lift:account": _l("%(actor)s lifted the login lock of %(item)s"),
    "ratelimit.lift:address": _l("%(actor)s lifted the login lock of the network address "
                                 "%(address)s"),
    "ratelimit.lift": _l("%(actor)s lifted a login lock"),
}
for _action in ("approve", "reject", "hide", "unhide", "flags_dismissed", "redaction"):
    SENTENCES[f"comment.{_action}"] = SENTENCES[f"contribution.{_action}"]

#: For an action this module does not know (yet): still a sentence, with the code.
FALLBACK = _l("%(actor)s made a change to %(item)s (%(action)s)")
FALLBACK_WITHOUT_ITEM = _l("%(actor)s made a change (%(action)s)")

#: What the filter offers: the first part of the action codes.
ACTION_GROUPS = {
    "contribution": _l("Input"),
    "comment": _l("Reactions"),
    "response": _l("Responses of the municipality"),
    "template": _l("Response templates"),
    "draft": _l("Versions of the draft"),
    "theme": _l("Themes"),
    "process": _l("Processes"),
    "round": _l("Rounds"),
    "role": _l("Roles"),
    "invitation": _l("Invitations"),
    "membership": _l("Members of organisations"),
    "organisation": _l("Organisations"),
    "export": _l("Downloads of the participation document"),
    "account": _l("Deleted accounts"),
    "ratelimit": _l("Login locks lifted"),
    "analysis": _l("Runs of the analysis"),
    "group": _l("Groups of the analysis"),
    "code": _l("Codes"),
}

#: The names of the values kept before and after.
KEY_LABELS = {
    "disposition": _l("Disposition"), "text": _l("Text"), "sections": _l("Sections"),
    "published": _l("Published"), "state": _l("Status"), "hidden": _l("Hidden"),
    "reason": _l("Reason"), "flags": _l("Reports"), "role": _l("Role"),
    "title": _l("Title"), "summary": _l("Summary"), "intro_md": _l("Introduction"),
    "contact": _l("Contact"), "is_public": _l("Public"), "slug": _l("Web address"),
    "rounds": _l("Rounds"), "input": _l("Round 1"), "feedback": _l("Round 2"),
    "opens_at": _l("Opens"), "closes_at": _l("Closes"), "moderation": _l("Moderation"),
    "audience": _l("Who can take part"), "format": _l("Format"),
    "public": _l("Public version"), "language": _l("Language"), "bytes": _l("Size in bytes"),
    "number": _l("Version"), "continued": _l("Sections that continue an earlier one"),
    "email": _l("E-mail address"), "name": _l("Name"), "kind": _l("Kind"),
    "analysed": _l("Items analysed"), "group_count": _l("Groups"),
    "new_groups": _l("New groups"), "round_kind": _l("Round"), "moved": _l("Items moved"),
    "merged": _l("Groups before"), "tagged": _l("Items"),
    "items": _l("Their input"), "contributions_kept": _l("Contributions kept"),
    "contributions_removed": _l("Contributions removed"),
    "comments_kept": _l("Reactions kept"), "comments_removed": _l("Reactions removed"),
    "organisation": _l("Organisation"), "user": _l("Person"),
    "website_domain": _l("Domain of the website"),
    "auto_confirm_domain": _l("Members with an e-mail address at this domain are confirmed "
                              "automatically"),
    "limit": _l("Limit"), "attempts": _l("Attempts"), "seconds_left": _l("Seconds left"),
    "address": _l("Network address"), "source": _l("Source"), "file": _l("File"),
    "line": _l("Line"), "account_hash": _l("Address without an account (hash)"),
}

STATE_LABELS = {"pending": _l("Waiting for the project team"), "published": _l("Published"),
                "rejected": _l("Not published"), "withdrawn": _l("Withdrawn")}
KIND_LABELS = {**{kind.value: label for kind, label in ORGANISATION_KIND_LABELS.items()},
               **{choice.value: choice.label for choice in INVITATION_KIND_CHOICES}}
ITEMS_LABELS = {"keep": _l("kept without their name"), "remove": _l("removed")}
VALUE_LABELS = {
    "disposition": DISPOSITION_LABELS,
    "role": {role.value: label for role, label in ROLE_LABELS.items()},
    "moderation": {choice.value: choice.label for choice in MODERATION_CHOICES},
    "audience": {choice.value: choice.label for choice in AUDIENCE_CHOICES},
    "state": STATE_LABELS, "kind": KIND_LABELS, "items": ITEMS_LABELS,
}

#: Items are named by the start of their title or text.
EXCERPT = 60
#: Markdown that would read as noise in an excerpt: links (their text stays), heading and
#: quote marks at the start of a line, emphasis stars and code ticks; and runs of white space.
_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|^[ \t]*[#>]+[ \t]*|[*`]+|\s+", re.M)


@dataclass
class EventLine:
    """One event as the page shows it."""
    event: AuditEvent
    sentence: str
    before: list[tuple[str, str]]
    after: list[tuple[str, str]]
    process_title: str | None


@dataclass
class _Names:
    """What a page's events refer to, by id."""
    contributions: dict[int, str] = field(default_factory=dict)
    comments: dict[int, tuple[str, int | None]] = field(default_factory=dict)
    users: dict[int, tuple[str, bool]] = field(default_factory=dict)
    themes: dict[int, str] = field(default_factory=dict)
    rounds: dict[int, tuple[str, int]] = field(default_factory=dict)
    processes: dict[int, str] = field(default_factory=dict)
    sections: dict[int, str] = field(default_factory=dict)


class _Values(dict):
    """The placeholders of a sentence; one the event cannot fill reads as a dash."""

    def __missing__(self, key):
        return "—"


def describe(events: list[AuditEvent]) -> list[EventLine]:
    """The page's events in words, in the locale in force. Their actors must be loaded."""
    names = _load(events)
    return [EventLine(event=event, sentence=sentence(event, names),
                      before=value_lines(event.before, names),
                      after=value_lines(event.after, names),
                      process_title=names.processes.get(event.process_id))
            for event in events]


def sentence(event: AuditEvent, names: _Names | None = None) -> str:
    """`event` as a sentence ("Mod published the response to …"); `names` from `_load`."""
    names = names if names is not None else _load([event])
    values = _values(event, names)
    template = SENTENCES.get(_variant(event), SENTENCES.get(event.action))
    if template is None:
        template = FALLBACK if event.target_type else FALLBACK_WITHOUT_ITEM
    text = str(template) % values
    numbers = _section_numbers(_after_or_before(event, "sections"), names)
    if numbers:
        text += "; " + ngettext("section %(numbers)s", "sections %(numbers)s", len(numbers),
                                numbers=", ".join(numbers))
    return text[:1].upper() + text[1:] if values["actor_is_phrase"] else text


def _variant(event: AuditEvent) -> str:
    before, after = event.before or {}, event.after or {}
    if event.action == "response.save":
        if not before:
            return "response.save:new" if after.get("published") else "response.save:new_draft"
        return "response.save" if before.get("published") else "response.save:draft"
    if event.action == "export":
        return "export:public" if after.get("public") else "export:internal"
    if event.action == "account.delete":
        return f"account.delete:{after.get('items')}"
    if event.action == "ratelimit.lift":
        if event.target_type == "user":
            return "ratelimit.lift:account"
        if (event.before or {}).get("address"):
            return "ratelimit.lift:address"
    if event.action == "comment.team_answer" and not after.get("disposition"):
        return "comment.team_answer:plain"
    return event.action


def _after_or_before(event: AuditEvent, key: str):
    for values in (event.after, event.before):
        if isinstance(values, dict) and key in values:
            return values[key]
    return None


def _values(event: AuditEvent, names: _Names) -> _Values:
    before, after = event.before or {}, event.after or {}
    values = _Values(action=event.action, item=_item(event, names),
                     reason=event.reason or _("no reason given"))
    actor = event.actor
    if actor is None:
        values["actor"], values["actor_is_phrase"] = _("the system"), True
    elif actor.is_deleted:
        values["actor"], values["actor_is_phrase"] = _("a withdrawn participant"), True
    else:
        values["actor"], values["actor_is_phrase"] = actor.name, False
    disposition = _after_or_before(event, "disposition")
    if disposition:
        values["disposition"] = _lower_first(_label("disposition", disposition))
    if event.action == "role.change":
        values["user"] = _user(names, event.target_id)
        values["from_role"] = _lower_first(_label("role", before.get("role")))
        values["to_role"] = _lower_first(_label("role", after.get("role")))
    if event.action in ("process.edit", "round.change"):
        values["fields"] = ", ".join(_lower_first(_key_label(key)) for key in after) or "—"
    for key in ("title", "number", "organisation", "user", "address", "file", "line"):
        if after.get(key) not in (None, ""):
            values[key] = str(after[key])
    if "email" in after:
        values["email"] = after["email"] or _("someone whose address was removed")
    if "kind" in after:
        values["kind"] = _lower_first(_label("kind", after["kind"]))
    if event.action == "export":
        values["format"] = str(after.get("format", "")).upper() or "—"
        values["language"] = _language(after.get("language"))
    return values


def _item(event: AuditEvent, names: _Names) -> str:
    """What the event was done to, as a phrase that names its kind."""
    kind, target = event.target_type, event.target_id
    if kind == "contribution":
        title = names.contributions.get(target)
        return _("the contribution “%(title)s”", title=_excerpt(title)) if title \
            else _("a contribution that was removed")
    if kind == "comment":
        text, lineage_id = names.comments.get(target, ("", None))
        if not text:
            return _("a reaction that was removed")
        number = names.sections.get(lineage_id)
        if number:
            return _("the reaction “%(text)s” on section %(number)s", text=_excerpt(text),
                     number=number)
        return _("the reaction “%(text)s”", text=_excerpt(text))
    if kind == "user":
        return _user(names, target)
    if kind == "process":
        title = names.processes.get(target)
        return _("the process “%(title)s”", title=title) if title else _("a process")
    if kind == "theme":
        title = names.themes.get(target)
        return _("the theme “%(title)s”", title=title) if title else _("a theme")
    if kind == "round":
        round_kind, process_id = names.rounds.get(target, ("", None))
        process = names.processes.get(process_id, "")
        if round_kind == "input":
            return _("round 1 (input) of “%(process)s”", process=process)
        if round_kind == "feedback":
            return _("round 2 (feedback on the draft) of “%(process)s”", process=process)
        return _("a round")
    if not kind:
        return "—"
    return f"{kind.replace('_', ' ')} {target}" if target is not None else kind


def _user(names: _Names, user_id: int | None) -> str:
    name, deleted = names.users.get(user_id, ("", True))
    return _("a withdrawn participant") if deleted or not name else name


def value_lines(values: dict | None, names: _Names) -> list[tuple[str, str]]:
    """Kept values as (name, value) lines in the reader's words; nested values get the name of
    what holds them in front ("Round 1 – Opens")."""
    if not isinstance(values, dict):
        return [] if values is None else [("", str(values))]
    lines = []
    for key, value in values.items():
        label = _key_label(key)
        if isinstance(value, dict):
            lines.extend((f"{label} – {sub}" if sub else label, text)
                         for sub, text in value_lines(value, names))
        else:
            lines.append((label, _value(key, value, names)))
    return lines


def _value(key: str, value, names: _Names) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "sections" and isinstance(value, list):
        return ", ".join(_section_numbers(value, names)) or _("none")
    if key in VALUE_LABELS and isinstance(value, str):
        return _label(key, value)
    if key == "language":
        return _language(value)
    if key == "format":
        return str(value).upper()
    if key.endswith("_at") and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return fast_datetime(moment) if has_request_context() else format_datetime(moment)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or _("none")
    return str(value)


def _key_label(key: str) -> str:
    label = KEY_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ")


def _label(key: str, value) -> str:
    if value is None:
        return "—"
    label = VALUE_LABELS[key].get(value)
    return str(label) if label is not None else str(value)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _language(code) -> str:
    try:
        return Locale.parse(code).get_display_name(get_locale()) if code else "—"
    except (ValueError, TypeError, UnknownLocaleError):
        return str(code)


def _excerpt(text: str) -> str:
    text = _MARKUP.sub(lambda m: m.group(1) if m.group(1) is not None else
                       (" " if m.group(0).isspace() else ""), text).strip()
    if len(text) <= EXCERPT:
        return text
    cut = text[:EXCERPT - 1]
    if " " in cut[EXCERPT // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


def _section_numbers(lineage_ids, names: _Names) -> list[str]:
    """Lineage ids as the numbers of their sections in the latest version that has them,
    in the order of the draft."""
    if not isinstance(lineage_ids, list):
        return []
    numbers = {names.sections.get(lid, "—") for lid in lineage_ids if isinstance(lid, int)}
    return sorted(numbers, key=lambda n: [(0, int(p), "") if p.isdigit() else (1, 0, p)
                                          for p in n.split(".")])


# --- what the events name, for a whole page at once ------------------------------------------

def _load(events: list[AuditEvent]) -> _Names:
    ids: dict[str, set[int]] = defaultdict(set)
    lineages: set[int] = set()
    for event in events:
        if event.target_id is not None:
            ids[event.target_type].add(event.target_id)
        if event.process_id is not None:
            ids["process"].add(event.process_id)
        for values in (event.before, event.after):
            if isinstance(values, dict) and isinstance(values.get("sections"), list):
                lineages.update(v for v in values["sections"] if isinstance(v, int))
    names = _Names()
    if ids["contribution"]:
        names.contributions = dict(db.session.execute(
            sa.select(Contribution.id, Contribution.title)
            .where(Contribution.id.in_(ids["contribution"]))).all())
    if ids["comment"]:
        names.comments = {row.id: (row.body_md, row.lineage_id) for row in db.session.execute(
            sa.select(Comment.id, Comment.body_md, Comment.lineage_id)
            .where(Comment.id.in_(ids["comment"])))}
        lineages.update(lineage_id for _, lineage_id in names.comments.values() if lineage_id)
    if ids["user"]:
        names.users = {row.id: (row.name, row.deleted_at is not None)
                       for row in db.session.execute(
                           sa.select(User.id, User.name, User.deleted_at)
                           .where(User.id.in_(ids["user"])))}
    if ids["theme"]:
        names.themes = dict(db.session.execute(
            sa.select(Theme.id, Theme.title).where(Theme.id.in_(ids["theme"]))).all())
    if ids["round"]:
        names.rounds = {row.id: (row.kind.value, row.process_id) for row in db.session.execute(
            sa.select(Round.id, Round.kind, Round.process_id).where(Round.id.in_(ids["round"])))}
        ids["process"].update(process_id for _, process_id in names.rounds.values())
    if ids["process"]:
        names.processes = dict(db.session.execute(
            sa.select(Process.id, Process.title).where(Process.id.in_(ids["process"]))).all())
    if lineages:
        # Ordered by version: the latest published version that has the lineage wins.
        names.sections = dict(db.session.execute(
            sa.select(Section.lineage_id, Section.number)
            .join(DraftVersion, DraftVersion.id == Section.version_id)
            .where(Section.lineage_id.in_(lineages), DraftVersion.published_at.is_not(None))
            .order_by(DraftVersion.number, Section.id)).all())
    return names
