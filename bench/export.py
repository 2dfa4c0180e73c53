"""Benchmark: the participation document of a large process, in every format.

Seeds 1,000 stakeholders (950 organisations and 50 residents), 10,000 round-1 contributions
and 5,000 round-2 comments (a third of them replies), each answered by the municipality, on a
fresh SQLite file (or PostgreSQL when DATABASE_URL is set). Then each format is exported in a
process of its own, as the CLI does, and the report gives the wall time and the peak memory
(maximum resident set size) of that process. `--scale 2` doubles every count.

Targets (issue 6, the 2-core CI machine): DOCX and XLSX under 20 s, PDF under 90 s, peak memory
under 500 MB; doubling the data at most doubles the time.

    .venv/bin/python bench/export.py [--scale 1] [--formats docx,xlsx,pdf,html,csv,json]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

TARGETS_S = {"docx": 20, "xlsx": 20, "pdf": 90}
TARGET_MB = 500
FORMATS = ("docx", "xlsx", "pdf", "html", "csv", "json")
SLUG = "bench"

BODY = """Wij vragen de gemeente om **meer ruimte** voor bedrijven aan de A28 en een vast
aanspreekpunt. Wat ons betreft:

- snellere vergunningen voor uitbreiding;
- een *gezamenlijke* aanpak van netcongestie;
- aandacht voor personeel: [ons plan](https://example.org/plan).

Graag denken we mee in de volgende ronde."""
REPLY = "Eens met de vorige reactie; ook voor ons is de *netcongestie* het grootste knelpunt."
RESPONSE = ("Dank voor uw inbreng. We nemen de aanpak van **netcongestie** op in hoofdstuk 3 "
            "en werken de vergunningverlening uit in het uitvoeringsprogramma.")


def seed(url: str, scale: int) -> dict:
    from flask_migrate import upgrade

    from participation import create_app
    from participation.accounts.models import Organisation, OrganisationKind, Role, User
    from participation.comments.models import Comment, CommentState
    from participation.contributions.models import Contribution, ContributionState
    from participation.drafts.models import Section
    from participation.drafts.parsing import parse_markdown
    from participation.drafts.services import add_version, publish
    from participation.extensions import db
    from participation.moderation.models import Disposition, Response, ResponseSection
    from participation.moderation.models import TargetType
    from participation.processes.models import RoundKind
    from participation.sanitize import markdown_to_html
    from participation.timeutil import utcnow
    from tests.factories import make_process, open_feedback_round

    organisations, residents = 950 * scale, 50 * scale
    contributions, comments = 10_000 * scale, 5_000 * scale
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        process = make_process(SLUG)
        feedback = open_feedback_round(process)
        input_round = process.round_of(RoundKind.input)
        themes = [t.id for t in process.themes]
        moderator = User(email="mod@bench.example", name="Mod", password_hash="x",
                         role=Role.moderator, locale="nl")
        db.session.add(moderator)
        db.session.flush()
        markdown = "\n".join(f"# Hoofdstuk {n}\n\nTekst van hoofdstuk {n}.\n\n" + "\n".join(
            f"## Paragraaf {n}.{p}\n\nBeleidstekst over werk en energie.\n" for p in range(1, 5))
            for n in range(1, 9))
        version = add_version(process, parse_markdown(markdown), source_kind="markdown",
                              source_name="bench.md", by=moderator)
        publish(version, {s.id: None for s in version.sections}, by=moderator)
        sections = db.session.execute(sa.select(Section.id, Section.lineage_id).where(
            Section.version_id == version.id).order_by(Section.position)).all()
        kinds = list(OrganisationKind)
        db.session.execute(sa.insert(Organisation), [
            {"name": f"Organisatie {i:05d} B.V.", "name_key": f"organisatie {i:05d} b.v.",
             "kind": kinds[i % len(kinds)], "sector": "bench"} for i in range(organisations)])
        org_rows = db.session.execute(sa.select(Organisation.id, Organisation.name,
                                                Organisation.kind)
                                      .order_by(Organisation.id)).all()
        db.session.execute(sa.insert(User), [
            {"email": f"u{i}@bench.example", "name": f"Deelnemer {i}", "password_hash": "x",
             "role": Role.participant, "locale": "nl",
             "organisation_id": org_rows[i].id if i < organisations else None}
            for i in range(organisations + residents)])
        users = db.session.execute(sa.select(User.id, User.organisation_id).where(
            User.email.like("%@bench.example"), User.role == Role.participant)
            .order_by(User.id)).all()
        org_by_id = {row.id: row for row in org_rows}
        now = utcnow()
        body_html, reply_html = markdown_to_html(BODY), markdown_to_html(REPLY)

        def author(i):
            user = users[i % len(users)]
            org = org_by_id.get(user.organisation_id)
            return {"author_id": user.id, "organisation_id": org.id if org else None,
                    "organisation_name": org.name if org else None,
                    "organisation_kind": org.kind if org else None}

        for start in range(0, contributions, 2000):
            db.session.execute(sa.insert(Contribution), [
                {**author(i), "round_id": input_round.id, "theme_id": themes[i % len(themes)],
                 "title": f"Inbreng {i}: ruimte, personeel en energie", "body_md": BODY,
                 "body_html": body_html, "state": ContributionState.published,
                 "submission_key": uuid.uuid4().hex,
                 "created_at": now - timedelta(days=30, minutes=i), "updated_at": now}
                for i in range(start, min(start + 2000, contributions))])
        # Comments: two of three start a thread, the third replies to the one before it.
        top = [i for i in range(comments) if i % 3 != 2]
        db.session.execute(sa.insert(Comment), [
            {**author(i * 7), "round_id": feedback.id,
             "section_id": sections[i % len(sections)].id,
             "lineage_id": sections[i % len(sections)].lineage_id, "depth": 0,
             "body_md": BODY, "body_html": body_html, "state": CommentState.published,
             "submission_key": uuid.uuid4().hex, "created_at": now - timedelta(minutes=i),
             "updated_at": now} for i in top])
        parents = db.session.execute(sa.select(Comment.id, Comment.section_id, Comment.lineage_id)
                                     .order_by(Comment.id)).all()
        db.session.execute(sa.insert(Comment), [
            {**author(i * 11), "round_id": feedback.id, "section_id": parent.section_id,
             "lineage_id": parent.lineage_id, "parent_id": parent.id, "depth": 1,
             "body_md": REPLY, "body_html": reply_html, "state": CommentState.published,
             "submission_key": uuid.uuid4().hex, "created_at": now, "updated_at": now}
            for i, parent in zip(range(comments - len(top)), parents, strict=False)])
        response_html = markdown_to_html(RESPONSE)
        dispositions = list(Disposition)
        targets = [(TargetType.contribution, i) for i in db.session.scalars(
            sa.select(Contribution.id))] + [(TargetType.comment, i) for i in db.session.scalars(
                sa.select(Comment.id))]
        for start in range(0, len(targets), 5000):
            db.session.execute(sa.insert(Response), [
                {"process_id": process.id, "target_type": kind, "target_id": target,
                 "disposition": dispositions[target % len(dispositions)], "body_md": RESPONSE,
                 "body_html": response_html, "published_at": now, "written_by_id": moderator.id,
                 "created_at": now, "updated_at": now}
                for kind, target in targets[start:start + 5000]])
        responses = db.session.scalars(sa.select(Response.id).order_by(Response.id)).all()
        db.session.execute(sa.insert(ResponseSection), [
            {"response_id": r, "lineage_id": sections[r % len(sections)].lineage_id}
            for r in responses[::3]])
        db.session.commit()
    return {"organisations": organisations, "residents": residents,
            "contributions": contributions, "comments": comments,
            "seconds": round(time.perf_counter() - started, 1)}


def child(url: str, fmt: str, output: str) -> None:
    """One export, as `flask export` makes it; prints time and peak memory as JSON."""
    from participation import create_app
    from participation.export.services import export
    from participation.extensions import db
    from participation.processes.models import Process

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        process = db.session.scalar(sa.select(Process).where(Process.slug == SLUG))
        started = time.perf_counter()
        data = export(process, fmt, public=True, language="nl", actor=None)
        db.session.commit()
        Path(output).write_bytes(data)
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"format": fmt, "seconds": round(seconds, 2), "peak_mb": round(peak_mb),
                      "bytes": len(data)}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--child", nargs=3, metavar=("URL", "FORMAT", "OUTPUT"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0

    from tests.conftest import create_database

    class Factory:
        def mktemp(self, name):
            return Path(tempfile.mkdtemp(prefix=name))

    url, drop = create_database(Factory())
    try:
        sizes = seed(url, args.scale)
        backend = sa.engine.make_url(url).get_backend_name()
        print(f"database: {backend}; {sizes['organisations'] + sizes['residents']:,} "
              f"stakeholders, {sizes['contributions']:,} contributions, "
              f"{sizes['comments']:,} comments, all answered (seeded in {sizes['seconds']} s); "
              f"{os.cpu_count()} cores")
        print(f"{'format':8} {'seconds':>8} {'peak MB':>8} {'size MB':>8}  target")
        ok = True
        out_dir = Path(tempfile.mkdtemp(prefix="export-bench"))
        for fmt in args.formats.split(","):
            result = subprocess.run(
                [sys.executable, __file__, "--child", url, fmt, str(out_dir / f"doc.{fmt}")],
                capture_output=True, text=True, cwd=ROOT)
            if result.returncode != 0:
                print(result.stderr[-3000:])
                return 1
            row = json.loads(result.stdout.strip().splitlines()[-1])
            limit = TARGETS_S.get(fmt)
            if args.scale == 1 and limit:
                met = row["seconds"] < limit and row["peak_mb"] < TARGET_MB
                ok &= met
                verdict = f"< {limit} s, < {TARGET_MB} MB: {'met' if met else 'MISSED'}"
            else:
                verdict = ""
            print(f"{fmt:8} {row['seconds']:8.1f} {row['peak_mb']:8d} "
                  f"{row['bytes'] / 1e6:8.1f}  {verdict}", flush=True)
        return 0 if ok else 1
    finally:
        drop()


if __name__ == "__main__":
    sys.exit(main())
