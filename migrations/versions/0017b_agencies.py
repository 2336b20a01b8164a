"""Agencies edited in the UI: parent department and publication date (existing agencies count as published
when created); entrusted organisations (APL Art 20-21) and the officer's entrusted organisation.

Revision ID: 0017b_agencies
Revises: 0017a_remedies
Create Date: 2026-12-02 05:59:11.949180

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017b_agencies'
down_revision = '0017a_remedies'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('entrusted_organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('entrusting_agency_id', sa.Integer(), nullable=False),
    sa.Column('matter_codes', sa.JSON(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('document_number', sa.String(length=80), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('terminated_on', sa.Date(), nullable=True),
    sa.Column('termination_reason', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entrusting_agency_id'], ['agencies.id'], name=op.f('fk_entrusted_organisations_entrusting_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entrusted_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_entrusted_organisations_name'))
    )
    with op.batch_alter_table('entrusted_organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entrusted_organisations_entrusting_agency_id'), ['entrusting_agency_id'], unique=False)

    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_department', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('published_on', sa.Date(), nullable=True))

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entrusted_org_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_entrusted_org_id'), ['entrusted_org_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_entrusted_org_id_entrusted_organisations'), 'entrusted_organisations', ['entrusted_org_id'], ['id'])

    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entrusted_org_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_officers_entrusted_org_id'), ['entrusted_org_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_officers_entrusted_org_id_entrusted_organisations'), 'entrusted_organisations', ['entrusted_org_id'], ['id'])
    # Agencies that existed before this revision were public from their creation.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text("UPDATE agencies SET published_on = substr(created_at, 1, 10)"))
    else:
        op.execute(sa.text("UPDATE agencies SET published_on = CAST(created_at AS DATE)"))



def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_entrusted_org_id_entrusted_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_entrusted_org_id'))
        batch_op.drop_column('entrusted_org_id')

    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_officers_entrusted_org_id_entrusted_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_officers_entrusted_org_id'))
        batch_op.drop_column('entrusted_org_id')

    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('published_on')
        batch_op.drop_column('parent_department')

    with op.batch_alter_table('entrusted_organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entrusted_organisations_entrusting_agency_id'))

    op.drop_table('entrusted_organisations')
