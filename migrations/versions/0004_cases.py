"""Cases: power list (matters and versions), cases, parties, officers, steps, events, documents,
deadlines and document counters.

Revision ID: 0004_cases
Revises: 0003_officers
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_cases'
down_revision = '0003_officers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_counters',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_document_counters_agency_id_agencies')),
    sa.PrimaryKeyConstraint('agency_id', 'kind', 'year', name=op.f('pk_document_counters'))
    )
    op.create_table('matters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_matters_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matters')),
    sa.UniqueConstraint('agency_id', 'code', name=op.f('uq_matters_agency_id_code'))
    )
    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matters_agency_id'), ['agency_id'], unique=False)

    op.create_table('matter_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('penalty_basis', sa.Text(), nullable=False),
    sa.Column('tiers', sa.JSON(), nullable=False),
    sa.Column('procedures', sa.JSON(), nullable=False),
    sa.Column('av_steps', sa.JSON(), nullable=False),
    sa.Column('major_criteria', sa.JSON(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['matter_id'], ['matters.id'], name=op.f('fk_matter_versions_matter_id_matters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matter_versions')),
    sa.UniqueConstraint('matter_id', 'version', name=op.f('uq_matter_versions_matter_id_version'))
    )
    with op.batch_alter_table('matter_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matter_versions_matter_id'), ['matter_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('matter_version_id', sa.Integer(), nullable=False),
    sa.Column('procedure', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('area_code', sa.String(length=6), nullable=False),
    sa.Column('violation_on', sa.Date(), nullable=True),
    sa.Column('harms_safety', sa.Boolean(), nullable=False),
    sa.Column('is_complex', sa.Boolean(), nullable=False),
    sa.Column('marked_major', sa.Boolean(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=True),
    sa.Column('decision_due', sa.Date(), nullable=True),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('draft', sa.JSON(), nullable=True),
    sa.Column('draft_sha256', sa.String(length=64), nullable=True),
    sa.Column('notice_served_on', sa.Date(), nullable=True),
    sa.Column('defence_waived', sa.Boolean(), nullable=False),
    sa.Column('hearing_requested_on', sa.Date(), nullable=True),
    sa.Column('hearing_on', sa.Date(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decision_number', sa.String(length=60), nullable=True),
    sa.Column('fine_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('penalties', sa.JSON(), nullable=False),
    sa.Column('served_on', sa.Date(), nullable=True),
    sa.Column('service_method', sa.String(length=20), nullable=True),
    sa.Column('payment_due', sa.Date(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('paid_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('surcharge_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('executed_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('archived_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_cases_agency_id_agencies')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_cases_created_by_id_users')),
    sa.ForeignKeyConstraint(['matter_version_id'], ['matter_versions.id'], name=op.f('fk_cases_matter_version_id_matter_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('number', name=op.f('uq_cases_number'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_matter_version_id'), ['matter_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)

    op.create_table('case_deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('basis', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('met_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_deadlines_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_deadlines')),
    sa.UniqueConstraint('case_id', 'kind', name=op.f('uq_case_deadlines_case_id_kind'))
    )
    with op.batch_alter_table('case_deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_deadlines_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_deadlines_due_on'), ['due_on'], unique=False)

    op.create_table('case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_status', sa.String(length=30), nullable=True),
    sa.Column('to_status', sa.String(length=30), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_case_events_actor_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_events_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_case_id'), ['case_id'], unique=False)

    op.create_table('case_officers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_officers_case_id_cases')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_case_officers_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_officers')),
    sa.UniqueConstraint('case_id', 'officer_id', name=op.f('uq_case_officers_case_id_officer_id'))
    )
    with op.batch_alter_table('case_officers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_officers_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_officers_officer_id'), ['officer_id'], unique=False)

    op.create_table('case_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('legal_representative', sa.String(length=64), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('e_service_consent', sa.Boolean(), nullable=False),
    sa.Column('e_service_address', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_parties_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_parties'))
    )
    with op.batch_alter_table('case_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_parties_case_id'), ['case_id'], unique=False)

    op.create_table('case_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('officers', sa.JSON(), nullable=False),
    sa.Column('signature', sa.String(length=20), nullable=False),
    sa.Column('refusal_note', sa.Text(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('needs_av', sa.Boolean(), nullable=False),
    sa.Column('av_justification', sa.Text(), nullable=True),
    sa.Column('av_justification_approved_by_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['av_justification_approved_by_id'], ['users.id'], name=op.f('fk_case_steps_av_justification_approved_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_steps_case_id_cases')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_case_steps_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_steps'))
    )
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_steps_case_id'), ['case_id'], unique=False)

    op.create_table('case_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_documents_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_case_documents_created_by_id_users')),
    sa.ForeignKeyConstraint(['step_id'], ['case_steps.id'], name=op.f('fk_case_documents_step_id_case_steps')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_documents'))
    )
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_documents_case_id'), ['case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_documents_case_id'))

    op.drop_table('case_documents')
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_steps_case_id'))

    op.drop_table('case_steps')
    with op.batch_alter_table('case_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_parties_case_id'))

    op.drop_table('case_parties')
    with op.batch_alter_table('case_officers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_officers_officer_id'))
        batch_op.drop_index(batch_op.f('ix_case_officers_case_id'))

    op.drop_table('case_officers')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_case_id'))

    op.drop_table('case_events')
    with op.batch_alter_table('case_deadlines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_deadlines_due_on'))
        batch_op.drop_index(batch_op.f('ix_case_deadlines_case_id'))

    op.drop_table('case_deadlines')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_matter_version_id'))
        batch_op.drop_index(batch_op.f('ix_cases_agency_id'))

    op.drop_table('cases')
    with op.batch_alter_table('matter_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matter_versions_matter_id'))

    op.drop_table('matter_versions')
    with op.batch_alter_table('matters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matters_agency_id'))

    op.drop_table('matters')
    op.drop_table('document_counters')
