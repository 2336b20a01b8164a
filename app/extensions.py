"""Flask extensions, created once here and bound to the app in create_app."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.errors import ErrorSchema

# A naming convention so that Alembic can name (and later drop) every constraint on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
#: Rate limits on the few public endpoints that write (e.g. the complaint form). No default limit: a route
#: opts in with @limiter.limit(...). Storage is RATELIMIT_STORAGE_URI (memory:// by default; redis:// in
#: production so that several workers share the counts).
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class _Api(Api):
    # Error answers are rendered once, by app.errors, as {"error", "message", "details"}: document that shape,
    # not flask-smorest's own {"code", "status", "errors"}.
    ERROR_SCHEMA = ErrorSchema


api = _Api()
