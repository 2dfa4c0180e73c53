"""participation: a municipality's two-round stakeholder participation and its participation document."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from .core import config as config_module


def create_app(config: dict | None = None) -> Flask:
    """The only way to get an app: defaults, instance config, environment, then `config`."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_module.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config_module.from_environment())
    if config:
        app.config.update(config)
    # The remember-me cookie logs a person in as surely as the session cookie: over HTTPS
    # (SESSION_COOKIE_SECURE) it must be Secure too, and Flask-Login's default is not.
    if app.config.get("SESSION_COOKIE_SECURE"):
        app.config.setdefault("REMEMBER_COOKIE_SECURE", True)
    if app.config.get("PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            "sqlite:///" + os.path.join(app.instance_path, "participation.sqlite"))

    from .core.security import check_configuration
    check_configuration(app)

    from . import models  # noqa: F401  (the whole schema, for Alembic and the tests)

    _bind_extensions(app)
    from .accounts.passwords import METHOD, prepare
    prepare(METHOD)  # the stand-in hash for addresses without an account, made now
    prepare(app.config.get("PASSWORD_HASH_METHOD") or METHOD)
    from .core import integers
    integers.register(app)  # before the blueprints: their <int:...> routes use it
    _register_blueprints(app)
    from .core.extensions import limiter
    limiter.init_app(app)  # the storage of the rate limits that the views call

    from .core import caching, errors, resilience, sessions, templating
    sessions.register(app)  # static files and unknown URLs never write the cookie back
    caching.register(app)  # after Flask-Compress: its answer to If-None-Match comes last
    errors.register(app)
    resilience.register(app)
    templating.register(app)
    _register_commands(app)
    _register_jobs(app)

    from .core.security import set_security_headers
    app.after_request(set_security_headers)
    return app


def _bind_extensions(app: Flask) -> None:
    from sqlalchemy import event

    from .core.extensions import babel, compress, csrf, db, login_manager, mail, migrate
    from .core import write_lock
    from .core.i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    mail.init_app(app)
    compress.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    from flask_babel import lazy_gettext as _l
    login_manager.login_message = _l("Please log in to see this page.")

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # SQLite only enforces foreign keys when asked to, per connection.
            @event.listens_for(db.engine, "connect")
            def _sqlite_pragmas(dbapi_connection, _record):
                # The driver's own BEGIN comes late and savepoints fail with it; write_lock.begin
                # below begins instead (SQLAlchemy's documented recipe for pysqlite).
                dbapi_connection.isolation_level = None
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA busy_timeout=5000")
                # WAL lets readers (the web process) go on while the mail sender writes.
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.close()

            # A request that writes takes the write lock when it begins, or at its first
            # write for a view marked so (participation.core.write_lock says why).
            event.listen(db.engine, "begin", write_lock.begin)
            event.listen(db.engine, "before_cursor_execute", write_lock.before_statement)
            event.listen(db.engine, "commit", write_lock.end)
            event.listen(db.engine, "rollback", write_lock.end)

    from .accounts.models import User
    from .core.extensions import db as _db

    @login_manager.user_loader
    def load_user(session_id: str):
        return User.from_session_id(session_id, _db.session)


def _register_commands(app: Flask) -> None:
    """Each feature's commands, from its cli.py (`flask --app participation --help` lists them)."""
    from .accounts.cli import user_cli
    from .analysis.cli import analyse_command
    from .demo.cli import demo_command
    from .contributions.cli import input_cli, uploads_cli
    from .export.cli import export_command
    from .jobs.cli import jobs_cli
    from .mail.cli import mail_cli
    from .notifications.cli import digest_command
    from .privacy.cli import privacy_cli
    from .redaction.cli import redaction_cli
    from .review.cli import member_check_cli

    # The digest of replies is the notifications' to make, but it is run with the outbox's
    # commands, before `mail send`; the mail package knows no notifications.
    mail_cli.add_command(digest_command)
    app.cli.add_command(user_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(export_command)
    app.cli.add_command(uploads_cli)
    app.cli.add_command(input_cli)
    app.cli.add_command(analyse_command)
    app.cli.add_command(redaction_cli)
    app.cli.add_command(member_check_cli)


def _register_jobs(app: Flask) -> None:
    """The queue, and each feature's kinds of job, from its jobs.py."""
    from .analysis import jobs as _analysis  # noqa: F401
    from .export import jobs as _export  # noqa: F401
    from .jobs import queue
    from .notifications import jobs as _notifications  # noqa: F401
    from .privacy import jobs as _privacy  # noqa: F401

    queue.register(app)


def _register_blueprints(app: Flask) -> None:
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .contributions.views import bp as contributions_bp
    from .main.views import bp as main_bp
    from .processes.views import bp as processes_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp, url_prefix="/account")
    app.register_blueprint(admin_bp)
    app.register_blueprint(processes_bp)
    app.register_blueprint(contributions_bp)
    from .comments.views import bp as comments_bp
    from .drafts.views import bp as drafts_bp
    from .invitations.views import bp as invitations_bp
    from .notifications.views import bp as notifications_bp

    app.register_blueprint(drafts_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(notifications_bp)
    from .export.views import bp as export_bp
    from .moderation.views import bp as moderation_bp

    app.register_blueprint(export_bp)

    app.register_blueprint(moderation_bp)
    from .analysis.views import bp as analysis_bp
    app.register_blueprint(analysis_bp)
    from .dashboard.views import bp as dashboard_bp
    app.register_blueprint(dashboard_bp)
    from .outcomes.views import bp as outcomes_bp
    from .ratings.views import bp as ratings_bp
    app.register_blueprint(ratings_bp)
    app.register_blueprint(outcomes_bp)
    from .privacy.views import bp as privacy_bp
    app.register_blueprint(privacy_bp)
    from .redaction.views import bp as redaction_bp
    app.register_blueprint(redaction_bp)
    from .organisations.views import bp as organisations_bp
    app.register_blueprint(organisations_bp)
    from .oidc import providers as oidc_providers
    from .oidc.views import bp as oidc_bp
    oidc_providers.register(app)
    app.register_blueprint(oidc_bp, url_prefix="/account/oidc")
    from .api.views import register as register_api
    from .review.views import bp as review_bp
    app.register_blueprint(review_bp)
    register_api(app)  # its blueprint, and its headers and errors for all of /api/v1
