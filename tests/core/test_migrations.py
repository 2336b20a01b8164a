"""Migrations: one head, a full upgrade → downgrade → upgrade on a fresh database, and no drift
between the models and what the migrations build (on SQLite and, in CI, on PostgreSQL)."""
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db


def test_single_head(app):
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        assert len(script.get_heads()) == 1, f"several heads: {script.get_heads()}"


def test_models_match_migrations(app):
    """The session database was built by the migrations; the models must describe exactly that."""
    with app.app_context(), db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


@pytest.fixture
def fresh_database(app_config, database_url, tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    if database_url.startswith("sqlite"):
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/fresh.db"}
        return
    schema = "mig_" + uuid.uuid4().hex[:8]
    admin = create_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield {"SQLALCHEMY_DATABASE_URI": database_url,
               "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}}}
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_upgrade_downgrade_upgrade(app_config, fresh_database):
    fresh = create_app({**app_config, **fresh_database})
    with fresh.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"agencies", "users", "user_roles", "api_tokens"} <= tables
        downgrade(revision="base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set(), f"downgrade left tables behind: {left}"
        upgrade()
        assert set(inspect(db.engine).get_table_names()) >= tables
        db.engine.dispose()
