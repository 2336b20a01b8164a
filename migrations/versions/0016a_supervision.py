"""Supervision: the hierarchy of supervision offices (province, city, county), the agencies each supervises
and its supervisors; complaints and reports with their events.

Revision ID: 0016a_supervision
Revises: 0018a_ledger_keys
Create Date: 2026-12-02 05:18:27.011919

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016a_supervision'
down_revision = '0018a_ledger_keys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supervision_offices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['supervision_offices.id'], name=op.f('fk_supervision_offices_parent_id_supervision_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_offices')),
    sa.UniqueConstraint('name', name=op.f('uq_supervision_offices_name'))
    )
    with op.batch_alter_table('supervision_offices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_offices_parent_id'), ['parent_id'], unique=False)

    op.create_table('supervision_office_agencies',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_supervision_office_agencies_agency_id_agencies')),
    sa.ForeignKeyConstraint(['office_id'], ['supervision_offices.id'], name=op.f('fk_supervision_office_agencies_office_id_supervision_offices')),
    sa.PrimaryKeyConstraint('agency_id', name=op.f('pk_supervision_office_agencies'))
    )
    with op.batch_alter_table('supervision_office_agencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_office_agencies_office_id'), ['office_id'], unique=False)

    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('related', sa.String(length=200), nullable=False),
    sa.Column('complainant_name', sa.String(length=64), nullable=False),
    sa.Column('complainant_phone', sa.String(length=40), nullable=False),
    sa.Column('complainant_address', sa.String(length=200), nullable=False),
    sa.Column('consent_disclose', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('accept_due', sa.Date(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('handle_due', sa.Date(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('assigned_on', sa.Date(), nullable=True),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('replied_on', sa.Date(), nullable=True),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_complaints_agency_id_agencies')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_complaints_assignee_id_users')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_complaints_entered_by_id_users')),
    sa.ForeignKeyConstraint(['office_id'], ['supervision_offices.id'], name=op.f('fk_complaints_office_id_supervision_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('reference', name=op.f('uq_complaints_reference'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_office_id'), ['office_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_status'), ['status'], unique=False)

    op.create_table('supervision_office_members',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['supervision_offices.id'], name=op.f('fk_supervision_office_members_office_id_supervision_offices')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_supervision_office_members_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_supervision_office_members'))
    )
    with op.batch_alter_table('supervision_office_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_office_members_office_id'), ['office_id'], unique=False)

    op.create_table('complaint_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_complaint_events_actor_id_users')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_events_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_events'))
    )
    with op.batch_alter_table('complaint_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_events_complaint_id'), ['complaint_id'], unique=False)



def downgrade():
    with op.batch_alter_table('complaint_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_events_complaint_id'))

    op.drop_table('complaint_events')
    with op.batch_alter_table('supervision_office_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_office_members_office_id'))

    op.drop_table('supervision_office_members')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_status'))
        batch_op.drop_index(batch_op.f('ix_complaints_office_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_assignee_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_agency_id'))

    op.drop_table('complaints')
    with op.batch_alter_table('supervision_office_agencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_office_agencies_office_id'))

    op.drop_table('supervision_office_agencies')
    with op.batch_alter_table('supervision_offices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_offices_parent_id'))

    op.drop_table('supervision_offices')
