"""Per-document snapshot of what a document told its reader (an advance notice's intended penalty, its
windows), so that the case file re-renders each notice as it was served, not as the latest one.

Revision ID: 0013d_document_snapshot
Revises: 0013c_notice_service
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0013d_document_snapshot'
down_revision = '0013c_notice_service'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snapshot', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.drop_column('snapshot')
