"""Flask extensions, created unbound here and bound to an app in the factory."""
import logging

from flask_babel import Babel
from flask_compress import Compress
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy as _SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase

from .limiter import AppLimiter

# Named constraints let Alembic alter and drop them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SQLAlchemy(_SQLAlchemy):
    def _teardown_session(self, exc: BaseException | None) -> None:
        """Ending a request's session rolls back on its connection; if the database went away
        during the request, that rollback fails too. The answer (a 503, or the success already
        committed) is made by then, so the failure must not turn it into a server error: the
        dead connection is dropped (the pool's pre-ping replaces it) and the session with it."""
        try:
            self.session.remove()
        except (OperationalError, InterfaceError) as error:
            logging.getLogger(__name__).warning(
                "closing a session on a lost connection: %s", str(error).splitlines()[0][:200])
            self.session.registry.clear()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
#: Pages, styles and scripts compressed (zstd, brotli or gzip, as the browser accepts).
compress = Compress()
#: Flask-Limiter, one Limiter per app (see participation.core.limiter for why): the storage the
#: limits that the views call count in.
limiter = AppLimiter()
