"""Sanxiang: case management for the Three Systems of administrative enforcement.

`create_app` binds the extensions, then lets each feature register itself through its `init_app`.
It has no other side effects: no database upgrades, no demo data, no network calls.
"""
import logging
import os

from app.config import CONFIGS, INSTANCE_DIR

# Nothing web-related is imported at module level: `python -m app.ledger.verify` must run on a machine
# that has only the standard library and `cryptography`.

# Features, in dependency order. Each module exposes init_app(app).
FEATURES = (
    "app.security",
    "app.storage",
    "app.auth",
    "app.ledger",
    "app.docsign",
    "app.draws",
    "app.holidays",
    "app.agencies",
    "app.officers",
    "app.privacy",
    "cases",
    "recordings",
    "review",
    "publicity",
    "remedies",
    "inspections",
    "supervision",
    "app.web",
)


def create_app(config=None):
    from flask import Flask

    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=False)
    app.url_map.converters["int"] = _bounded_int_converter()
    name = os.environ.get("SANXIANG_ENV", "development")
    if isinstance(config, dict):
        app.config.from_object(CONFIGS["testing" if config.get("TESTING") else name])
        app.config.update(config)
    elif isinstance(config, str):
        app.config.from_object(CONFIGS[config])
    elif config is not None:
        app.config.from_object(config)
    else:
        app.config.from_object(CONFIGS[name])
    validate = getattr(CONFIGS.get(name), "validate", None)
    if validate and config is None:
        validate(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret_key()
    _configure_sqlite(app)

    from app.extensions import api, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    from app.apidoc import SECURITY, SECURITY_SCHEMES

    app.config.setdefault("API_SPEC_OPTIONS", {"security": SECURITY,
                                               "components": {"securitySchemes": SECURITY_SCHEMES}})
    api.init_app(app)

    from app.errors import register_error_handlers

    register_error_handlers(app)

    import importlib

    known = set(app.config)
    for feature in FEATURES + tuple(app.config.get("EXTRA_FEATURES", ())):
        importlib.import_module(feature).init_app(app)
    _feature_settings_from_environment(app, set(app.config) - known)
    _api_paths_without_slash_redirects(app)

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return app


#: Where JSON clients live: no path there answers a redirect with an HTML body.
API_PREFIXES = ("/api/", "/public/api/")


def _api_paths_without_slash_redirects(app):
    """JSON API paths are served with and without their trailing slash (the OpenAPI document names the
    form each is declared with): Werkzeug's default would answer the other form with a 308 and an HTML
    body, which API clients do not follow for POST bodies nor parse. The matcher reads
    `strict_slashes` at match time, so setting it after registration is enough."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIXES):
            rule.strict_slashes = False


def _feature_settings_from_environment(app, names):
    """Features declare their settings (SPEC's *(default)* numbers) with app.config.setdefault; an
    environment variable of the same name overrides each, parsed to the default's type."""
    import json

    for name in names:
        raw = os.environ.get(name)
        if raw in (None, ""):
            continue
        default = app.config[name]
        try:
            if isinstance(default, bool):
                value = raw.strip().lower() in ("1", "true", "yes", "on")
            elif isinstance(default, int):
                value = int(raw)
            elif isinstance(default, float):
                value = float(raw)
            elif isinstance(default, (dict, list)):
                value = json.loads(raw)
            else:
                value = raw
        except ValueError as err:
            raise RuntimeError(f"Setting {name}={raw!r} is not a valid {type(default).__name__}: {err}") from None
        app.config[name] = value


def _bounded_int_converter():
    """`<int:...>` URL parameters are database ids: one beyond a 32-bit INTEGER is a 404 here, not a database
    error (PostgreSQL: integer out of range; SQLite: Python int too large) turned into a 500."""
    from werkzeug.routing import IntegerConverter

    class BoundedIntConverter(IntegerConverter):
        def __init__(self, map, *args, **kwargs):
            kwargs.setdefault("max", 2**31 - 1)
            super().__init__(map, *args, **kwargs)

    return BoundedIntConverter


def _development_secret_key():
    """Outside production, keep a random key in the instance folder so that sessions survive restarts."""
    path = INSTANCE_DIR / "secret_key"
    try:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(os.urandom(32).hex())
            path.chmod(0o600)
        return path.read_text().strip()
    except OSError:
        return os.urandom(32).hex()


def _configure_sqlite(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite"):
        return
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        os.makedirs(os.path.dirname(uri[len("sqlite:///"):]) or ".", exist_ok=True)
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    # Several processes (web workers, CLI, background jobs) write to one SQLite file: wait for locks.
    options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not getattr(_configure_sqlite, "_hooked", False):
        @event.listens_for(Engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            if type(dbapi_conn).__module__.startswith("sqlite3"):
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()

        _configure_sqlite._hooked = True
