"""The counts per theme on the round-1 reading page come from `theme_tally`, which the
database's triggers keep (migration 0016_theme_tally): every way a contribution is written,
moved, moderated or removed leaves the tally equal to counting what everyone may read."""
from __future__ import annotations

import html
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.contributions.models import Contribution
from participation.contributions.services import shown_per_theme, withdraw
from participation.core.extensions import db
from participation.core.mixins import ModerationState
from participation.core.timeutil import utcnow
from participation.moderation import services as moderation
from participation.moderation.models import TargetType
from participation.processes.models import Process, RoundKind

from .factories import make_contribution, make_process, make_user


def counted(round_id: int) -> dict[int, int]:
    """What the tally stands for, counted the slow way."""
    return dict(db.session.execute(
        sa.select(Contribution.theme_id, sa.func.count())
        .where(Contribution.round_id == round_id, Contribution.is_shown)
        .group_by(Contribution.theme_id)).all())


def check(process) -> dict[str, int]:
    db.session.commit()
    round_ = process.round_of(RoundKind.input)
    tally = shown_per_theme(round_)
    assert tally == counted(round_.id)
    titles = {theme.id: theme.title for theme in process.themes}
    return {titles[theme_id]: n for theme_id, n in tally.items()}


def test_the_tally_follows_every_change_of_a_contribution(app_ctx):
    process = make_process(moderation="pre")
    werk, arbeid, energie = process.themes
    author, team = make_user(), make_user("team@assen.example", role="moderator")
    items = [make_contribution(process, werk, author, title=f"Werk {n}") for n in range(3)]
    pending = make_contribution(process, arbeid, author, state="pending")
    assert check(process) == {"Werklocaties": 3}

    moderation.approve(process, TargetType.contribution, pending, team)
    assert check(process) == {"Werklocaties": 3, "Arbeidsmarkt": 1}
    moderation.hide(process, TargetType.contribution, items[0], team, "Persoonlijk")
    assert check(process) == {"Werklocaties": 2, "Arbeidsmarkt": 1}
    moderation.hide(process, TargetType.contribution, pending, team, "Dubbel")
    assert check(process) == {"Werklocaties": 2}
    moderation.unhide(process, TargetType.contribution, items[0], team, "Toch niet")
    assert check(process) == {"Werklocaties": 3}
    withdraw(items[1], by=author)
    assert check(process) == {"Werklocaties": 2}
    items[2].theme = energie  # the team moves it to another theme
    assert check(process) == {"Werklocaties": 1, "Energietransitie": 1}
    # A change that a count does not see touches nothing; a second save changes nothing.
    items[2].title = "Werk 2, herzien"
    assert check(process) == {"Werklocaties": 1, "Energietransitie": 1}
    items[2].theme = energie
    assert check(process) == {"Werklocaties": 1, "Energietransitie": 1}
    # Bulk statements and deletes, as the import, the erasure and commands write.
    db.session.execute(sa.update(Contribution).where(Contribution.state
                                                     == ModerationState.withdrawn)
                       .values(state=ModerationState.published))
    assert check(process) == {"Werklocaties": 2, "Energietransitie": 1}
    db.session.execute(sa.delete(Contribution).where(Contribution.id == items[0].id))
    assert check(process) == {"Werklocaties": 1, "Energietransitie": 1}
    db.session.execute(sa.insert(Contribution).from_select(
        [c.name for c in Contribution.__table__.c if c.name not in ("id", "submission_key")]
        + ["submission_key"],
        sa.select(*[c for c in Contribution.__table__.c if c.name not in ("id", "submission_key")],
                  (Contribution.__table__.c.submission_key + "-copy"))
        .where(Contribution.theme_id == energie.id)))
    assert check(process) == {"Werklocaties": 1, "Energietransitie": 2}


def test_the_reading_page_shows_the_counts_per_theme(app, client):
    with app.app_context():
        process = make_process()
        werk, arbeid, _energie = process.themes
        author = make_user()
        start = utcnow() - timedelta(days=1)
        for n in range(22):
            make_contribution(process, werk, author, title=f"Werk {n:02d}",
                              created_at=start + timedelta(minutes=n))
        make_contribution(process, arbeid, author, title="Arbeid")
        make_contribution(process, arbeid, author, title="Wacht", state="pending")
        db.session.commit()
        werk_id = werk.id
    page = html.unescape(client.get(f"/p/economie/input?theme={werk_id}").text)
    assert "Alle thema's (23)" in page
    assert "Werklocaties (22)" in page and "Arbeidsmarkt (1)" in page
    assert "Energietransitie (0)" in page
    assert "22 bijdragen" in page
    # Newest first, twenty a page; a page beyond the last shows the last.
    assert "Werk 21" in page and "Werk 02" in page and "Werk 01" not in page
    for beyond in (2, 99):
        last = client.get(f"/p/economie/input?theme={werk_id}&page={beyond}").text
        assert "Werk 01" in last and "Werk 00" in last and "Werk 02" not in last


def test_two_team_members_approving_at_once_in_one_theme_count_both(app):
    with app.app_context():
        process = make_process(moderation="pre")
        werk = process.themes[0]
        author = make_user()
        team = [make_user(f"team{n}@assen.example", role="moderator") for n in range(2)]
        items = [make_contribution(process, werk, author, state="pending") for _ in range(2)]
        db.session.commit()
        ids, team_ids, process_id = [i.id for i in items], [m.id for m in team], process.id
    barrier, errors = threading.Barrier(2), []

    def approve(n: int) -> None:
        try:
            # As the moderation page's POST does (on SQLite it takes the write lock first).
            with app.test_request_context("/", method="POST"):
                from participation.accounts.models import User
                barrier.wait(timeout=60)
                actor = db.session.get(User, team_ids[n])
                item = db.session.get(Contribution, ids[n])
                proc = db.session.get(Process, process_id)
                moderation.approve(proc, TargetType.contribution, item, actor)
                db.session.commit()
        except Exception as error:  # shown by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert check(db.session.get(Process, process_id)) == {"Werklocaties": 2}


@pytest.mark.once
def test_the_migration_fills_the_tally_from_what_is_there(fresh_database):
    """Upgrading a database that has contributions (0015 -> 0016) counts them."""
    from flask_migrate import downgrade, upgrade

    from participation import create_app

    from .conftest import test_config
    for url in (fresh_database(),):
        app = create_app(test_config(url, 25))
        with app.app_context():
            upgrade()
            process = make_process()
            author = make_user()
            make_contribution(process, process.themes[0], author)
            make_contribution(process, process.themes[0], author)
            make_contribution(process, process.themes[1], author, state="pending")
            db.session.commit()
            downgrade(revision="0015_jobs")
            assert "theme_tally" not in sa.inspect(db.engine).get_table_names()
            upgrade()
            assert check(db.session.get(Process, process.id)) == {"Werklocaties": 2}
            db.session.remove()
            db.engine.dispose()
