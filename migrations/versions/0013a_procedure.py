"""Cases: the penalty procedure's legal details (issue 13 part A) — discovery date (limitation, APL Art 36),
what the advance notice told the party (APL Art 44, 62), the kind of decision and the amounts that count
(APL Art 57, 63), the on-the-spot record and its 备案 (APL Art 52), the follow-up of the order to correct
(APL Art 28), and the effective service date (公告送达, 民事诉讼法 Art 95).

Revision ID: 0013a_procedure
Revises: 0017c_training
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013a_procedure'
down_revision = '0017c_training'
branch_labels = None
depends_on = None

COLUMNS = [
    ('discovered_on', sa.Date()),
    ('noticed', sa.JSON()),
    ('notice_count', sa.Integer()),
    ('decision_kind', sa.String(length=20)),
    ('gains_amount', sa.Numeric(14, 2)),
    ('property_value', sa.Numeric(14, 2)),
    ('decision_record', sa.JSON()),
    ('summary_filed_on', sa.Date()),
    ('correction_checked_on', sa.Date()),
    ('correction_result', sa.Text()),
    ('service_effective_on', sa.Date()),
]


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
