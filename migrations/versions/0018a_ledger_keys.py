"""Ledger key history (rotation with validity periods) and witness-cosigned checkpoints.

Revision ID: 0018a_ledger_keys
Revises: 0013b_calendar
"""
import sqlalchemy as sa
from alembic import op

revision = "0018a_ledger_keys"
down_revision = "0013b_calendar"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ledger_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("verifier_key", sa.String(length=300), nullable=False),
        sa.Column("key_hash", sa.String(length=8), nullable=False),
        sa.Column("fingerprint", sa.String(length=60), nullable=False),
        sa.Column("from_size", sa.BigInteger(), nullable=False),
        sa.Column("until_size", sa.BigInteger(), nullable=True),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_until", sa.DateTime(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_keys")),
        sa.UniqueConstraint("verifier_key", name=op.f("uq_ledger_keys_verifier_key")),
    )
    with op.batch_alter_table("ledger_checkpoints") as batch:
        batch.add_column(sa.Column("cosigned", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("ledger_checkpoints") as batch:
        batch.drop_column("cosigned")
    op.drop_table("ledger_keys")
