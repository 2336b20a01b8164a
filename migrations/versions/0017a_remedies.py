"""Remedies (SPEC §15): reconsiderations and lawsuits per decision, their hearings (who appeared for the
agency, whether the head appeared) and documents.

Revision ID: 0017a_remedies
Revises: 0016a_supervision
Create Date: 2026-12-02 05:16:56.973069

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017a_remedies'
down_revision = '0016a_supervision'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('remedies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.String(length=120), nullable=False),
    sa.Column('case_number', sa.String(length=80), nullable=False),
    sa.Column('applicant', sa.String(length=200), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('notified_on', sa.Date(), nullable=True),
    sa.Column('answer_due', sa.Date(), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('decision_due', sa.Date(), nullable=True),
    sa.Column('extended_on', sa.Date(), nullable=True),
    sa.Column('extension_reason', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=30), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.Column('effects', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_remedies_agency_id_agencies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_remedies_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_remedies_created_by_id_users')),
    sa.ForeignKeyConstraint(['parent_id'], ['remedies.id'], name=op.f('fk_remedies_parent_id_remedies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remedies'))
    )
    with op.batch_alter_table('remedies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remedies_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remedies_answer_due'), ['answer_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_remedies_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remedies_decision_due'), ['decision_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_remedies_parent_id'), ['parent_id'], unique=False)

    op.create_table('remedy_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('remedy_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['remedy_id'], ['remedies.id'], name=op.f('fk_remedy_documents_remedy_id_remedies')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_remedy_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remedy_documents'))
    )
    with op.batch_alter_table('remedy_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remedy_documents_remedy_id'), ['remedy_id'], unique=False)

    op.create_table('remedy_hearings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('remedy_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('representatives', sa.String(length=300), nullable=False),
    sa.Column('head_appeared', sa.Boolean(), nullable=False),
    sa.Column('head_name', sa.String(length=64), nullable=False),
    sa.Column('absence_reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_remedy_hearings_created_by_id_users')),
    sa.ForeignKeyConstraint(['remedy_id'], ['remedies.id'], name=op.f('fk_remedy_hearings_remedy_id_remedies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remedy_hearings'))
    )
    with op.batch_alter_table('remedy_hearings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remedy_hearings_remedy_id'), ['remedy_id'], unique=False)



def downgrade():
    with op.batch_alter_table('remedy_hearings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remedy_hearings_remedy_id'))

    op.drop_table('remedy_hearings')
    with op.batch_alter_table('remedy_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remedy_documents_remedy_id'))

    op.drop_table('remedy_documents')
    with op.batch_alter_table('remedies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remedies_parent_id'))
        batch_op.drop_index(batch_op.f('ix_remedies_decision_due'))
        batch_op.drop_index(batch_op.f('ix_remedies_case_id'))
        batch_op.drop_index(batch_op.f('ix_remedies_answer_due'))
        batch_op.drop_index(batch_op.f('ix_remedies_agency_id'))

    op.drop_table('remedies')
