"""Shared fixtures.

The database is real: SQLite in a temporary file by default, PostgreSQL when DATABASE_URL points at one
(CI does both). The schema is built by running the Alembic migrations, so every test run also proves that
the migrations produce what the models expect. Each test starts with empty tables.
The S3 backend is tested against moto's standalone S3 server over a loopback socket.
"""
from datetime import date
import os
import socket

import pytest
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def test_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sanxiang")


@pytest.fixture(scope="session")
def database_url(test_dir):
    return os.environ.get("DATABASE_URL") or f"sqlite:///{test_dir}/test.db"


@pytest.fixture(scope="session")
def app_config(test_dir, database_url):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "STORAGE_BACKEND": "fs",
        "STORAGE_FS_ROOT": str(test_dir / "objects"),
        "LEDGER_KEY_PATH": str(test_dir / "ledger-signing.key"),
        # Agencies' document-signing keys, created on first use (app/docsign).
        "DOCUMENT_SIGNING_DIR": str(test_dir / "document-signing"),
        "WTF_CSRF_ENABLED": True,
        # Background derivative jobs would race the per-test table cleanup; tests that exercise the
        # embedded runner switch it on themselves, others run jobs synchronously.
        "RECORDING_JOBS": "off",
    }


@pytest.fixture(scope="session")
def app(app_config):
    from flask_migrate import upgrade

    app = create_app(app_config)
    with app.app_context():
        _drop_everything()
        upgrade()
        _prepare_session(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _drop_everything():
    """A rerun on the same PostgreSQL database starts from nothing."""
    from sqlalchemy import MetaData

    meta = MetaData()
    meta.reflect(bind=db.engine)
    meta.drop_all(bind=db.engine)
    db.session.commit()


def _prepare_session(app):
    """Hook for features that need session-wide set-up (e.g. the ledger's signing key)."""
    for hook in app.extensions.get("sanxiang_test_setup", []):
        hook(app)


@pytest.fixture(autouse=True)
def _clean_tables(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        names = [t.name for t in reversed(db.metadata.sorted_tables)]
        existing = set(inspect(db.engine).get_table_names())
        names = [n for n in names if n in existing]
        if db.engine.dialect.name == "postgresql":
            _clean_postgresql(names)
            return
        with db.engine.begin() as conn:
            for n in names:
                conn.execute(text(f'DELETE FROM "{n}"'))
            if "sqlite_sequence" in existing or conn.execute(
                    text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first():
                conn.execute(text("DELETE FROM sqlite_sequence"))


def _clean_postgresql(names):
    """Empty every table and restart every sequence. DELETE in dependency order is far cheaper than a
    TRUNCATE of every table (which makes new files for each of ~80 tables and their indexes: 0.5-1 s a
    test); should the order ever meet a cycle, TRUNCATE ... CASCADE does it the slow way."""
    from sqlalchemy.exc import DBAPIError

    if not names:
        return
    try:
        with db.engine.begin() as conn:
            for n in names:
                conn.execute(text(f'DELETE FROM "{n}"'))
            conn.execute(text(
                "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace "
                "WHERE c.relkind = 'S' AND s.nspname = current_schema()"))
    except DBAPIError:
        with db.engine.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 endpoint (moto's standalone server) on loopback; yields "host:port"."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop()


# --- factories ------------------------------------------------------------------------------------

from tests.helpers import PASSWORD, extract_csrf  # noqa: E402


@pytest.fixture
def make_agency(app):
    """Create and commit an agency; returns its id-bearing object (detached after commit)."""
    from app.auth.services import create_agency
    from app.validators import make_credit_code

    counter = iter(range(5000, 9999))

    def factory(name=None, categories=("城市管理",), region_code="220681", **kw):
        n = next(counter)
        with app.app_context():
            agency = create_agency(
                name=name or f"测试执法局{n}", short_name=kw.pop("short_name", f"测试局{n}"),
                doc_prefix=kw.pop("doc_prefix", "临测"),
                credit_code=kw.pop("credit_code", make_credit_code(region=region_code, org_seq=n)),
                region_code=region_code, categories=list(categories),
                # public long before the fixed dates tests file cases on (事前公开 gate, SPEC §3)
                published_on=kw.pop("published_on", date(2020, 1, 1)), **kw)
            db.session.commit()
            db.session.refresh(agency)
            db.session.expunge(agency)
            return agency

    return factory


@pytest.fixture
def make_user(app):
    from app.auth.services import create_user
    from app.auth.models import Agency

    counter = iter(range(1, 100000))

    def factory(roles=("officer",), agency=None, username=None, password=PASSWORD, full_name="测试用户"):
        with app.app_context():
            agency_obj = db.session.get(Agency, agency.id) if agency is not None else None
            user = create_user(username=username or f"user{next(counter)}", password=password,
                               full_name=full_name, roles=roles, agency=agency_obj)
            db.session.commit()
            return user.id

    return factory


@pytest.fixture
def login_as():
    """Log a test client in as a user id (as Flask-Login's session would after a real login)."""

    def do(client, user_id):
        from app.auth.models import User
        from app.auth.services import start_session

        with client.application.app_context():
            sid = start_session(db.session.get(User, int(user_id)))  # server-side session (SEC-14)
            db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
            session["sid"] = sid
        return client

    return do


@pytest.fixture
def csrf_token():
    """Fetch a page holding a form and return its CSRF token (bound to this client's session)."""

    def get(client, url="/login"):
        resp = client.get(url)
        return extract_csrf(resp.get_data(as_text=True))

    return get
