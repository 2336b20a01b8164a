"""Supervision oversight: check plans, checks and findings; rectification notices and reports;
accountability decisions.

Revision ID: 0016b_oversight
Revises: 0023a_personal_data_access
Create Date: 2026-12-02 05:54:26.697625

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016b_oversight'
down_revision = '0023a_personal_data_access'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supervision_check_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_supervision_check_plans_agency_id_agencies')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_supervision_check_plans_created_by_id_users')),
    sa.ForeignKeyConstraint(['office_id'], ['supervision_offices.id'], name=op.f('fk_supervision_check_plans_office_id_supervision_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_check_plans')),
    sa.UniqueConstraint('agency_id', 'year', 'title', name=op.f('uq_supervision_check_plans_agency_id_year_title'))
    )
    with op.batch_alter_table('supervision_check_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_check_plans_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_check_plans_office_id'), ['office_id'], unique=False)

    op.create_table('supervision_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('inspector_id', sa.Integer(), nullable=True),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_supervision_checks_agency_id_agencies')),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_supervision_checks_inspector_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['supervision_check_plans.id'], name=op.f('fk_supervision_checks_plan_id_supervision_check_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_checks'))
    )
    with op.batch_alter_table('supervision_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_checks_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_checks_plan_id'), ['plan_id'], unique=False)

    op.create_table('supervision_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_supervision_findings_agency_id_agencies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_supervision_findings_case_id_cases')),
    sa.ForeignKeyConstraint(['check_id'], ['supervision_checks.id'], name=op.f('fk_supervision_findings_check_id_supervision_checks')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_supervision_findings_created_by_id_users')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_supervision_findings_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_findings'))
    )
    with op.batch_alter_table('supervision_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_findings_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_findings_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_findings_check_id'), ['check_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_findings_officer_id'), ['officer_id'], unique=False)

    op.create_table('accountability_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('proposed_on', sa.Date(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('statement_waived', sa.Boolean(), nullable=False),
    sa.Column('statement_on', sa.Date(), nullable=True),
    sa.Column('executed_on', sa.Date(), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('certificate_event_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['certificate_event_id'], ['certificate_events.id'], name=op.f('fk_accountability_decisions_certificate_event_id_certificate_events')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_accountability_decisions_created_by_id_users')),
    sa.ForeignKeyConstraint(['finding_id'], ['supervision_findings.id'], name=op.f('fk_accountability_decisions_finding_id_supervision_findings')),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_accountability_decisions_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accountability_decisions'))
    )
    with op.batch_alter_table('accountability_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accountability_decisions_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_accountability_decisions_officer_id'), ['officer_id'], unique=False)

    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('notice_key', sa.String(length=300), nullable=True),
    sa.Column('notice_sha256', sa.String(length=64), nullable=True),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.Column('escalated_on', sa.Date(), nullable=True),
    sa.Column('escalated_office_id', sa.Integer(), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_rectifications_agency_id_agencies')),
    sa.ForeignKeyConstraint(['escalated_office_id'], ['supervision_offices.id'], name=op.f('fk_rectifications_escalated_office_id_supervision_offices')),
    sa.ForeignKeyConstraint(['finding_id'], ['supervision_findings.id'], name=op.f('fk_rectifications_finding_id_supervision_findings')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_rectifications_issued_by_id_users')),
    sa.ForeignKeyConstraint(['office_id'], ['supervision_offices.id'], name=op.f('fk_rectifications_office_id_supervision_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications')),
    sa.UniqueConstraint('number', name=op.f('uq_rectifications_number'))
    )
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectifications_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_office_id'), ['office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rectifications_status'), ['status'], unique=False)

    op.create_table('rectification_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=10), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_rectification_reports_decided_by_id_users')),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectifications.id'], name=op.f('fk_rectification_reports_rectification_id_rectifications')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_rectification_reports_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_reports'))
    )
    with op.batch_alter_table('rectification_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_reports_rectification_id'), ['rectification_id'], unique=False)



def downgrade():
    with op.batch_alter_table('rectification_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectification_reports_rectification_id'))

    op.drop_table('rectification_reports')
    with op.batch_alter_table('rectifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rectifications_status'))
        batch_op.drop_index(batch_op.f('ix_rectifications_office_id'))
        batch_op.drop_index(batch_op.f('ix_rectifications_agency_id'))

    op.drop_table('rectifications')
    with op.batch_alter_table('accountability_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accountability_decisions_officer_id'))
        batch_op.drop_index(batch_op.f('ix_accountability_decisions_finding_id'))

    op.drop_table('accountability_decisions')
    with op.batch_alter_table('supervision_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_findings_officer_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_findings_check_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_findings_case_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_findings_agency_id'))

    op.drop_table('supervision_findings')
    with op.batch_alter_table('supervision_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_checks_plan_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_checks_agency_id'))

    op.drop_table('supervision_checks')
    with op.batch_alter_table('supervision_check_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_check_plans_office_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_check_plans_agency_id'))

    op.drop_table('supervision_check_plans')
