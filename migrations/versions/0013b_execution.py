"""Execution phase (SPEC §11): payments, deferral/instalment plans, execution acts; deadlines remember how
they were computed (start date and rule) so that a calendar import can recompute them (SPEC §16).

Revision ID: 0013b_execution
Revises: 0014a_sessions
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013b_execution'
down_revision = '0014a_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('to_fine', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('to_surcharge', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('receipt_number', sa.String(length=60), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_payments_case_id_cases')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_case_payments_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_payments'))
    )
    with op.batch_alter_table('case_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_payments_case_id'), ['case_id'], unique=False)

    op.create_table('case_payment_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('deferred_until', sa.Date(), nullable=True),
    sa.Column('instalments', sa.JSON(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_payment_plans_case_id_cases')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_case_payment_plans_decided_by_id_users')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_case_payment_plans_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_payment_plans'))
    )
    with op.batch_alter_table('case_payment_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_payment_plans_case_id'), ['case_id'], unique=False)

    op.create_table('case_execution_acts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_execution_acts_case_id_cases')),
    sa.ForeignKeyConstraint(['document_id'], ['case_documents.id'], name=op.f('fk_case_execution_acts_document_id_case_documents')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_case_execution_acts_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_execution_acts'))
    )
    with op.batch_alter_table('case_execution_acts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_execution_acts_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('case_deadlines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('rule', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('case_deadlines', schema=None) as batch_op:
        batch_op.drop_column('rule')
        batch_op.drop_column('start_on')
    with op.batch_alter_table('case_execution_acts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_execution_acts_case_id'))
    op.drop_table('case_execution_acts')
    with op.batch_alter_table('case_payment_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_payment_plans_case_id'))
    op.drop_table('case_payment_plans')
    with op.batch_alter_table('case_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_payments_case_id'))
    op.drop_table('case_payments')
