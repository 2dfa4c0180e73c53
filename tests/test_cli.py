"""The command line: users, demo data and mail."""
from __future__ import annotations

import sqlalchemy as sa

from participation.accounts.models import Organisation, User
from participation.core.roles import Role
from participation.core.extensions import db

from .factories import make_user


def test_user_create_reads_the_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "create", "Beheer@Assen.nl", "--role", "admin"],
                           input="een-lang-beheerwachtwoord\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert (user.email, user.role, user.is_confirmed) == ("beheer@assen.nl", Role.admin, True)
    client = app.test_client()
    from .factories import login
    login(client, "beheer@assen.nl", "een-lang-beheerwachtwoord")


def test_user_create_refuses_weak_passwords_duplicates_and_unknown_roles(app):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["user", "create", "a@b.nl"], input="password\n")
    assert weak.exit_code != 0 and "10 tekens" in weak.output
    with app.app_context():
        make_user("a@b.nl")
    dup = runner.invoke(args=["user", "create", "a@b.nl"], input="een-lang-wachtwoord\n")
    assert dup.exit_code != 0 and "already exists" in dup.output
    role = runner.invoke(args=["user", "create", "c@b.nl", "--role", "king"],
                         input="een-lang-wachtwoord\n")
    assert role.exit_code != 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_demo_is_idempotent_and_prints_the_admin_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and "password:" in first.output
    with app.app_context():
        orgs = db.session.scalar(sa.select(sa.func.count(Organisation.id)))
        users = db.session.scalar(sa.select(sa.func.count(User.id)))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "password:" not in second.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == orgs >= 12
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == users
        admins = db.session.scalar(sa.select(sa.func.count(User.id)).where(User.role == Role.admin))
        assert admins == 1
    password = first.output.split("password:")[1].split()[0]
    from .factories import login
    login(app.test_client(), "admin@assen.example", password)


def test_mail_send_command_delivers(app, mailbox):
    client = app.test_client()
    from .factories import submit
    with app.app_context():
        make_user()
    submit(client, "/account/password/forgot", {"email": "pieter@example.nl"})
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "sent 1" in result.output
    assert len(mailbox.to("pieter@example.nl")) == 1
