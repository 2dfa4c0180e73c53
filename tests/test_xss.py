"""Sanitising proven in a browser: every XSS vector of tests/xss_corpus.py goes into every field
that shows user text, and headless Chromium loads every page that shows them with the site's CSP
switched off, so that the sanitiser and the templates are proven, not only the CSP.

- The bulk goes in through the services, which clean on save (`sanitize.markdown_to_html` for
  Markdown, `sanitize.plain_text` for one-line names). A representative subset goes through
  the real forms, with the test client and two forms in the browser itself, and what they
  stored must be exactly what those two functions make of it.
- Pages are visited as a visitor, as a participant and as the team; the downloaded HTML
  document is opened from disk (no CSP there at all) and the outbox's HTML mails are loaded too.
- Before any page script runs, an init script replaces alert, confirm, prompt, print and
  window.__xss with recorders; dialogs, console errors and page errors are recorded as well.
  After each load the DOM is scanned for anything that could run (event-handler attributes,
  javascript:/data:/vbscript: addresses, foreign scripts, frames, objects, <base>, <meta
  http-equiv>) or restyle the page (style attributes and elements), and user HTML may hold only
  the tags and attributes of the sanitiser's allow-list.
- Every value carries a marker (XSS-<field>-<n>) that the page must show, so a page that lost
  the user text can not pass by being empty.
- The CSP and the other protective headers are checked separately with the test client.
"""
from __future__ import annotations

import functools
import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape

from participation.accounts.models import (Membership, Organisation, OrganisationKind, User,
                                           VerificationState)
from participation.accounts.services import (
    OrganisationChoice,
    confirm_email,
    update_profile,
)
from participation.admin.services import create_process_with_rounds
from participation.comments import services as comment_services
from participation.comments.models import Comment
from participation.contributions import services as contribution_services
from participation.contributions.models import Contribution
from participation.drafts import services as draft_services
from participation.drafts.models import DraftVersion, Section
from participation.core.extensions import db
from participation.core.roles import Role
from participation.invitations.models import Invitation, InvitationKind
from participation.invitations.services import invite
from participation.mail.models import OutboxMessage
from participation.moderation import services as moderation_services
from participation.moderation.models import (
    Disposition,
    FlagReason,
    Response,
    TargetType,
)
from participation.processes.models import ModerationMode, Process, RoundKind, Theme
from participation.processes.services import add_theme
from participation.core.sanitize import ALLOWED_TAGS, markdown_to_html, plain_text
from participation.core.timeutil import utcnow

from .factories import (csrf_token, field_errors, login, make_user, open_feedback_round,
                        publish_draft, submission_key, submit)
from .conftest import test_config as app_config  # renamed: pytest would collect test_*
from .xss_corpus import CATEGORIES, VECTORS, calls_a_recorder

PASSWORD = "hostile-fred-2026!"
KINDS = list(OrganisationKind)
ADMIN = "admin@example.nl"
FRED = "fred@example.nl"
SLUG = "xss"

# --- what runs in the browser ---------------------------------------------------------------

#: Installed in every frame before any page script: the functions a vector would call now only
#: report to Python (through an exposed binding that reaches Python from any frame), and no
#: page script can put the real ones back.
RECORDER_JS = """
(() => {
  const report = (name, args) => {
    try { window.__xssRecorded(name, String(args.length ? args[0] : ''), String(location.href)); }
    catch (e) { /* the binding is missing only in frames Playwright cannot reach */ }
  };
  for (const name of ['alert', 'confirm', 'prompt', 'print', '__xss']) {
    try {
      Object.defineProperty(window, name, {value: (...args) => report(name, args),
                                           writable: false, configurable: false});
    } catch (e) { /* already defined by an earlier run of this script in the frame */ }
  }
})();
"""

#: Everything on a page that could run script, load a frame or restyle the page, as text.
#: `own` says what the page itself may have: stylesheets and scripts under /static/, a <style>
#: in <head> (the downloaded document), style attributes on the body's own children (mail).
SCAN_JS = """
(opts) => {
  const problems = [];
  const say = (what, el) => problems.push(what + ': ' + el.outerHTML.slice(0, 240));
  // Browsers ignore whitespace and control characters around and inside a scheme.
  const squash = (value) => value.replace(/[\\u0000-\\u0020\\u007f-\\u009f]/g, '').toLowerCase();
  const badScheme = /^(javascript|data|vbscript):/;
  const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data',
    'poster', 'background', 'codebase', 'cite', 'lowsrc', 'dynsrc', 'ping', 'srcset',
    'manifest', 'longdesc', 'usemap', 'classid', 'archive', 'to', 'values', 'from', 'by']);
  const neverOwn = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base',
    'portal', 'math', 'template', 'noscript', 'xmp', 'noembed', 'noframes', 'plaintext',
    'listing', 'isindex', 'keygen', 'bgsound', 'marquee', 'xml']);
  const ownStatic = (value) => (value || '').replace(location.origin, '').startsWith('/static/');
  // Mails carry their layout in style attributes (mail programs ignore stylesheets); user HTML
  // in them is checked against the allow-list below like everywhere else.
  const styleAllowed = (el) => opts.mailLayout && !el.closest(opts.userHtml);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) say('event handler ' + name, el);
      else if (name === 'style' && !styleAllowed(el)) say('style attribute', el);
      else if (name === 'srcdoc') say('srcdoc', el);
      else if ((urlAttributes.has(name) || name.endsWith(':href')) && badScheme.test(squash(attr.value)))
        say('dangerous address in ' + name, el);
    }
    if (tag === 'script' && !(opts.ownScripts && ownStatic(el.getAttribute('src')))) say('script', el);
    else if (neverOwn.has(tag)) say('element <' + tag + '>', el);
    else if (tag === 'meta' && el.hasAttribute('http-equiv')) say('meta http-equiv', el);
    else if (tag === 'link' && !(['stylesheet', 'icon'].includes(el.getAttribute('rel'))
                                 && ownStatic(el.getAttribute('href')))) say('link', el);
    else if (tag === 'style' && !(opts.headStyle && el.parentElement === document.head))
      say('style element', el);
    else if (tag === 'svg' && !el.closest('svg.chart')) say('svg outside the charts', el);
  }
  // User HTML (Markdown made safe) may hold only the allow-list: tags, and href/title/rel on <a>.
  for (const root of document.querySelectorAll(opts.userHtml)) {
    for (const el of root.querySelectorAll('*')) {
      if (!opts.allowedTags.includes(el.localName)) say('tag not on the allow-list', el);
      for (const attr of Array.from(el.attributes)) {
        if (!(el.localName === 'a' && ['href', 'title', 'rel'].includes(attr.name)))
          say('attribute ' + attr.name + ' not on the allow-list', el);
      }
      if (el.localName === 'a' && el.hasAttribute('href')) {
        const scheme = /^([a-z][a-z0-9+.-]*):/.exec(squash(el.getAttribute('href')));
        if (scheme && !['http', 'https', 'mailto'].includes(scheme[1])) say('link scheme', el);
      }
    }
  }
  // Word differences are escaped text with <del>, <ins> and <br> only.
  for (const el of document.querySelectorAll('.diff *')) {
    if (!['del', 'ins', 'br'].includes(el.localName) || el.attributes.length) say('in a diff', el);
  }
  return problems;
}
"""

#: One vector at a time, without a page around it: the sanitiser's output parsed as Chromium
#: parses it, so no vector can hide behind another one in a batch.
ISOLATED_JS = """
([items, allowedTags]) => {
  const problems = [];
  const squash = (value) => value.replace(/[\\u0000-\\u0020\\u007f-\\u009f]/g, '').toLowerCase();
  for (const [label, html, allowed] of items) {
    const doc = new DOMParser().parseFromString('<!doctype html><body><div id="u">' + html
                                                + '</div></body>', 'text/html');
    const root = doc.getElementById('u');
    if (!root || doc.body.children.length !== 1) {
      problems.push(label + ': escaped its container');
      continue;
    }
    for (const el of root.querySelectorAll('*')) {
      const ok = allowed && allowedTags.includes(el.localName);
      if (!ok) problems.push(label + ': <' + el.localName + '>');
      for (const attr of Array.from(el.attributes)) {
        if (!(el.localName === 'a' && ['href', 'title', 'rel'].includes(attr.name)))
          problems.push(label + ': attribute ' + attr.name);
        if (attr.name === 'href') {
          const scheme = /^([a-z][a-z0-9+.-]*):/.exec(squash(attr.value));
          if (scheme && !['http', 'https', 'mailto'].includes(scheme[1]))
            problems.push(label + ': href ' + attr.value);
        }
      }
    }
  }
  return problems;
}
"""

#: Where pages put user HTML: the site's .prose blocks, and the downloaded document's texts.
USER_HTML = ".prose, article .text, .response > div[dir]"

#: One representative per kind of attack, for the real forms (the corpus is too big to post
#: through every form, and goes in through the services instead).
FORM_VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg onload=alert(1)>",
    "[x](javascript:alert(1))",
    "<a href=\"java\tscript:alert(1)\">x</a>",
    "![x](javascript:alert(1))",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<!--><img src=x onerror=alert(1)>-->",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<javascript:alert(1)>",
    "data:example.com/html,alert(1)",
    "[x][r]\n\n[r]: javascript:alert(1)",
]
FORM_MD = "XSS-form-md\n\n" + "\n\n".join(FORM_VECTORS)

#: The fields the whole corpus goes into, by the code in their markers (XSS-<code>-<n>). More
#: codes are more of the same field: ft/fb (Fred's input), an (the admin's name), ix (other
#: processes' introductions), dv/dvp (draft version 2), tm (the team's comment), pe (comments
#: waiting for moderation); form-* are the values sent through the forms.
FIELDS = {
    "ct": "contribution title", "cb": "contribution text", "ot": "offline input: title",
    "ob": "offline input: text", "oi": "offline input: the person's name",
    "oo": "offline input: how it reached the team", "on": "organisation name",
    "os": "organisation sector", "un": "person's name", "iv": "invitation: name",
    "io": "invitation: organisation", "th": "theme title", "td": "theme description",
    "pt": "process title", "ps": "process summary", "pc": "process contact",
    "in": "process introduction", "drp": "draft preamble", "hd": "draft section heading",
    "dr": "draft section text", "cm": "comment", "rp": "reply",
    "rs": "the municipality's response", "tt": "response template: title",
    "tb": "response template: text", "fn": "note with a report (flag)",
    "hr": "reason for hiding", "rr": "reason for rejecting",
}


def form_line(code: str, limit: int) -> str:
    """Form vectors on one line, led by a marker, cut to the form's limit."""
    text = f"XSS-{code} " + " ".join(v.replace("\n", " ") for v in FORM_VECTORS)
    return text[:limit]


# --- the vectors, batched for the fields ----------------------------------------------------

def storable(vector: str) -> str:
    """A vector as a service may receive it: forms refuse NUL (PostgreSQL cannot store it)."""
    return vector.replace("\x00", "")


def one_line(vector: str) -> str:
    return " ".join(storable(vector).splitlines())


@functools.cache
def _cleaned_size(vector: str, measure) -> int:
    return len(measure(vector)) + 1


@functools.cache
def packs(code: str, limit: int, measure=plain_text) -> tuple[str, ...]:
    """All vectors, joined into as few one-line values as fit `limit` once cleaned (a
    column's length), each led by its marker XSS-<code>-<n>."""
    sizes = [(v, _cleaned_size(v, measure)) for v in map(one_line, VECTORS)]
    groups: list[list[str]] = [[]]
    room, used = limit - len(f"XSS-{code}-000"), 0
    for vector, size in sizes:
        if groups[-1] and used + size > room:
            groups.append([])
            used = 0
        groups[-1].append(vector)
        used += size
    values: list[str] = []
    while groups:
        group = groups.pop(0)
        value = " ".join([f"XSS-{code}-{len(values)}", *group])
        # Vectors cleaned together can differ from the sum of their parts: check the whole.
        if len(measure(value)) > limit:
            if len(group) > 1:
                half = len(group) // 2
                groups[:0] = [group[:half], group[half:]]
                continue
            value = value[:limit]  # one vector longer than a column kept as typed: cut
        values.append(value)
    return tuple(values)


def chunks(code: str, size: int = 25) -> list[str]:
    """All vectors as Markdown texts of `size` blocks each, led by the marker XSS-<code>-<n>."""
    vectors = [storable(v) for v in VECTORS]
    return [f"XSS-{code}-{n}\n\n" + "\n\n".join(vectors[start:start + size])
            for n, start in enumerate(range(0, len(vectors), size))]


def heading_packs() -> list[str]:
    # Headings are stored as typed (without emphasis marks, at most 300 characters) and
    # escaped on output; '#'s at the end of the line would be taken as closing marks.
    return [h.replace("#", "") for h in packs("hd", 300, measure=_heading_text)]


def _heading_text(line: str) -> str:
    return " ".join(re.sub(r"[*_`#]", "", line).split())


def draft_markdown(code: str, headings: list[str], shift: int = 0, extra: str = "") -> str:
    """A draft: a preamble and one section per heading, their texts the vector chunks."""
    texts = chunks(code)
    parts = [chunks(f"{code}p", size=len(VECTORS))[0]]  # the preamble: every vector at once
    for n, heading in enumerate(headings):
        parts.append(f"# {heading}\n\n{texts[(n + shift) % len(texts)]}")
    if extra:
        parts.append(f"# XSS-form-heading {FORM_VECTORS[1]}\n\n{extra}")
    return "\n\n".join(parts) + "\n"


# --- the hostile world ----------------------------------------------------------------------

@dataclass
class World:
    """What was made, by id, for the pages to visit."""
    process_id: int
    extra_slugs: list[str]
    theme_ids: list[int]
    contribution_ids: list[int] = field(default_factory=list)
    offline_ids: list[int] = field(default_factory=list)
    fred_contribution_ids: list[int] = field(default_factory=list)
    comment_ids: list[int] = field(default_factory=list)
    hidden_ids: list[int] = field(default_factory=list)
    flag_notes: dict[int, list[str]] = field(default_factory=dict)
    waiting_ids: list[int] = field(default_factory=list)
    preview_path: str = ""


def build_with_services(app) -> World:
    """The bulk of the vectors, through the services that clean on save."""
    now = utcnow()
    with app.test_request_context():  # invitations and registration mails build URLs
        admin = make_user(ADMIN, role="admin", name="Admin", locale="en")
        update_profile(admin, name=packs("an", 120)[0], choice=OrganisationChoice.individual(),
                       locale="en")
        titles, summaries, contacts = packs("pt", 200), packs("ps", 500), packs("pc", 300)
        intros = chunks("in", size=len(VECTORS))  # the main process has every vector at once
        intros += chunks("ix")
        processes = []
        for n in range(max(len(titles), len(summaries), len(contacts))):
            processes.append(create_process_with_rounds(
                actor=admin, slug=SLUG if n == 0 else f"{SLUG}-{n}", title=titles[n % len(titles)],
                summary=summaries[n % len(summaries)], intro_md=intros[n % len(intros)],
                contact=contacts[n % len(contacts)], is_public=True,
                input_window=(now - timedelta(days=1), now + timedelta(days=10)),
                feedback_window=(now + timedelta(days=30), now + timedelta(days=40))))
        process = processes[0]
        theme_titles, theme_texts = packs("th", 200), packs("td", 1000)
        themes = [add_theme(process, title=t, description=theme_texts[n % len(theme_texts)])
                  for n, t in enumerate(theme_titles)]

        names, organisations, sectors = packs("un", 120), packs("on", 200), packs("os", 120)
        people = []
        for n, name in enumerate(names):
            # Made directly with the admin's password hash: they never log in, and hashing a
            # password per person would cost a third of a second each.
            person = User(email=f"p{n}@example.nl", name="", password_hash=admin.password_hash,
                          role=Role.participant, locale="en", email_confirmed_at=now,
                          consent_at=now, consent_version="test")
            db.session.add(person)
            choice = (OrganisationChoice(new_name=organisations[n],
                                         new_kind=KINDS[n % len(KINDS)],
                                         new_sector=sectors[n % len(sectors)])
                      if n < len(organisations) else OrganisationChoice.individual())
            update_profile(person, name=name, choice=choice, locale="en")
            people.append(person)
        db.session.commit()
        # The team has confirmed these organisations and their people, so the pages show the
        # organisations' names (the vectors in them must be shown, and must not run).
        db.session.execute(sa.update(Organisation).values(state=VerificationState.verified))
        db.session.execute(sa.update(Membership).values(state=VerificationState.verified))
        db.session.commit()

        round_ = process.round_of(RoundKind.input)
        bodies = chunks("cb")
        world = World(process_id=process.id, extra_slugs=[p.slug for p in processes[1:]],
                      theme_ids=[t.id for t in themes])
        for n, title in enumerate(packs("ct", 200)):
            item = contribution_services.submit(
                author=people[n % len(people)], round_=round_, theme=themes[n % len(themes)],
                title=title, body_md=bodies[n % len(bodies)], submission_key=uuid.uuid4().hex)
            world.contribution_ids.append(item.id)
        offline_bodies, sources, offline_titles = chunks("ob"), packs("oo", 300), packs("ot", 200)
        for n, name in enumerate(packs("oi", 200)):
            item = contribution_services.record_offline(
                entered_by=admin, round_=round_, theme=themes[n % len(themes)], organisation=None,
                individual_name=name, source=sources[n % len(sources)],
                title=offline_titles[n % len(offline_titles)],
                body_md=offline_bodies[n % len(offline_bodies)], submission_key=uuid.uuid4().hex)
            world.offline_ids.append(item.id)

        invitation_orgs = packs("io", 200)
        for n, name in enumerate(packs("iv", 120)):
            invite(process, email=f"invited{n}@example.nl", name=name,
                   organisation_name=invitation_orgs[n % len(invitation_orgs)],
                   kind=InvitationKind.read_along, by=admin, locale="en")
        # Template titles and flag notes are kept as typed (escaped on output): packed by
        # their raw length. Every moderation item page lists all templates.
        bodies = chunks("tb")
        for n, title in enumerate(packs("tt", 200, measure=str)):
            moderation_services.add_template(process, admin, title=title,
                                             disposition=Disposition.noted,
                                             body_md=bodies[n] if n < len(bodies) else title)
        db.session.commit()
    return world


def build_round_two_with_services(app, world: World) -> None:
    """The draft, comments, replies, responses, flags, hiding and rejecting."""
    with app.test_request_context():
        admin = db.session.scalar(sa.select(User).where(User.email == ADMIN))
        fred = db.session.scalar(sa.select(User).where(User.email == FRED))
        process = db.session.get(Process, world.process_id)
        people = list(db.session.scalars(sa.select(User).where(User.email.like("p%@example.nl"))
                                         .order_by(User.id)))
        version = publish_draft(process, admin, markdown=draft_markdown("dr", heading_packs()))
        feedback = open_feedback_round(process)
        sections = sorted(version.sections, key=lambda s: s.position)

        comments, replies = chunks("cm"), chunks("rp")
        for n, body in enumerate(comments):
            section = sections[n % len(sections)]
            top = comment_services.post(author=people[n % len(people)], round_=feedback,
                                        section=section, body_md=body,
                                        submission_key=uuid.uuid4().hex)
            reply = comment_services.post(author=fred if n % 2 else people[(n + 1) % len(people)],
                                          round_=feedback, section=section,
                                          body_md=replies[n % len(replies)],
                                          submission_key=uuid.uuid4().hex, parent=top)
            deeper = comment_services.post(author=people[(n + 2) % len(people)], round_=feedback,
                                           section=section, body_md=replies[(n + 1) % len(replies)],
                                           submission_key=uuid.uuid4().hex, parent=reply)
            world.comment_ids += [top.id, reply.id, deeper.id]
        comment_services.post(author=admin, round_=feedback, section=sections[0],
                              body_md=chunks("tm")[0], submission_key=uuid.uuid4().hex)

        responses = chunks("rs")
        targets = ([(TargetType.contribution, db.session.get(Contribution, i))
                    for i in world.contribution_ids + world.offline_ids]
                   + [(TargetType.comment, db.session.get(Comment, i))
                      for i in world.comment_ids[::3]])
        dispositions = list(Disposition)
        for n, (kind, item) in enumerate(targets):
            moderation_services.save_response(
                process, kind, item, admin, disposition=dispositions[n % len(dispositions)],
                body_md=responses[n % len(responses)], lineage_ids=[sections[0].lineage_id],
                publish=True)
        items = world.contribution_ids + world.offline_ids
        for n, note in enumerate(packs("fn", 1000, measure=str)):
            item_id = items[n % len(items)]
            moderation_services.flag(TargetType.contribution, db.session.get(Contribution, item_id),
                                     people[n % len(people)], FlagReason.other, note)
            world.flag_notes.setdefault(item_id, []).append(f"XSS-fn-{n}")
        for n, reason in enumerate(packs("hr", 2000), start=1):
            world.hidden_ids.append(world.contribution_ids[n])
            moderation_services.hide(process, TargetType.contribution,
                                     db.session.get(Contribution, world.contribution_ids[n]), admin,
                                     reason)
        # Under pre-moderation comments wait for the team: some are rejected with a reason
        # (mailed to their authors), one stays in the queue.
        feedback.moderation = ModerationMode.pre
        reasons = packs("rr", 2000)
        waiting = [comment_services.post(author=people[n], round_=feedback, section=sections[n],
                                         body_md=body, submission_key=uuid.uuid4().hex)
                   for n, body in enumerate(chunks("pe")[:len(reasons) + 1])]
        for comment, reason in zip(waiting, reasons, strict=False):  # the last one waits
            moderation_services.reject(process, TargetType.comment, comment, admin, reason)
        feedback.moderation = ModerationMode.post
        world.waiting_ids = [c.id for c in waiting]
        db.session.commit()


# --- the forms ------------------------------------------------------------------------------

def _post_with_key(client, url: str, data: dict):
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(page),
                                  "submission_key": submission_key(page),
                                  **data})


def _saved(response) -> None:
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))


def round_one_through_forms(app, world: World, fred_client, admin_client) -> None:
    """A subset through the real forms; what is stored must be what the cleaners make."""
    register = {"name": form_line("fred", 120), "email": FRED, "password": PASSWORD,
                "password_confirm": PASSWORD, "participate_as": "new",
                "org_name": form_line("fred-org", 200), "org_kind": "business",
                "org_sector": form_line("fred-sector", 120),
                "org_role": form_line("fred-role", 120), "consent": "y"}
    _saved(submit(fred_client, "/account/register", register))
    with app.app_context():
        fred = db.session.scalar(sa.select(User).where(User.email == FRED))
        assert fred.name == plain_text(register["name"])
        assert fred.organisation.name == plain_text(register["org_name"])
        assert fred.organisation.sector == plain_text(register["org_sector"])
        assert "<" not in fred.organisation.name.replace("<script>alert(1)</script>", "")
        confirm_email(fred)
        fred.locale = "en"
        db.session.commit()
        org_id = fred.organisation_id
    _saved(submit(fred_client, "/account/login", {"email": FRED, "password": PASSWORD}))
    profile_name = form_line("fred-profile", 120)
    _saved(submit(fred_client, "/account/", {"name": profile_name, "locale": "en",
                                             "participate_as": "existing",
                                             "organisation_id": str(org_id)}))

    # A NUL inside a tag name is refused next to the field, the rest of the text kept.
    refused = _post_with_key(fred_client, f"/p/{SLUG}/input/new", {
        "theme_id": world.theme_ids[0], "title": "XSS-nul <scr\x00ipt>alert(1)</scr\x00ipt>",
        "body": FORM_MD})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200  # the form again, the field marked
    assert any(e.startswith("title:") for e in field_errors(html)), field_errors(html)
    assert "XSS-nul &lt;script&gt;alert(1)&lt;/script&gt;" in html and "XSS-form-md" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Contribution).where(
            Contribution.title.like("XSS-nul%"))) == 0

    title = form_line("fred-title", 200)
    _saved(_post_with_key(fred_client, f"/p/{SLUG}/input/new", {
        "theme_id": world.theme_ids[0], "title": title, "body": FORM_MD}))
    theme = {"title": form_line("form-theme", 200), "description": form_line("form-theme-text", 1000)}
    _saved(submit(admin_client, f"/p/{SLUG}/themes/new", theme))
    invitation = {"name": form_line("form-invitee", 120), "email": "form-invitee@example.nl",
                  "organisation": form_line("form-invitee-org", 200), "kind": "full"}
    _saved(submit(admin_client, f"/p/{SLUG}/invitations", invitation,
                  page_url=f"/p/{SLUG}/invitations"))
    edited = {"title": form_line("form-process", 200), "summary": form_line("form-summary", 500),
              "intro_md": FORM_MD, "contact": form_line("form-contact", 300),
              "visibility": "public"}
    _saved(submit(admin_client, f"/p/{world.extra_slugs[0]}/edit", edited))
    offline = {"organisation_id": "0", "individual_name": form_line("form-offline-name", 200),
               "source": form_line("form-offline-source", 300), "theme_id": world.theme_ids[1],
               "title": form_line("form-offline-title", 200), "body": FORM_MD}
    _saved(_post_with_key(admin_client, f"/p/{SLUG}/input/offline", offline))

    with app.app_context():
        fred = db.session.get(User, fred.id)
        assert fred.name == plain_text(profile_name)
        mine = db.session.scalar(sa.select(Contribution).where(Contribution.author_id == fred.id))
        assert (mine.title, mine.body_md) == (plain_text(title), FORM_MD)
        assert mine.body_html == markdown_to_html(FORM_MD)
        world.fred_contribution_ids.append(mine.id)
        made = db.session.scalar(sa.select(Theme).where(Theme.title.like("XSS-form-theme %")))
        assert (made.title, made.description) == (plain_text(theme["title"]),
                                                  plain_text(theme["description"]))
        invited = db.session.scalar(sa.select(Invitation).where(
            Invitation.email == "form-invitee@example.nl"))
        assert (invited.name, invited.organisation_name) == (
            plain_text(invitation["name"]), plain_text(invitation["organisation"]))
        process = db.session.scalar(sa.select(Process).where(Process.slug == world.extra_slugs[0]))
        assert (process.title, process.summary, process.contact) == (
            plain_text(edited["title"]), plain_text(edited["summary"]),
            plain_text(edited["contact"]))
        assert process.intro_html == markdown_to_html(FORM_MD)
        recorded = db.session.scalar(sa.select(Contribution).where(
            Contribution.offline_source.like("XSS-form-offline-source %")))
        assert (recorded.title, recorded.organisation_name) == (
            plain_text(offline["title"]), plain_text(offline["individual_name"]))
        assert recorded.body_html == markdown_to_html(FORM_MD)
        world.offline_ids.append(recorded.id)
        # Fred's input also comes through the service, so "my contributions" is full of it.
        round_ = db.session.get(Process, world.process_id).round_of(RoundKind.input)
        themes = [db.session.get(Theme, i) for i in world.theme_ids]
        for n, title in enumerate(packs("ft", 200)[:4]):
            item = contribution_services.submit(
                author=fred, round_=round_, theme=themes[n], title=title,
                body_md=chunks("fb")[n], submission_key=uuid.uuid4().hex)
            world.fred_contribution_ids.append(item.id)
        db.session.commit()


def round_two_through_forms(app, world: World, fred_client, admin_client) -> None:
    with app.app_context():
        version = draft_services.latest_published(db.session.get(Process, world.process_id))
        number = min(version.sections, key=lambda s: s.position).number
    _saved(_post_with_key(fred_client, f"/p/{SLUG}/draft/s/{number}",
                          {"body": FORM_MD.replace("XSS-form-md", "XSS-form-comment")}))
    with app.app_context():
        comment = db.session.scalar(sa.select(Comment).where(Comment.body_md.like("XSS-form-comment%")))
        assert comment.body_html == markdown_to_html(comment.body_md)
        parent_id = comment.id
    reply = FORM_MD.replace("XSS-form-md", "XSS-form-reply")
    _saved(_post_with_key(fred_client, f"/p/{SLUG}/comments/{parent_id}/reply", {"body": reply}))

    item_url = f"/p/{SLUG}/moderation/contribution/{world.fred_contribution_ids[0]}"
    response = FORM_MD.replace("XSS-form-md", "XSS-form-response")
    _saved(submit(admin_client, item_url + "/response", {
        "disposition": "partly", "body": response, "sections": [], "action": "publish"},
        page_url=item_url))
    with app.app_context():
        saved = db.session.scalar(sa.select(Response).where(
            Response.target_type == TargetType.contribution,
            Response.target_id == world.fred_contribution_ids[0]))
        assert saved.body_html == markdown_to_html(response) and saved.published_at

    # The next version of the draft, uploaded as a Markdown file: its preview and, once
    # published, its pages show word differences of the raw texts.
    page = admin_client.get(f"/p/{SLUG}/draft/upload").get_data(as_text=True)
    upload = draft_markdown("dv", heading_packs(), shift=1, extra=FORM_MD)
    answer = admin_client.post(f"/p/{SLUG}/draft/upload", data={
        "csrf_token": csrf_token(page),
        "document": (io.BytesIO(upload.encode()), "concept-v2.md")})
    _saved(answer)
    world.preview_path = answer.headers["Location"]
    with app.app_context():
        version = db.session.scalar(sa.select(DraftVersion).order_by(DraftVersion.number.desc()))
        parsed = draft_services.parse_upload("concept-v2.md", upload.encode())[1]
        assert version.preamble_html == markdown_to_html(parsed.preamble_md)
        stored = sorted(version.sections, key=lambda s: s.position)
        assert [(s.heading, s.body_html) for s in stored] == [
            (p.heading, markdown_to_html(p.body_md)) for p in parsed.sections]


def publish_second_version(app, world: World) -> None:
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == ADMIN))
        version = db.session.scalar(sa.select(DraftVersion).order_by(DraftVersion.number.desc()))
        draft_services.publish(version, draft_services.proposed_matches(version), by=admin)
        db.session.commit()


# --- the browser ----------------------------------------------------------------------------

@dataclass
class Recorder:
    """What ran, what the browser complained about, and what the DOM scans found."""
    calls: list = field(default_factory=list)
    console: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    pages: list = field(default_factory=list)

    def watch(self, context):
        context.add_init_script(RECORDER_JS)
        context.expose_function("__xssRecorded",
                                lambda name, arg, url: self.calls.append((name, arg, url)))
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("dialog", lambda dialog: (self.calls.append(("dialog", dialog.message, page.url)),
                                          dialog.dismiss()))
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.console.append((page.url, str(error))))
        return page

    def _console(self, page, message) -> None:
        # Chromium asks every site for /favicon.ico by itself; the site has none (404).
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.console.append((page.url, message.text, message.location.get("url")))

    def check(self, page, label: str, markers=(), **opts) -> None:
        """Let the page settle (animations, focus, failed images), then scan it."""
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => "
                      "requestAnimationFrame(() => setTimeout(done, 0))))")
        # h2: a page shows participants' headings one level under its own h1 (headings_under).
        options = {"userHtml": USER_HTML, "allowedTags": sorted(ALLOWED_TAGS | {"h2"}),
                   "ownScripts": True,
                   "headStyle": False, "mailLayout": False, **opts}
        self.problems += [f"{label}: {p}" for p in page.evaluate(SCAN_JS, options)]
        text = page.evaluate("() => document.documentElement.textContent + ' ' + Array.from("
                             "document.querySelectorAll('input, textarea, select'), "
                             "(e) => e.value).join(' ')")
        self.missing += [f"{label}: {m}" for m in markers if m not in text]
        self.pages.append(label)
        return text

    def visit(self, page, url: str, path: str, markers=()) -> str:
        response = page.goto(url + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        return self.check(page, path, markers)

    def visit_all(self, page, url: str, paths: list[str], markers=()) -> None:
        """Visit every page; each marker must be shown on one of them."""
        text = " ".join(self.visit(page, url, path) for path in paths)
        self.missing += [f"{paths[0]}…: {m}" for m in markers if m not in text]

    def assert_clean(self) -> None:
        report = [f"ran: {c}" for c in self.calls] + self.problems + [
            f"console: {c}" for c in self.console] + [f"not shown: {m}" for m in self.missing]
        assert not report, f"{len(report)} finding(s):\n" + "\n".join(report[:60])


def log_in(page, url: str, email: str, password: str = "lange-wachtzin-42") -> None:
    page.goto(url + "/account/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/account/login).*$"))


def _markers(code: str, count: int) -> list[str]:
    return [f"XSS-{code}-{n}" for n in range(count)]


def every(code: str, limit: int) -> list[str]:
    """The markers of every pack of a one-line field."""
    return _markers(code, len(packs(code, limit)))


def _ids(app, model, *where) -> list:
    with app.app_context():
        return list(db.session.scalars(sa.select(model.id).where(*where).order_by(model.id)))


def anonymous_pages(recorder: Recorder, page, url: str, world: World) -> None:
    """The registration form sent with vectors and an error: the text is kept, nothing runs."""
    page.goto(url + "/account/register")
    vectors = {"#name": FORM_VECTORS[2], "#org_name": FORM_VECTORS[6], "#org_sector": FORM_VECTORS[7]}
    page.fill("#email", "browser@example.nl")
    page.check("input[name=participate_as][value=new]")
    for selector, vector in vectors.items():
        page.fill(selector, vector)
    page.locator("main form button[type=submit]").click()  # no password: refused
    page.wait_for_selector(".error-summary")
    for selector, vector in vectors.items():
        assert page.input_value(selector) == vector, selector
    recorder.check(page, "register with errors")
    # Every process's title and summary (process 1 was renamed through the form).
    titles = [m for m in _markers("pt", len(packs("pt", 200))) if m != "XSS-pt-1"]
    recorder.visit(page, url, "/", titles + _markers("ps", len(packs("ps", 500)))
                   + ["XSS-form-process", "XSS-form-summary"])
    recorder.visit(page, url, f"/p/{SLUG}", ["XSS-pt-0", "XSS-ps-0", "XSS-pc-0", "XSS-in-0"]
                   + every("th", 200) + every("td", 1000))
    recorder.visit(page, url, f"/p/{SLUG}/input?q=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    recorder.visit(page, url, "/account/login?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")


def participant_pages(recorder: Recorder, page, url: str, app, world: World) -> None:
    log_in(page, url, FRED, PASSWORD)
    recorder.check(page, "after login")
    for n, theme_id in enumerate(world.theme_ids):
        recorder.visit(page, url, f"/p/{SLUG}/input?theme={theme_id}", [f"XSS-th-{n}"])
    recorder.visit(page, url, f"/p/{SLUG}/input", ["XSS-ft-", "XSS-ot-"])
    recorder.visit(page, url, f"/p/{SLUG}/input?page=2", ["XSS-ct-", "XSS-on-"])
    for n, item_id in enumerate(world.contribution_ids):
        if item_id in world.hidden_ids:
            continue  # shown to the team only
        recorder.visit(page, url, f"/p/{SLUG}/input/{item_id}",
                       [f"XSS-ct-{n}", f"XSS-on-{n}", "XSS-cb-", "XSS-rs-"])
    for item_id in world.fred_contribution_ids:
        recorder.visit(page, url, f"/p/{SLUG}/input/{item_id}", ["XSS-form-response"] if
                       item_id == world.fred_contribution_ids[0] else ["XSS-ft-", "XSS-fb-"])
    recorder.visit(page, url, f"/p/{SLUG}/flag/contribution/{world.contribution_ids[0]}",
                   ["XSS-cb-0"])
    recorder.visit(page, url, "/account/contributions", ["XSS-fred-title", "XSS-ft-0"])
    recorder.visit(page, url, "/account/", ["XSS-fred-profile", "XSS-fred-org"])
    recorder.visit(page, url, "/account/data", ["XSS-fred-profile", "XSS-fred-sector"])
    headings = _markers("hd", len(heading_packs()))
    recorder.visit(page, url, f"/p/{SLUG}/draft", headings + _markers("dr", len(chunks("dr"))))
    recorder.visit(page, url, f"/p/{SLUG}/draft?version=1", headings + ["XSS-drp-0"])
    with app.app_context():
        version = draft_services.latest_published(db.session.get(Process, world.process_id))
        sections = [(s.number, s.heading.split()[0]) for s in
                    sorted(version.sections, key=lambda s: s.position)]
        with_comments = sorted(set(db.session.scalars(
            sa.select(Section.number).join(Comment, Comment.lineage_id == Section.lineage_id)
            .where(Section.version_id == version.id))))
    numbers = [number for number, _ in sections]
    # The threads are on the sections' pages (the reading view only counts them).
    recorder.visit_all(page, url, [f"/p/{SLUG}/draft/s/{n}" for n in with_comments],
                       _markers("cm", len(chunks("cm"))) + ["XSS-rp-0", "XSS-rs-0", "XSS-tm-0"])
    # The sections made from the heading packs (a vector '# ...' in a text makes one too).
    for number, marker in [(n, m) for n, m in sections if m.startswith("XSS-hd-")][:6]:
        recorder.visit(page, url, f"/p/{SLUG}/draft/s/{number}", [marker, "XSS-dr-"])
    recorder.visit(page, url, f"/p/{SLUG}/comments/{world.comment_ids[0]}/reply", ["XSS-cm-0"])
    own = _ids(app, Comment, Comment.author_id == _fred_id(app))
    recorder.visit(page, url, f"/p/{SLUG}/comments/{own[0]}/edit", ["XSS-"])

    # A reaction typed into the browser's own form: stored, shown, nothing runs.
    page.goto(url + f"/p/{SLUG}/draft/s/{numbers[0]}")
    body = FORM_MD.replace("XSS-form-md", "XSS-browser-comment")
    page.fill("#body", body)
    page.locator("form:has(#body) button[type=submit]").click()
    page.wait_for_selector(".flash")
    recorder.check(page, "after the browser's reaction", ["XSS-browser-comment"])
    with app.app_context():
        stored = db.session.scalar(sa.select(Comment).where(
            Comment.body_md.like("XSS-browser-comment%")))
        assert stored is not None and stored.body_html == markdown_to_html(body)


def _fred_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.email == FRED))


def team_pages(recorder: Recorder, page, url: str, app, world: World) -> None:
    log_in(page, url, ADMIN)
    recorder.visit(page, url, world.preview_path, ["XSS-dv-", "XSS-hd-0", "XSS-form-heading"])
    if not page.locator(".diff").count():
        recorder.problems.append("the preview shows no word differences")
    publish_second_version(app, world)
    recorder.visit(page, url, f"/p/{SLUG}/draft", ["XSS-dvp-0", "XSS-dv-", "XSS-dr-"])
    if not (page.locator(".diff ins").count() and page.locator(".diff del").count()):
        recorder.problems.append("the draft shows no word differences")
    for state in ("all", "pending", "flagged", "unanswered", "hidden"):
        recorder.visit(page, url, f"/p/{SLUG}/moderation?state={state}")
    recorder.visit(page, url, f"/p/{SLUG}/moderation?state=all&page=2")
    # Texts repeat after len(chunks) items: one item per text is every vector once.
    texts = len(chunks("cb"))
    templates = _markers("tt", len(packs("tt", 200, measure=str)))
    offline_names = {item_id: [f"XSS-oi-{n}"] for n, item_id in enumerate(world.offline_ids)
                     if n < len(packs("oi", 200))}
    for item_id in dict.fromkeys(world.contribution_ids[:texts] + world.offline_ids
                                 + list(world.flag_notes)):
        recorder.visit(page, url, f"/p/{SLUG}/moderation/contribution/{item_id}",
                       ["XSS-rs-", "XSS-tb-0", *templates, *world.flag_notes.get(item_id, []),
                        *offline_names.get(item_id, [])])
    # The participant saw the others; the team also sees how offline input came in, and what
    # is hidden, with the reason.
    for n, item_id in enumerate(world.offline_ids[:len(packs("oo", 300))]):
        recorder.visit(page, url, f"/p/{SLUG}/input/{item_id}", [f"XSS-oo-{n}", "XSS-ob-"])
    for n, item_id in enumerate(world.hidden_ids):
        recorder.visit(page, url, f"/p/{SLUG}/input/{item_id}", [f"XSS-hr-{n}"])
    for n, item_id in enumerate(world.comment_ids[:3 * texts:3]):
        recorder.visit(page, url, f"/p/{SLUG}/moderation/comment/{item_id}",
                       [f"XSS-cm-{n}", "XSS-rs-"])
    for item_id in world.comment_ids[1:3]:  # replies, with the comment they answer
        recorder.visit(page, url, f"/p/{SLUG}/moderation/comment/{item_id}", ["XSS-rp-"])
    for n, item_id in enumerate(world.waiting_ids):
        recorder.visit(page, url, f"/p/{SLUG}/moderation/comment/{item_id}",
                       [f"XSS-pe-{n}"] + ([f"XSS-rr-{n}"] if n < len(packs("rr", 2000)) else []))
    for path, markers in [
            (f"/p/{SLUG}/moderation/templates", ["XSS-tt-0", "XSS-tb-0"]),
            (f"/p/{SLUG}/audit", ["XSS-pt-0", "XSS-rs-", "XSS-hr-0"]),
            ("/audit", ["XSS-"]),
            ("/admin/users", every("un", 120) + ["XSS-fred-profile"]),
            # Fred's organisation waits for the team, with his evidence.
            ("/organisations", ["XSS-fred-org", "XSS-fred-role"]),
            (f"/p/{SLUG}/invitations", every("iv", 120) + every("io", 200) + ["XSS-form-invitee"]),
            (f"/p/{SLUG}/dashboard", every("th", 200)),
            (f"/p/{SLUG}/themes", every("th", 200) + ["XSS-form-theme"]),
            (f"/p/{SLUG}/themes/{world.theme_ids[0]}/edit", ["XSS-th-0"]),
            (f"/p/{SLUG}/edit", ["XSS-pt-0", "XSS-in-0"]),
            (f"/p/{SLUG}/input/offline", ["XSS-on-0"]),
            (f"/p/{SLUG}/export", []),
            (f"/p/{SLUG}/export/preview?version=internal&language=en",
             # Residents are not named in the document: their names (oi) are left out.
             every("ct", 200) + every("on", 200) + _markers("cb", texts)
             + _markers("rs", texts) + _markers("cm", texts) + ["XSS-hd-0"]),
            (f"/p/{SLUG}/export/preview?version=public&language=nl", ["XSS-ct-0", "XSS-rs-0"]),
            ("/account/", ["XSS-an-0"])]:
        recorder.visit(page, url, path, markers)
    # The home page shows every process's title and summary; their own pages add the intros.
    for n, slug in enumerate(world.extra_slugs[:len(chunks("ix")) + 1], start=1):
        recorder.visit(page, url, f"/p/{slug}", ["XSS-form-process" if n == 1 else f"XSS-pt-{n}"])
    recorder.visit(page, url, f"/p/{world.extra_slugs[0]}/edit", ["XSS-form-process"])


def downloaded_document(recorder: Recorder, page, admin_client, tmp_path) -> None:
    """The HTML export, opened from disk as someone would open the download: no CSP at all."""
    for version in ("internal", "public"):
        answer = submit(admin_client, f"/p/{SLUG}/export",
                        {"version": version, "language": "en", "format": "html"})
        assert answer.status_code == 200 and answer.mimetype == "text/html", answer.status_code
        path = tmp_path / f"document-{version}.html"
        path.write_bytes(answer.get_data())
        page.goto(path.as_uri())
        recorder.check(page, f"downloaded HTML ({version})",
                       ["XSS-ct-0", "XSS-cb-0", "XSS-rs-0", "XSS-cm-0"],
                       ownScripts=False, headStyle=True)


def mails(recorder: Recorder, page, app) -> None:
    """The outbox's HTML mails (invitations, responses, a rejection, replies) in Chromium."""
    with app.app_context():
        outbox = db.session.execute(sa.select(OutboxMessage.kind, OutboxMessage.body_html)).all()
    assert {"invitation", "response", "rejected", "confirm_email"} <= {k for k, _ in outbox}
    for n, (kind, body) in enumerate(outbox):
        page.set_content(body)
        recorder.check(page, f"mail {n} ({kind})", ["XSS-"], ownScripts=False, mailLayout=True,
                       userHtml="blockquote + div")


# --- the tests ------------------------------------------------------------------------------

@pytest.mark.once
def test_the_corpus_is_broad_and_every_vector_calls_a_recorder():
    """Every kind of attack of the brief, each vector able to show itself by running."""
    assert len(VECTORS) >= 150
    assert all(calls_a_recorder(v) for v in VECTORS)
    assert all(len(group) >= 9 for group in CATEGORIES.values()), {
        k: len(v) for k, v in CATEGORIES.items()}


@pytest.mark.browser
@pytest.mark.once
def test_each_vector_alone_is_cleaned_as_chromium_parses_it(browser):
    """No vector relies on a neighbour in a batch: each one's cleaned form, parsed by Chromium."""
    items = []
    for n, vector in enumerate(VECTORS):
        items.append([f"markdown #{n} {vector!r}", markdown_to_html(storable(vector)), True])
        # A name is escaped by the template wherever it is shown.
        items.append([f"name #{n} {vector!r}", str(escape(plain_text(storable(vector)))), False])
    context = browser.new_context()
    try:
        problems = context.new_page().evaluate(ISOLATED_JS, [items, sorted(ALLOWED_TAGS)])
    finally:
        context.close()
    assert problems == []


@pytest.mark.browser
@pytest.mark.once  # the sanitiser and the templates are the same on either database
def test_no_vector_runs_on_any_page(browser, app, live_server, tmp_path, caplog):
    """Every vector in every field, every page that shows them, with the CSP off: nothing runs,
    nothing dangerous is in the DOM, and the user text is on the page (escaped or cleaned)."""
    caplog.set_level("WARNING", logger="werkzeug")  # a line per request would bury a failure
    fred_client, admin_client = app.test_client(), app.test_client()
    world = build_with_services(app)
    login(admin_client, ADMIN)
    round_one_through_forms(app, world, fred_client, admin_client)
    build_round_two_with_services(app, world)
    round_two_through_forms(app, world, fred_client, admin_client)

    recorder = Recorder()
    contexts = [browser.new_context(bypass_csp=True, locale="en-GB") for _ in range(3)]
    try:
        anonymous, fred, team = (recorder.watch(c) for c in contexts)
        anonymous_pages(recorder, anonymous, live_server.url, world)
        participant_pages(recorder, fred, live_server.url, app, world)
        team_pages(recorder, team, live_server.url, app, world)
        downloaded_document(recorder, team, admin_client, tmp_path)
        mails(recorder, anonymous, app)
    except Exception as error:  # noqa: BLE001
        # A page broken by a vector can stop the journey: the report says what ran until then.
        recorder.problems.append(f"the journey stopped: {error!r}"[:600])
    finally:
        for context in contexts:
            context.close()
    mails_checked = sum(label.startswith("mail ") for label in recorder.pages)
    print(f"\nXSS: {len(VECTORS)} vectors in {len(FIELDS)} fields, "
          f"{len(recorder.pages) - mails_checked} pages and "
          f"{mails_checked} mails checked, {len(recorder.calls)} executed")
    recorder.assert_clean()
    assert len(recorder.pages) - mails_checked >= 100


# --- headers --------------------------------------------------------------------------------

def _directives(policy: str) -> dict[str, list[str]]:
    parts = [p.split() for p in policy.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def test_csp_and_protective_headers_without_https(client, app):
    """The CSP is the second line behind the sanitiser: no inline script, no framing, no
    plugins, no <base>; on pages, error pages and static files alike."""
    with app.app_context():
        make_user(locale="en")
    for path, status in [("/", 200), ("/account/login", 200), ("/bestaat-niet", 404),
                         ("/static/js/site.js", 200)]:
        answer = client.get(path)
        assert answer.status_code == status, path
        policy = _directives(answer.headers["Content-Security-Policy"])
        assert policy.get("script-src", policy.get("default-src")) == ["'self'"], path
        assert "'unsafe-inline'" not in policy.get("default-src", []), path
        assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"], path
        assert answer.headers["X-Content-Type-Options"] == "nosniff", path
        assert answer.headers["Referrer-Policy"] in {
            "same-origin", "strict-origin-when-cross-origin", "no-referrer", "strict-origin"}
        assert "Strict-Transport-Security" not in answer.headers  # ignored over plain HTTP
        answer.close()
    page = client.get("/account/login")
    answer = client.post("/account/login", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "email": "pieter@example.nl",
        "password": "lange-wachtzin-42"})
    assert answer.status_code == 302
    cookie = next(c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_over_https_hsts_and_secure_cookies(database_url, smtp_server, app):
    """Served over HTTPS with the production setting SESSION_COOKIE_SECURE, every cookie that
    carries a login is Secure and HSTS tells the browser to stay on HTTPS."""
    from participation import create_app

    secure_app = create_app({**app_config(database_url, smtp_server.port),
                             "SESSION_COOKIE_SECURE": True})
    try:
        with secure_app.app_context():
            make_user(locale="en")
        client = secure_app.test_client()
        page = client.get("/account/login", base_url="https://localhost")
        hsts = page.headers["Strict-Transport-Security"]
        assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 180 * 24 * 3600
        answer = client.post("/account/login", base_url="https://localhost", data={
            "csrf_token": csrf_token(page.get_data(as_text=True)), "email": "pieter@example.nl",
            "password": "lange-wachtzin-42", "remember": "y"})
        assert answer.status_code == 302, field_errors(answer.get_data(as_text=True))
        cookies = {c.split("=", 1)[0]: c for c in answer.headers.getlist("Set-Cookie")}
        assert {"session", "remember_token"} <= set(cookies), cookies
        for name in ("session", "remember_token"):
            assert "Secure" in cookies[name] and "HttpOnly" in cookies[name], cookies[name]
            assert "SameSite=Lax" in cookies[name], cookies[name]
    finally:
        with secure_app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- cleaned text is valid HTML too -----------------------------------------------------------

@pytest.mark.once
def test_cleaned_links_hold_only_what_an_address_may_hold():
    """Characters an address may not hold are percent-encoded (the Nu HTML Checker refuses
    them raw); an <a> left without an address is no link, its text stays."""
    assert markdown_to_html('[a](https://example.org/?q=<img&b=1)') == (
        '<p><a href="https://example.org/?q=%3Cimg&amp;b=1" rel="nofollow noopener">a</a></p>')
    assert markdown_to_html('[x](#" onclick="alert(1))') == (
        '<p><a href="#%22%20onclick=%22alert(1" rel="nofollow noopener">x</a>)</p>')
    assert markdown_to_html('[y](javascript\\:alert(1))').count("%5C") == 1
    assert markdown_to_html('[z](javascript:alert(1))') == '<p>z</p>'  # href refused: no <a>


@pytest.mark.once
def test_references_to_control_characters_are_dropped_and_others_kept():
    html = markdown_to_html("a&#1;b&#x0D;c&#13;d&#xFFFF;e &#233; &#x1F600; &amp;#1;")
    assert html == "<p>abcde é 😀 &amp;#1;</p>" or html == "<p>abcde &#233; &#x1F600; &amp;#1;</p>"


def test_forms_drop_invisible_control_characters_and_pages_never_show_them(app, client):
    from participation.core.forms import BaseForm
    from wtforms import StringField

    class Form(BaseForm):
        text = StringField()

    with app.test_request_context(method="POST", data={"text": "een\x01 tekst\x1b\tmet\r\ntab"}):
        form = Form(meta={"csrf": False})
        assert form.validate()
        assert form.text.data == "een tekst\tmet\r\ntab"
    with app.test_request_context():
        from flask import render_template_string
        assert render_template_string("{{ a }}|{{ b|safe }}", a="x\x01<y>",
                                      b="<b>\x02</b>") == "x&lt;y&gt;|<b></b>"
