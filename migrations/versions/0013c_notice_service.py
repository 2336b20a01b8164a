"""Service of the advance notice: its method and the day it takes effect (公告送达: 30 days after the
announcement, 民事诉讼法 Art 95), from which the defence and hearing-request windows run (APL Art 44, 64).

Revision ID: 0013c_notice_service
Revises: 0015c_inspections
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0013c_notice_service'
down_revision = '0015c_inspections'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_method', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('notice_effective_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('notice_effective_on')
        batch_op.drop_column('notice_method')
