"""The evidence ledger: entries (hash chain), Merkle nodes, signed checkpoints, and the append head.

Revision ID: 0002_ledger
Revises: 0001_accounts
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_ledger"
down_revision = "0001_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ledger_entries",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_entries")),
    )
    with op.batch_alter_table("ledger_entries") as batch:
        batch.create_index(batch.f("ix_ledger_entries_kind"), ["kind"], unique=False)
        batch.create_index(batch.f("ix_ledger_entries_subject"), ["subject"], unique=False)

    op.create_table(
        "ledger_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("level", "index", name=op.f("pk_ledger_nodes")),
    )

    op.create_table(
        "ledger_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("key_name", sa.String(length=200), nullable=False),
        sa.Column("key_hash", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_checkpoints")),
        sa.UniqueConstraint("tree_size", name=op.f("uq_ledger_checkpoints_tree_size")),
    )
    with op.batch_alter_table("ledger_checkpoints") as batch:
        batch.create_index(batch.f("ix_ledger_checkpoints_created_at"), ["created_at"], unique=False)

    heads = op.create_table(
        "ledger_heads",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("checkpoint_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_heads")),
    )
    op.bulk_insert(heads, [{"id": 1, "size": 0, "head_hash": "0" * 64, "checkpoint_at": None}])


def downgrade():
    op.drop_table("ledger_heads")
    with op.batch_alter_table("ledger_checkpoints") as batch:
        batch.drop_index(batch.f("ix_ledger_checkpoints_created_at"))
    op.drop_table("ledger_checkpoints")
    op.drop_table("ledger_nodes")
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_index(batch.f("ix_ledger_entries_subject"))
        batch.drop_index(batch.f("ix_ledger_entries_kind"))
    op.drop_table("ledger_entries")
