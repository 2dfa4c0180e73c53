"""Thread pages paged in SQL (issue 19): each page shows what the whole-thread algorithm showed,
every way of writing a reply places it in its conversation (two at the same moment too), the
migration fills the conversations of existing replies, and the page's queries stay the same
at 500 and 5,000 comments."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from participation.accounts.models import User
from participation.comments import services
from participation.comments.models import Comment, CommentSupport
from participation.core.extensions import db
from participation.core.mixins import ModerationState
from participation.drafts.models import Section
from participation.moderation.models import Disposition, Response, TargetType
from participation.processes.models import Process

from .factories import (csrf_token, login, make_comment, make_many_comments,
                        make_organisation, make_process, make_user, open_feedback_round,
                        publish_draft, submission_key)


@pytest.fixture
def thread(app):
    """Round 2 open (post-moderation) on a published draft; a moderator, Pieter and Anna for
    organisations, Kees as a resident."""
    with app.app_context():
        process = make_process()
        open_feedback_round(process)
        moderator = make_user("mod@example.nl", role="moderator", name="Mod")
        make_user(organisation=make_organisation("Drenth Logistiek BV", "business", "logistiek"))
        make_user("anna@example.nl", name="Anna",
                  organisation=make_organisation("Drenthe College", "education", "onderwijs"))
        make_user("kees@example.nl", name="Kees")
        version = publish_draft(process, moderator)
        return {s.number: s.id for s in version.sections}


def _user(email: str | None) -> User | None:
    if email is None:
        return None
    return db.session.scalar(sa.select(User).where(User.email == email))


# --- the algorithm the pages had: the whole thread's skeleton, built in Python ---------------

def reference_page(lineage_id: int, user, page: int = 1, focus: int | None = None):
    """What thread_page showed before issue 19 (every comment of the section loaded, the tree
    built, then sliced), as `summary` gives it."""
    depth_max = services.MAX_DISPLAY_DEPTH
    parent_of, depth_of, visible, children, answers = {}, {}, {}, {}, {}
    roots, order = [], []
    for id_, parent_id, depth, shown in db.session.execute(
            sa.select(Comment.id, Comment.parent_id, Comment.depth,
                      sa.type_coerce(services.visible_to(user), sa.Boolean))
            .where(Comment.lineage_id == lineage_id).order_by(Comment.created_at, Comment.id)):
        order.append(id_)
        parent_of[id_], depth_of[id_], visible[id_] = parent_id, depth, bool(shown)
        if parent_id not in depth_of:
            roots.append(id_)
        elif depth > depth_max:
            answers[id_] = parent_id
            ancestor = parent_id
            while depth_of[ancestor] > depth_max - 1 and parent_of[ancestor] in depth_of:
                ancestor = parent_of[ancestor]
            children.setdefault(ancestor, []).append(id_)
        else:
            children.setdefault(parent_id, []).append(id_)
    kept = set()
    for id_ in reversed(order):
        children[id_] = [c for c in children.get(id_, ()) if c in kept]
        if visible[id_] or children[id_]:
            kept.add(id_)
    roots = [r for r in roots if r in kept]
    size = services.THREAD_PAGE_SIZE
    pages = max(1, -(-len(roots) // size))
    if focus in parent_of:
        top = focus
        while parent_of[top] in parent_of:
            top = parent_of[top]
        if top in kept:
            page = roots.index(top) // size + 1
    page = min(max(page, 1), pages)
    items = []

    def walk(ids):
        for id_ in ids:
            items.append([id_, visible[id_], min(depth_of[id_], depth_max), answers.get(id_),
                          visible[answers[id_]] if id_ in answers else True,
                          bool(children[id_]), 0])
            if children[id_]:
                walk(children[id_])
                items[-1][-1] += 1
    walk(roots[(page - 1) * size:page * size])
    ids = [item[0] for item in items]
    supporters = dict(db.session.execute(
        sa.select(CommentSupport.comment_id, sa.func.count())
        .where(CommentSupport.comment_id.in_(ids)).group_by(CommentSupport.comment_id)).all())
    mine = set(db.session.scalars(sa.select(CommentSupport.comment_id).where(
        CommentSupport.user_id == user.id))) if user is not None else set()
    responses = dict(db.session.execute(sa.select(Response.target_id, Response.body_html).where(
        Response.target_type == TargetType.comment, Response.published_at.is_not(None))).all())
    return (sum(visible.values()), page, pages,
            [(*item, supporters.get(item[0], 0), item[0] in mine, responses.get(item[0]))
             for item in items])


def summary(found: services.ThreadPage):
    return (found.count, found.page, found.pages, [
        (item.node.comment.id, item.node.visible, item.node.display_depth,
         item.node.in_reply_to.id if item.node.in_reply_to is not None else None,
         item.node.in_reply_to_shown, item.has_children, item.closes, item.node.supporters,
         item.node.supported_by_me,
         item.node.response.body_html if item.node.response is not None else None)
        for item in found.items])


READERS = (None, "anna@example.nl", "pieter@example.nl", "mod@example.nl")


def assert_pages_as_before(lineage_id: int, *, pages=(1, 2, 3, 9), focus=()) -> None:
    for email in READERS:
        reader = _user(email)
        for page in pages:
            assert summary(services.thread_page(lineage_id, reader, page=page)) == \
                reference_page(lineage_id, reader, page=page), (email, page)
        for comment_id in focus:
            assert summary(services.thread_page(lineage_id, reader, focus=comment_id)) == \
                reference_page(lineage_id, reader, focus=comment_id), (email, comment_id)


def assert_placed() -> None:
    """Every reply's root is the first comment above it; a first comment has none."""
    parent_of, root_of = {}, {}
    for id_, parent_id, root_id in db.session.execute(
            sa.select(Comment.id, Comment.parent_id, Comment.root_id)):
        parent_of[id_], root_of[id_] = parent_id, root_id
    for id_, parent_id in parent_of.items():
        top = id_
        while parent_of[top] is not None:
            top = parent_of[top]
        assert root_of[id_] == (None if parent_id is None else top), id_


# --- what a page shows ------------------------------------------------------------------------

def _varied_thread(section) -> dict[str, int]:
    """130 conversations of four (a reply, a reply to it, a deeper one), then changed as
    moderation and authors change them: withdrawn, hidden, rejected, pending (Anna's, so shown
    to her alone), whole conversations nobody may read; one conversation with two branches
    whose replies alternate in time; supports, and responses published and in draft."""
    anna, pieter, kees = (_user(e) for e in ("anna@example.nl", "pieter@example.nl",
                                             "kees@example.nl"))
    ids = make_many_comments(section, [anna, pieter, kees], [f"Reactie {i}" for i in range(520)],
                             thread=4)
    changes = ((ids[1::9], {"state": ModerationState.withdrawn}),
               (ids[2::11], {"state": ModerationState.rejected}),
               (ids[3::7], {"hidden_at": sa.func.now(), "hidden_reason": "test"}),
               # Anna wrote every third comment: ids[0::3]; some of hers wait for the team.
               (ids[0::15], {"state": ModerationState.pending}),
               # Conversations 20 and 21: nothing anyone may read; 22: only its first comment
               # withdrawn, its replies shown under the placeholder.
               (ids[80:88] + ids[88:89], {"state": ModerationState.withdrawn}))
    for chosen, values in changes:
        db.session.execute(sa.update(Comment).where(Comment.id.in_(chosen)).values(**values))
    root = make_comment(section, pieter, "Twee takken.")
    left = make_comment(section, anna, "Links.", parent=root)
    right = make_comment(section, kees, "Rechts.", parent=root)
    parents = [left, right]
    for n in range(8):  # deeper and deeper, alternating between the branches
        parents[n % 2] = make_comment(section, (anna, kees)[n % 2], f"Dieper {n}.",
                                      parent=parents[n % 2],
                                      state="withdrawn" if n == 4 else "published")
    for comment_id in ids[::5]:
        db.session.add(CommentSupport(comment_id=comment_id, user_id=pieter.id))
    process = db.session.scalar(sa.select(Process))
    for comment_id, published in ((ids[0], True), (ids[4], False), (left.id, True)):
        db.session.add(Response(process_id=process.id, target_type=TargetType.comment,
                                target_id=comment_id, disposition=Disposition.noted,
                                body_md="Dank.", body_html=f"<p>Dank {comment_id}.</p>",
                                published_at=sa.func.now() if published else None))
    db.session.commit()
    return {"first": ids[0], "hidden": ids[3], "pending": ids[15], "deep": ids[519],
            "invisible": ids[81], "under_withdrawn": ids[90], "branch": parents[1].id}


def test_every_page_shows_what_the_whole_thread_showed(app, thread):
    with app.app_context():
        section = db.session.get(Section, thread["2.2"])
        marks = _varied_thread(section)
        other = make_comment(db.session.get(Section, thread["2.1"]), _user("kees@example.nl"),
                             "Elders.")
        db.session.commit()
        assert_pages_as_before(section.lineage_id,
                               focus=[*marks.values(), other.id, 10 ** 9])
        assert_placed()
        # The pending comment is its author's alone; the hidden one nobody's but as a place.
        ids = {reader: [item.node.comment.id for p in (1, 2, 3)
                        for item in services.thread_page(section.lineage_id, _user(reader),
                                                         page=p).items if item.node.visible]
               for reader in ("anna@example.nl", "pieter@example.nl")}
        assert marks["pending"] in ids["anna@example.nl"]
        assert marks["pending"] not in ids["pieter@example.nl"]
        assert marks["hidden"] not in ids["anna@example.nl"]


def test_the_page_as_people_read_it(client, app, thread):
    """Through the site: the branches, the deep replies saying whom they answer, in order."""
    with app.app_context():
        section = db.session.get(Section, thread["2.2"])
        marks = _varied_thread(section)
    html = client.get(f"/p/economie/draft/s/2.2?comment={marks['branch']}").get_data(as_text=True)
    assert "Pagina 3 van 3" in html
    order = [html.index(text) for text in ("Twee takken.", "Links.", "Dieper 0.", "Dieper 2.",
                                           "Dieper 6.", "Rechts.", "Dieper 1.", "Dieper 3.",
                                           "Dieper 5.", "Dieper 7.")]
    assert order == sorted(order)
    assert "Dieper 4." not in html  # withdrawn, and nothing hangs under it on screen


# --- every way of writing -------------------------------------------------------------------

def _post(client, url: str, body: str) -> None:
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(page), "body": body,
                                      "submission_key": submission_key(page)})
    assert response.status_code == 302, response.status_code


def _reply(app, client, parent_id: int, body: str) -> int:
    _post(client, f"/p/economie/comments/{parent_id}/reply", body)
    with app.app_context():
        return db.session.scalar(sa.select(Comment.id).where(Comment.body_md == body))


def test_every_way_of_writing_keeps_replies_in_their_conversation(app, thread):
    """New comment, reply, reply to a reply and deeper, through the site; a pre-moderated reply
    approved; withdrawal; hiding; an account erased with its comments removed."""
    from participation.moderation.services import approve, hide
    from participation.privacy.erasure import ItemChoice, delete_account

    pieter, anna, kees = app.test_client(), app.test_client(), app.test_client()
    login(pieter)
    login(anna, "anna@example.nl")
    login(kees, "kees@example.nl")
    _post(pieter, "/p/economie/draft/s/2.2", "Begin van het gesprek.")
    with app.app_context():
        first = db.session.scalar(sa.select(Comment.id).where(Comment.parent_id.is_(None)))
    chain = [first]
    for n, client in enumerate((anna, pieter, kees, anna)):
        chain.append(_reply(app, client, chain[-1], f"Antwoord {n}."))
    second_branch = _reply(app, kees, first, "Een tweede tak.")
    with app.app_context():
        open_feedback_round(db.session.scalar(sa.select(Process)), moderation="pre")
    waiting = _reply(app, kees, chain[2], "Wacht op het team.")
    with app.test_request_context():  # approving notifies by mail, with links
        process = db.session.scalar(sa.select(Process))
        moderator = _user("mod@example.nl")
        assert db.session.get(Comment, waiting).state is ModerationState.pending
        approve(process, TargetType.comment, db.session.get(Comment, waiting), moderator)
        hide(process, TargetType.comment, db.session.get(Comment, chain[3]), moderator, "Test.")
        db.session.commit()
        services.withdraw(db.session.get(Comment, second_branch))
        delete_account(_user("anna@example.nl"), ItemChoice.remove)
        db.session.commit()
        placed = dict(db.session.execute(sa.select(Comment.id, Comment.root_id)).all())
        assert placed[first] is None
        assert {placed[c] for c in (*chain[1:], second_branch, waiting)} == {first}
        assert_placed()
        assert_pages_as_before(db.session.get(Section, thread["2.2"]).lineage_id, pages=(1,),
                               focus=chain)


def test_the_demo_places_its_replies(app):
    from participation.demo.load import load_demo

    with app.app_context():
        load_demo("lange-wachtzin-demo-42")
        assert db.session.scalar(sa.select(sa.func.count()).where(
            Comment.parent_id.is_not(None))) > 0
        assert_placed()
        for lineage_id in db.session.scalars(sa.select(Comment.lineage_id).distinct()):
            assert summary(services.thread_page(lineage_id, None)) == \
                reference_page(lineage_id, None)


def test_a_reply_without_its_conversation_is_refused(app, thread):
    """Whatever writes comments, the database itself refuses a reply without its root."""
    with app.app_context():
        section = db.session.get(Section, thread["2.2"])
        first = make_comment(section, _user("anna@example.nl"))
        db.session.commit()
        row = {c.name: getattr(first, c.key) for c in Comment.__table__.columns
               if c.key not in ("id",)}
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.insert(Comment), [{**row, "parent_id": first.id,
                                                     "depth": 1, "root_id": None,
                                                     "submission_key": "x" * 32}])
        db.session.rollback()


def test_two_replies_at_the_same_moment_both_land_in_their_conversation(app, thread):
    """Anna and Pieter answer the same comment (and Kees its first comment) at the same
    moment, each on a connection of their own: all three are placed. Repeated, as a race
    shows only sometimes."""
    clients = {}
    for email in ("anna@example.nl", "pieter@example.nl", "kees@example.nl"):
        clients[email] = app.test_client()
        login(clients[email], email)
    with app.app_context():
        section = db.session.get(Section, thread["2.2"])
        first = make_comment(section, _user("mod@example.nl"), "Vraag van het team.")
        answered = make_comment(section, _user("kees@example.nl"), "Een antwoord.",
                                parent=first)
        db.session.commit()
        first_id, answered_id, lineage_id = first.id, answered.id, section.lineage_id
    for attempt in range(5):
        ready = threading.Barrier(3)
        statuses: list[int] = []

        def reply(email: str, parent_id: int, body: str, ready=ready, statuses=statuses) -> None:
            client = clients[email]
            url = f"/p/economie/comments/{parent_id}/reply"
            page = client.get(url).get_data(as_text=True)
            data = {"csrf_token": csrf_token(page), "body": body,
                    "submission_key": submission_key(page)}
            ready.wait(timeout=30)
            statuses.append(client.post(url, data=data).status_code)
        jobs = [threading.Thread(target=reply, args=args) for args in (
            ("anna@example.nl", answered_id, f"Anna {attempt}."),
            ("pieter@example.nl", answered_id, f"Pieter {attempt}."),
            ("kees@example.nl", first_id, f"Kees {attempt}."))]
        for job in jobs:
            job.start()
        for job in jobs:
            job.join(timeout=60)
        assert statuses == [302, 302, 302], statuses
    with app.app_context():
        rows = db.session.execute(sa.select(Comment.body_md, Comment.parent_id, Comment.root_id,
                                            Comment.depth).where(Comment.id > answered_id)).all()
        assert len(rows) == 15
        for body, parent_id, root_id, depth in rows:
            assert root_id == first_id, body
            assert (parent_id, depth) == ((first_id, 1) if body.startswith("Kees")
                                          else (answered_id, 2)), body
        page = services.thread_page(lineage_id, None)
        assert summary(page) == reference_page(lineage_id, None)
        assert len(page.items) == 17


# --- queries --------------------------------------------------------------------------------

def test_a_thread_page_takes_the_same_queries_at_500_and_5000_comments(app, thread,
                                                                      count_queries):
    visitor, participant = app.test_client(), app.test_client()
    login(participant, "anna@example.nl")

    def add(n: int) -> int:
        with app.app_context():
            section = db.session.get(Section, thread["2.2"])
            authors = [_user("anna@example.nl"), _user("pieter@example.nl")]
            ids = make_many_comments(section, authors, [f"Reactie {i}" for i in range(n)],
                                     thread=5)
            db.session.execute(sa.update(Comment).where(Comment.id.in_(ids[2::7])).values(
                state=ModerationState.pending))
            db.session.commit()
            return ids[-1]

    def measure(newest: int) -> dict[str, int]:
        found = {}
        for name, client, url in (
                ("page 1", visitor, "/p/economie/draft/s/2.2"),
                ("page 1, participant", participant, "/p/economie/draft/s/2.2"),
                ("last page", visitor, "/p/economie/draft/s/2.2?page=999"),
                ("newest", participant, f"/p/economie/draft/s/2.2?comment={newest}")):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            found[name] = counter.count
        return found
    small = measure(add(500))
    large = measure(add(4500))
    assert small == large, (small, large)
    # The process, the draft version, the section and the latest version, then the thread
    # in three statements (the whole-thread algorithm took four); a participant's page also
    # loads the participant.
    assert large["page 1"] <= 7 and large["page 1, participant"] <= 8, large


# --- the migration ----------------------------------------------------------------------------

def test_the_migration_fills_the_conversations_of_existing_replies(fresh_database):
    """Replies written before the migration (deep chains, branches, two sections) get their
    conversation from it; down and up again keeps the comments and fills it again."""
    from flask_migrate import downgrade, upgrade

    from participation import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database(),
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"})
    with app.app_context():
        upgrade()
        process = make_process()
        open_feedback_round(process)
        version = publish_draft(process, make_user("mod@example.nl", role="moderator"))
        anna = make_user("anna@example.nl", name="Anna")
        for section in version.sections[2:4]:
            make_many_comments(section, [anna], [f"Reactie {i}" for i in range(60)], thread=6)
            first = make_comment(section, anna, "Takken.")
            for n in range(4):
                make_comment(section, anna, f"Tak {n}.", parent=make_comment(
                    section, anna, f"Tussen {n}.", parent=first))
        db.session.commit()
        lineages = [s.lineage_id for s in version.sections[2:4]]
        before = {lineage: summary(services.thread_page(lineage, None)) for lineage in lineages}
        placed = dict(db.session.execute(sa.select(Comment.id, Comment.root_id)).all())
        db.session.remove()
        downgrade(revision="0008_versions")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("comment")}
        assert "root_id" not in columns
        assert db.session.scalar(sa.select(sa.func.count()).select_from(
            sa.table("comment"))) == len(placed)
        db.session.remove()
        upgrade()
        assert dict(db.session.execute(sa.select(Comment.id, Comment.root_id)).all()) == placed
        assert sum(root is not None for root in placed.values()) == 2 * (50 + 8)
        assert_placed()
        assert {lineage: summary(services.thread_page(lineage, None))
                for lineage in lineages} == before
        db.session.remove()
        db.engine.dispose()
