"""Extension objects, created unbound and attached to the app in ``create_app``."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations portable between SQLite (batch mode) and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # Every model maps one table (SQLAlchemy types it as any FromClause, e.g. a join).
    __table__: ClassVar[Table]


# Rows a unit of work returns stay readable after its commit (app/uow.py).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})

# The models' base class. mypy takes no base class from an attribute such as ``db.Model``
# (python/mypy#8603), so for the checker it is what Flask-SQLAlchemy builds: its Model on Base.
if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FlaskModel

    class Model(_FlaskModel, Base):
        __abstract__ = True

else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Its storage is the RATELIMIT_STORAGE_URI setting (app/config.py: Redis in the scaled mode, so
# every process counts together); a storage_uri given here would win over it.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def per_person() -> str:
    """A limiter key per person (the login's account), not per address: a police room's phones
    share one address behind carrier NAT. A stranger, sent to log in anyway, by address."""
    if current_user.is_authenticated:
        return f"person:{current_user.id}"
    return request.remote_addr or ""


socketio = SocketIO()
