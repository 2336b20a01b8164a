"""Verifiable draws (SPEC §13): parameters as entered in the ledger, seeding checkpoint, result, redraws.

Revision ID: 0015a_draws
Revises: 0007_publicity
"""
import sqlalchemy as sa
from alembic import op

revision = "0015a_draws"
down_revision = "0007_publicity"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("params_json", sa.Text(), nullable=False),
        sa.Column("population_sha256", sa.String(length=64), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("ledger_seq", sa.BigInteger(), nullable=False),
        sa.Column("checkpoint_size", sa.BigInteger(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("selected_json", sa.Text(), nullable=False),
        sa.Column("exclusions_json", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_draws_agency_id_agencies")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_draws_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draws")),
        sa.UniqueConstraint("ledger_seq", name=op.f("uq_draws_ledger_seq")),
    )
    with op.batch_alter_table("draws") as batch:
        batch.create_index(batch.f("ix_draws_agency_id"), ["agency_id"], unique=False)
        batch.create_index(batch.f("ix_draws_subject"), ["subject"], unique=False)


def downgrade():
    with op.batch_alter_table("draws") as batch:
        batch.drop_index(batch.f("ix_draws_subject"))
        batch.drop_index(batch.f("ix_draws_agency_id"))
    op.drop_table("draws")
