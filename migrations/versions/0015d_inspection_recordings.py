"""Recordings of records other than cases (an inspection that found nothing still has its whole-process
recording, SPEC §4.2 "case or task"): recordings and resumable uploads may name a subject ("inspection:<id>")
instead of a case; every recording knows its agency (backfilled from its case).

Revision ID: 0015d_inspection_recordings
Revises: 0013d_document_snapshot
Create Date: 2026-12-02 13:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015d_inspection_recordings'
down_revision = '0013d_document_snapshot'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('recordings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('subject', sa.String(length=60), nullable=True))
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_recordings_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recordings_subject'), ['subject'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_recordings_agency_id_agencies'), 'agencies', ['agency_id'], ['id'])
    op.execute("UPDATE recordings SET agency_id = (SELECT cases.agency_id FROM cases WHERE cases.id = recordings.case_id)")
    with op.batch_alter_table('recording_uploads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=60), nullable=True))
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    # Recordings of subjects other than cases cannot be kept by the older schema: refuse rather than lose them.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM recordings WHERE case_id IS NULL")).scalar():
        raise RuntimeError("recordings without a case exist; downgrade would lose them")
    bind.execute(sa.text("DELETE FROM recording_uploads WHERE case_id IS NULL"))
    with op.batch_alter_table('recording_uploads', schema=None) as batch_op:
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('subject')
    with op.batch_alter_table('recordings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_recordings_agency_id_agencies'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_recordings_subject'))
        batch_op.drop_index(batch_op.f('ix_recordings_agency_id'))
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('subject')
        batch_op.drop_column('agency_id')
