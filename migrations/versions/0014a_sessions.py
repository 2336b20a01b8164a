"""Server-side login sessions (revocable: deleted on logout) and the outcome of each login attempt
(only wrong passwords count towards a lock; throttled attempts are kept for the audit trail).

Revision ID: 0014a_sessions
Revises: 0013a_procedure
"""
import sqlalchemy as sa
from alembic import op

revision = "0014a_sessions"
down_revision = "0013a_procedure"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sid_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_seen_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("sid_hash", name=op.f("uq_user_sessions_sid_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])
    with op.batch_alter_table("login_attempts") as batch:
        batch.add_column(sa.Column("outcome", sa.String(length=20), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("login_attempts") as batch:
        batch.drop_column("outcome")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
