"""Personal information: the access log of personal data (views, reveals, exports, refusals, purges).

Revision ID: 0023a_personal_data_access
Revises: 0017b_agencies
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0023a_personal_data_access'
down_revision = '0017b_agencies'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('personal_data_accesses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('subject_kind', sa.String(length=20), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('purpose_note', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_personal_data_accesses_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_data_accesses'))
    )
    with op.batch_alter_table('personal_data_accesses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_data_accesses_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_personal_data_accesses_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_personal_data_accesses_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_personal_data_accesses_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_personal_data_accesses_subject', ['subject_kind', 'subject_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_personal_data_accesses_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('personal_data_accesses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personal_data_accesses_user_id'))
        batch_op.drop_index('ix_personal_data_accesses_subject')
        batch_op.drop_index(batch_op.f('ix_personal_data_accesses_case_id'))
        batch_op.drop_index(batch_op.f('ix_personal_data_accesses_at'))
        batch_op.drop_index(batch_op.f('ix_personal_data_accesses_agency_id'))
        batch_op.drop_index(batch_op.f('ix_personal_data_accesses_action'))
    op.drop_table('personal_data_accesses')
