"""Shared fixtures.

The database is real: SQLite in a temporary file by default, PostgreSQL when DATABASE_URL points at one
(CI does both). The schema is built by running the Alembic migrations, so every test run also proves that
the migrations produce what the models expect. Each test starts with empty tables.
The S3 backend is tested against moto's standalone S3 server over a loopback socket.
"""
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
        "WTF_CSRF_ENABLED": True,
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
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                if names:
                    conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names)
                                      + " RESTART IDENTITY CASCADE"))
            else:
                for n in names:
                    conn.execute(text(f'DELETE FROM "{n}"'))
                if "sqlite_sequence" in existing or conn.execute(
                        text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first():
                    conn.execute(text("DELETE FROM sqlite_sequence"))


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
