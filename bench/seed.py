"""Seeding for the benchmarks: a fresh database and a large process, made fast but as the app makes it.

`fresh_database("sqlite" | "postgresql")` gives an empty database (a temporary SQLite file, or a
new PostgreSQL database that its `drop()` removes) and `seed(url, scale)` fills it:

- the process "bench" (pre-moderated round 1, now closed; post-moderated round 2 for invited
  stakeholders and round-1 participants, open now), six themes and a 40-section draft, made by
  the app's own services (create_process, add_round, add_theme, add_version, publish);
- at scale 1: 1,000 organisations with one participant each and 100 residents (every account
  confirmed and consented, with a real scrypt hash of BENCH_PASSWORD), 50 invited members;
- 10,000 round-1 contributions over the themes (skewed: the biggest theme has about 28%), as the
  moderation leaves them: published after review, a few pending, rejected with a reason,
  withdrawn, hidden with a reason, entered offline by the team, edited (with a revision) or
  with a position paper;
- 5,000 comments over the sections (skewed too), in threads up to six deep, 3% of the replies
  by the project team, a few hidden or withdrawn, with "I agree" marks;
- the municipality's responses: most published, some still drafts, the adopted ones with the
  sections where they were taken up.

Rows are bulk-inserted with SQLAlchemy core, but every column is filled as the services fill it:
titles through plain_text, Markdown rendered and cleaned by markdown_to_html into body_html,
organisation name and kind copied onto the item, unique submission keys. A few other processes
make the home page realistic. Deterministic (random.Random(SEED)). On PostgreSQL the seed ends
with VACUUM ANALYZE, as autovacuum would soon after such a load on a live database.
"""
from __future__ import annotations

import random
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

SLUG = "bench"
TITLE = "Economische Agenda 2026-2030 (benchmark)"
#: Every seeded account has this password (the load test logs in with it).
BENCH_PASSWORD = "bench-wachtwoord-2026"  # nosec: a throw-away benchmark database
SEED = 20261127
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"

#: Round-1 themes of the Assen agenda, with their share of the input.
THEMES = (("Werklocaties", 0.28), ("Krachtsectoren", 0.20), ("Arbeidsmarkt", 0.18),
          ("Kennis en innovatie", 0.14), ("Energietransitie", 0.12), ("Digitalisering", 0.08))

SENTENCES = (
    "Wij vragen de gemeente om **meer ruimte** voor bedrijven langs de A28.",
    "Netcongestie remt onze uitbreiding: een *gezamenlijke* aanpak is nodig.",
    "Een vast aanspreekpunt bij de gemeente scheelt ondernemers veel tijd.",
    "Vergunningen voor uitbreiding duren nu te lang; maak er een snelle route voor.",
    "Het mbo en het hbo moeten beter aansluiten op wat de regio vraagt.",
    "Zorg voor betaalbare woningen, anders vinden we geen personeel.",
    "Digitale vaardigheden van kleine bedrijven verdienen ondersteuning.",
    "De binnenstad heeft meer ruimte nodig voor ambacht en kleine maakbedrijven.",
    "Zie ook [ons position paper](https://example.org/positie) over werklocaties.",
    "Wij willen graag meedenken in de uitwerking van het uitvoeringsprogramma.",
    "Samenwerking tussen onderwijs, overheid en ondernemers (de *triple helix*) werkt.",
    "Energie opwekken op bedrijventerreinen moet eenvoudiger worden.",
)
LISTS = ("\n\n- snellere vergunningen;\n- een loket voor ondernemers;\n- aandacht voor personeel.",
         "\n\n1. eerst de knelpunten in kaart;\n2. dan een plan per terrein.", "", "")
TITLES = ("Ruimte voor uitbreiding", "Netcongestie op de bedrijventerreinen", "Personeel vinden",
          "Aansluiting onderwijs en arbeidsmarkt", "Een loket voor ondernemers",
          "Innovatie in de maakindustrie", "Digitalisering van het mkb", "Energie & ruimte",
          "Wonen voor werknemers", "Samenwerking in de regio")
REPLIES = ("Eens met de vorige reactie; ook voor ons is de *netcongestie* het grootste knelpunt.",
           "Kunt u toelichten wat u bedoelt met een snelle route?",
           "Wij zien dit anders: eerst **woningen**, dan werklocaties.",
           "Goed punt. Ons bedrijf loopt tegen hetzelfde aan.")
TEAM_REPLY = "Dank voor uw vraag. We werken dit uit in paragraaf 3 van het uitvoeringsprogramma."
RESPONSES = (
    "Dank voor uw inbreng. We nemen de aanpak van **netcongestie** op in hoofdstuk 3.",
    "Uw punt over vergunningen werken we uit in het uitvoeringsprogramma.",
    "Dit valt buiten de economische agenda; we geven het door aan de woonvisie.",
    "We nemen dit deels over: het loket komt er, de termijnen blijven wettelijk bepaald.",
    "Dit staat al in paragraaf 2.3 van het concept.",
)
REASONS = ("Bevat persoonsgegevens.", "Reclame voor een bedrijf.", "Niet over dit traject.")


def draft_markdown(chapters: int = 8, paragraphs: int = 4) -> str:
    """A draft of chapters x (1 + paragraphs) sections: 40 by default."""
    parts = ["Deze agenda beschrijft de economische koers van Assen voor 2026-2030.\n"]
    for n in range(1, chapters + 1):
        parts.append(f"# Hoofdstuk {n}\n\nInleiding van hoofdstuk {n} over werk en economie.\n")
        for p in range(1, paragraphs + 1):
            parts.append(f"## Paragraaf {n}.{p}\n\n" + (
                "Dit is een alinea met beleidstekst over werk, onderwijs en energie. " * 6)
                + "\n\n- eerste maatregel\n- tweede maatregel\n\n"
                + "Een tweede alinea met de *ambitie* en de **aanpak** voor deze paragraaf.\n")
    return "\n".join(parts)


def fresh_database(kind: str, pg_url: str = PG_DEFAULT) -> tuple[str, callable]:
    """An empty database of this kind and a function that removes it."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="bench-db-"))
        path = folder / "bench.sqlite"

        def drop_file():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            folder.rmdir()
        return f"sqlite:///{path}", drop_file
    from participation.core.config import normalise_database_url

    base = sa.engine.make_url(normalise_database_url(pg_url))
    name = f"participation_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop_database():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), drop_database


def make_app(url: str, **config):
    from participation import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                       **config})


def _weighted(rng: random.Random, weights: list[float]):
    """A function drawing an index with these weights."""
    indices = list(range(len(weights)))
    return lambda: rng.choices(indices, weights)[0]


def seed(url: str, scale: float = 1.0) -> dict:
    """Migrate the empty database at `url` and fill it; returns sizes, timings and markers."""
    from flask_migrate import upgrade

    app = make_app(url)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        migrated = time.perf_counter() - started
        from participation.core.extensions import db
        info = _fill(db, app.config["PRIVACY_STATEMENT_VERSION"], scale)
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does within minutes on a live database: planner statistics and
            # the visibility map. Without them the first minutes run on plans for empty tables.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        db.engine.dispose()
    info["migrate_seconds"] = round(migrated, 1)
    info["seconds"] = round(time.perf_counter() - started, 1)
    return info


def _fill(db, consent_version: str, scale: float) -> dict:
    from participation.accounts.models import (DecisionBasis, Membership, Organisation,
                                               OrganisationKind, Role, User, VerificationState)
    from participation.accounts.passwords import hash_password
    from participation.comments.models import Comment, CommentSupport
    from participation.contributions.models import (Attachment, Contribution,
                                                    ContributionRevision)
    from participation.core.mixins import ModerationState
    from participation.drafts.models import Section
    from participation.drafts.parsing import parse_markdown
    from participation.drafts.services import add_version, publish
    from participation.moderation.models import Disposition, Response, ResponseSection
    from participation.moderation.models import TargetType
    from participation.processes.models import (Audience, ModerationMode, ProcessMember,
                                                RoundKind)
    from participation.processes.services import add_round, add_theme, create_process
    from participation.core.sanitize import markdown_to_html, plain_text
    from participation.core.timeutil import utcnow

    rng = random.Random(SEED)
    now = utcnow()
    n_orgs, n_residents = round(1000 * scale), round(100 * scale)
    n_contributions, n_comments = round(10_000 * scale), round(5_000 * scale)
    password_hash = hash_password(BENCH_PASSWORD)

    # --- processes, rounds, themes, draft: through the services ------------------------------
    for i in range(6):  # other processes of the year, for the home page
        other = create_process(slug=f"traject-{i + 1}", title=f"Traject {i + 1}: "
                               + ("Binnenstad", "Sport", "Wonen", "Mobiliteit", "Cultuur",
                                  "Groen")[i], summary="Een ander traject van dit jaar.",
                               intro_md="Over *dit* traject.", contact="team@assen.example",
                               is_public=i != 5)
        add_round(other, kind=RoundKind.input, opens_at=now - timedelta(days=90 - 10 * i),
                  closes_at=now + timedelta(days=10 * i - 30), moderation=ModerationMode.post,
                  audience=Audience.registered)
    process = create_process(slug=SLUG, title=TITLE, summary="De economische koers van Assen.",
                             intro_md="De gemeente vraagt **ondernemers** en instellingen om "
                                      "inbreng in twee rondes.", contact="team@assen.example")
    input_round = add_round(process, kind=RoundKind.input, opens_at=now - timedelta(days=60),
                            closes_at=now - timedelta(days=30), moderation=ModerationMode.pre,
                            audience=Audience.registered)
    feedback = add_round(process, kind=RoundKind.feedback, opens_at=now - timedelta(days=10),
                         closes_at=now + timedelta(days=14), moderation=ModerationMode.post,
                         audience=Audience.invited)
    themes = [add_theme(process, title=title, description=f"Inbreng over {title.lower()}.")
              for title, _share in THEMES]
    moderator = User(email="moderator@bench.example", name="Projectteam", role=Role.moderator,
                     password_hash=password_hash, locale="nl", email_confirmed_at=now)
    db.session.add(moderator)
    db.session.flush()
    version = add_version(process, parse_markdown(draft_markdown()), source_kind="markdown",
                          source_name="concept-agenda.md", by=moderator)
    publish(version, {s.id: None for s in version.sections}, by=moderator)
    sections = db.session.execute(sa.select(Section.id, Section.lineage_id, Section.number,
                                            Section.heading).where(
        Section.version_id == version.id).order_by(Section.position)).all()
    process_id, input_id, feedback_id, moderator_id = (process.id, input_round.id, feedback.id,
                                                       moderator.id)
    theme_rows = [(t.id, t.title) for t in themes]
    db.session.commit()

    # --- organisations and people ------------------------------------------------------------
    kinds = list(OrganisationKind)
    kind_weights = [0.62, 0.08, 0.05, 0.15, 0.10]
    pick_kind = _weighted(rng, kind_weights)
    sectors = ("Maakindustrie", "Zorg", "Logistiek", "Detailhandel", "ICT", "Onderwijs",
               "Bouw", "Energie", "Horeca", "Zakelijke diensten")
    org_rows = []
    for i in range(n_orgs):
        name = plain_text(f"{rng.choice(('Bakker', 'De Vries', 'Assen', 'Drenthe', 'Noord'))} "
                          f"{rng.choice(sectors)} {i:04d} & Zn B.V.")
        org_rows.append({"name": name, "name_key": " ".join(name.split()).casefold(),
                         "kind": kinds[pick_kind()], "sector": rng.choice(sectors),
                         "created_at": now - timedelta(days=70),
                         "state": VerificationState.verified, "decided_at": now})
    if org_rows:
        db.session.execute(sa.insert(Organisation), org_rows)
    orgs = db.session.execute(sa.select(Organisation.id, Organisation.name, Organisation.kind)
                              .order_by(Organisation.id)).all()
    people = [{"email": f"deelnemer{i:05d}@bench.example", "name": f"Deelnemer {i}",
               "password_hash": password_hash, "role": Role.participant,
               "organisation_id": orgs[i].id if i < n_orgs else None,
               "locale": "en" if i % 17 == 0 else "nl",
               "email_confirmed_at": now - timedelta(days=65), "consent_at": now - timedelta(
                   days=65), "consent_version": consent_version,
               "created_at": now - timedelta(days=65)} for i in range(n_orgs + n_residents)]
    db.session.execute(sa.insert(User), people)
    users = db.session.execute(sa.select(User.id, User.organisation_id, User.email).where(
        User.role == Role.participant).order_by(User.id)).all()
    # Every participant for an organisation is its confirmed member: the document names them all.
    members = [{"user_id": u.id, "organisation_id": u.organisation_id, "role": "medewerker",
                "state": VerificationState.verified, "decided_via": DecisionBasis.team,
                "decided_at": now, "created_at": now, "requested_at": now,
                "registered_organisation": False} for u in users if u.organisation_id]
    if members:
        db.session.execute(sa.insert(Membership), members)
    org_by_id = {o.id: o for o in orgs}
    db.session.execute(sa.insert(ProcessMember), [
        {"process_id": process_id, "user_id": u.id, "source": rng.choice(("full", "read_along"))}
        for u in rng.sample(users, min(len(users), round(50 * scale) or 1))])

    def author(user) -> dict:
        org = org_by_id.get(user.organisation_id)
        return {"author_id": user.id, "organisation_id": org.id if org else None,
                "organisation_name": org.name if org else None,
                "organisation_kind": org.kind if org else None}

    # Distinct texts, each rendered and cleaned once, as submit() would have done.
    bodies = []
    for i in range(40):
        md = " ".join(rng.sample(SENTENCES, 2 + i % 4)) + LISTS[i % len(LISTS)]
        if i % 5 == 0:
            md += "\n\n" + " ".join(rng.sample(SENTENCES, 3))
        bodies.append((md, markdown_to_html(md)))
    replies = [(md, markdown_to_html(md)) for md in REPLIES]
    team_reply = (TEAM_REPLY, markdown_to_html(TEAM_REPLY))
    titles = [plain_text(t) for t in TITLES]

    # --- round 1: contributions -----------------------------------------------------------------
    pick_theme = _weighted(rng, [share for _t, share in THEMES])
    window = (30 * 24 * 60) / max(n_contributions, 1)  # minutes between two, over the round
    rows, revisions, attachments = [], [], []
    for i in range(n_contributions):
        created = now - timedelta(days=60) + timedelta(minutes=i * window)
        md, html = rng.choice(bodies)
        roll = rng.random()
        row = {**author(rng.choice(users)), "round_id": input_id,
               "theme_id": theme_rows[pick_theme()][0], "title": rng.choice(titles),
               "body_md": md, "body_html": html, "state": ModerationState.published,
               "submission_key": uuid.uuid4().hex, "created_at": created,
               "updated_at": created, "moderated_at": created + timedelta(hours=5),
               "moderated_by_id": moderator_id, "rejection_reason": None, "hidden_at": None,
               "hidden_by_id": None, "hidden_reason": None, "withdrawn_at": None,
               "offline_source": None, "entered_by_id": None}
        if roll < 0.01:  # still waiting for the team when the round closed
            row.update(state=ModerationState.pending, moderated_at=None, moderated_by_id=None)
        elif roll < 0.03:
            row.update(state=ModerationState.rejected, rejection_reason=rng.choice(REASONS))
        elif roll < 0.05:
            row.update(state=ModerationState.withdrawn,
                       withdrawn_at=created + timedelta(days=2))
        elif roll < 0.07:
            row.update(hidden_at=created + timedelta(days=1), hidden_by_id=moderator_id,
                       hidden_reason=rng.choice(REASONS))
        elif roll < 0.08:  # received by e-mail, entered by the team on the sender's behalf
            org = rng.choice(orgs)
            row.update(author_id=None, organisation_id=org.id, organisation_name=org.name,
                       organisation_kind=org.kind, offline_source="E-mail aan het projectteam",
                       entered_by_id=moderator_id)
        rows.append(row)
        if i % 33 == 0:
            revisions.append(row["submission_key"])
        if i % 50 == 7:
            attachments.append(row["submission_key"])
    for start in range(0, len(rows), 2000):
        db.session.execute(sa.insert(Contribution), rows[start:start + 2000])
    ids = dict(db.session.execute(sa.select(Contribution.submission_key, Contribution.id)).all())
    by_key = {r["submission_key"]: r for r in rows}
    if revisions:
        db.session.execute(sa.insert(ContributionRevision), [
            {"contribution_id": ids[key], "title": by_key[key]["title"],
             "body_md": bodies[0][0], "body_html": bodies[0][1],
             "written_at": by_key[key]["created_at"], "replaced_by_id": by_key[key]["author_id"],
             "replaced_at": by_key[key]["created_at"] + timedelta(hours=1)}
            for key in revisions])
    if attachments:
        db.session.execute(sa.insert(Attachment), [
            {"contribution_id": ids[key], "stored_name": f"{uuid.uuid4().hex}.pdf",
             "original_name": "positiepaper.pdf", "size": 48_213, "pages": 3,
             "sha256": uuid.uuid4().hex * 2} for key in attachments])

    # --- round 2: comments in threads ----------------------------------------------------------
    pick_section = _weighted(rng, [1 / (k + 1) ** 0.8 for k in rng.sample(range(len(sections)),
                                                                            len(sections))])
    plan = []  # dicts with a provisional "parent" (index into plan) and "depth"
    per_section: dict[int, list[int]] = {}
    step = (10 * 24 * 60) / max(n_comments, 1)
    for j in range(n_comments):
        s = pick_section()
        earlier = per_section.setdefault(s, [])
        parent = None
        if earlier and rng.random() < 0.55:
            parent = rng.choice(earlier[-8:])
            if plan[parent]["depth"] >= 5:
                parent = None
        team = parent is not None and rng.random() < 0.03
        user = rng.choice(users)
        md, html = team_reply if team else (rng.choice(replies) if parent is not None
                                            else rng.choice(bodies))
        created = now - timedelta(days=10) + timedelta(minutes=j * step)
        row = {**({"author_id": moderator_id, "organisation_id": None, "organisation_name": None,
                   "organisation_kind": None} if team else author(user)),
               "round_id": feedback_id, "section_id": sections[s].id,
               "lineage_id": sections[s].lineage_id, "by_team": team, "body_md": md,
               "body_html": html, "state": ModerationState.published,
               "submission_key": uuid.uuid4().hex, "created_at": created, "updated_at": created,
               "withdrawn_at": None, "hidden_at": None, "hidden_by_id": None,
               "hidden_reason": None, "parent": parent,
               # the conversation's first comment (an index into plan, as "parent")
               "root": None if parent is None else (
                   parent if plan[parent]["root"] is None else plan[parent]["root"]),
               "depth": plan[parent]["depth"] + 1 if parent is not None else 0}
        roll = rng.random()
        if not team and roll < 0.02:
            row.update(hidden_at=created + timedelta(hours=3), hidden_by_id=moderator_id,
                       hidden_reason=rng.choice(REASONS))
        elif not team and roll < 0.04:
            row.update(state=ModerationState.withdrawn, withdrawn_at=created + timedelta(hours=6))
        plan.append(row)
        earlier.append(j)
    comment_ids: dict[int, int] = {}
    for depth in range(0, 7):
        level = [(j, row) for j, row in enumerate(plan) if row["depth"] == depth]
        if not level:
            break
        db.session.execute(sa.insert(Comment), [
            {**{k: v for k, v in row.items() if k not in ("parent", "root")},
             "parent_id": comment_ids[row["parent"]] if row["parent"] is not None else None,
             "root_id": comment_ids[row["root"]] if row["root"] is not None else None}
            for _j, row in level])
        keys = dict(db.session.execute(sa.select(Comment.submission_key, Comment.id).where(
            Comment.depth == depth)).all())
        for j, row in level:
            comment_ids[j] = keys[row["submission_key"]]
    supports = set()
    for j, row in enumerate(plan):
        if row["state"] is ModerationState.published and not row["hidden_at"] and rng.random() < 0.4:
            for user in rng.sample(users, rng.randint(1, 5)):
                if user.id != row["author_id"]:
                    supports.add((comment_ids[j], user.id))
    if supports:
        db.session.execute(sa.insert(CommentSupport), [
            {"comment_id": c, "user_id": u, "created_at": now} for c, u in sorted(supports)])

    # --- the municipality's responses ----------------------------------------------------------
    responses = [(md, markdown_to_html(md)) for md in RESPONSES]
    dispositions = list(Disposition)
    targets = [(TargetType.contribution, ids[r["submission_key"]]) for r in rows
               if r["state"] is ModerationState.published]
    targets += [(TargetType.comment, comment_ids[j]) for j, r in enumerate(plan)
                if r["depth"] == 0 and not r["by_team"] and r["state"] is ModerationState.published
                and rng.random() < 0.7]
    response_rows = []
    for kind, target in targets:
        roll = rng.random()
        if roll < 0.05:
            continue  # not answered yet
        k = rng.randrange(len(responses))
        response_rows.append({
            "process_id": process_id, "target_type": kind, "target_id": target,
            "disposition": dispositions[k], "body_md": responses[k][0],
            "body_html": responses[k][1], "written_by_id": moderator_id,
            "published_at": None if roll < 0.10 else now - timedelta(days=2),
            "created_at": now - timedelta(days=3), "updated_at": now - timedelta(days=3)})
    for start in range(0, len(response_rows), 5000):
        db.session.execute(sa.insert(Response), response_rows[start:start + 5000])
    taken_up = db.session.scalars(sa.select(Response.id).where(Response.disposition.in_(
        [Disposition.adopted, Disposition.partly])).order_by(Response.id)).all()
    if taken_up:
        db.session.execute(sa.insert(ResponseSection), [
            {"response_id": r, "lineage_id": sections[r % len(sections)].lineage_id}
            for r in taken_up])
    db.session.commit()

    # --- what the benchmark looks for ----------------------------------------------------------
    visible_c = sa.and_(Contribution.round_id == input_id, Contribution.is_shown)
    theme_counts = dict(db.session.execute(sa.select(Contribution.theme_id, sa.func.count())
                                           .where(visible_c).group_by(Contribution.theme_id)).all())
    biggest_theme = max(theme_rows, key=lambda t: theme_counts.get(t[0], 0))
    newest = db.session.scalar(sa.select(Contribution.id).where(
        visible_c, Contribution.theme_id == biggest_theme[0]).order_by(
        Contribution.created_at.desc(), Contribution.id.desc()).limit(1))
    visible_k = Comment.is_shown
    section_counts = dict(db.session.execute(sa.select(Comment.lineage_id, sa.func.count())
                                             .where(visible_k).group_by(Comment.lineage_id)).all())
    biggest = max(sections, key=lambda s: section_counts.get(s.lineage_id, 0))
    last = sections[-1]
    newest_comment = db.session.scalar(sa.select(sa.func.max(Comment.id)).where(
        visible_k, Comment.lineage_id == biggest.lineage_id))
    first_comment = db.session.scalar(sa.select(Comment.id).where(
        visible_k, Comment.lineage_id == biggest.lineage_id, Comment.parent_id.is_(None))
        .order_by(Comment.created_at, Comment.id).limit(1))
    last_comment = db.session.scalar(sa.select(sa.func.max(Comment.id)).where(
        visible_k, Comment.lineage_id == last.lineage_id))
    # Round 2 is for invited stakeholders and round-1 participants: the load test posts as one
    # who gave published input for an organisation.
    poster_id = next(r["author_id"] for r in rows if r["organisation_kind"] is not None
                     and r["state"] is ModerationState.published and r["author_id"])
    poster = next(u for u in users if u.id == poster_id)

    def count(model):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))
    return {
        "scale": scale, "slug": SLUG, "title": TITLE,
        "organisations": count(Organisation), "users": count(User),
        "contributions": count(Contribution),
        "contributions_visible": sum(theme_counts.values()), "comments": count(Comment),
        "comments_visible": sum(section_counts.values()),
        "max_depth": max((r["depth"] for r in plan), default=0),
        "supports": count(CommentSupport), "responses": count(Response),
        "sections": len(sections),
        "theme": {"id": biggest_theme[0], "title": biggest_theme[1],
                  "visible": theme_counts.get(biggest_theme[0], 0), "newest_id": newest},
        "thread": {"number": biggest.number, "heading": biggest.heading,
                   "lineage_id": biggest.lineage_id, "section_id": biggest.id,
                   "visible": section_counts.get(biggest.lineage_id, 0),
                   "newest_id": newest_comment, "first_id": first_comment},
        "draft": {"last_heading": last.heading, "last_comment_id": last_comment},
        "poster": {"email": poster.email, "password": BENCH_PASSWORD},
    }
