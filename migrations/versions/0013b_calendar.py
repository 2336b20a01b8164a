"""Calendar: imported official holiday arrangements (SPEC §16), one row per import.

Revision ID: 0013b_calendar
Revises: 0015a_draws
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013b_calendar'
down_revision = '0015a_draws'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('holiday_calendars',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('holidays', sa.JSON(), nullable=False),
    sa.Column('workdays', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.Column('recomputed', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_holiday_calendars_imported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holiday_calendars'))
    )
    with op.batch_alter_table('holiday_calendars', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holiday_calendars_year'), ['year'], unique=False)


def downgrade():
    with op.batch_alter_table('holiday_calendars', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holiday_calendars_year'))
    op.drop_table('holiday_calendars')
