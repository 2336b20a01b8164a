"""Publicity: publications of decisions (redacted content, due dates, non-publication grounds,
withdrawals, display periods), the random-inspection list, annual reports. On PostgreSQL the pg_trgm
extension and trigram GIN indexes on publications.search_text and search_grams; on SQLite those indexes
are declared empty (WHERE 0) so that models and migrations match on both.

Revision ID: 0007_publicity
Revises: 0006_review
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_publicity'
down_revision = '0006_review'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('annual_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('fmt', sa.String(length=10), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_reports')),
    sa.UniqueConstraint('year', 'fmt', name=op.f('uq_annual_reports_year_fmt'))
    )
    op.create_table('inspection_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('targets', sa.String(length=200), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('method', sa.String(length=100), nullable=False),
    sa.Column('ratio', sa.String(length=100), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_inspection_items_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_items'))
    )
    with op.batch_alter_table('inspection_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_items_agency_id'), ['agency_id'], unique=False)

    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decision_number', sa.String(length=60), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('fine_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('penalties', sa.JSON(), nullable=False),
    sa.Column('party_kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('party_text', sa.String(length=300), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('penalty_text', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('search_grams', sa.Text(), nullable=False),
    sa.Column('edits', sa.JSON(), nullable=False),
    sa.Column('pdf_key', sa.String(length=300), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('pdf_size', sa.BigInteger(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('display_until', sa.Date(), nullable=True),
    sa.Column('expired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ground', sa.String(length=30), nullable=True),
    sa.Column('ground_note', sa.Text(), nullable=False),
    sa.Column('reported_to_supervisor_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawal_reason', sa.String(length=30), nullable=True),
    sa.Column('withdrawal_note', sa.Text(), nullable=False),
    sa.Column('withdrawal_event_on', sa.Date(), nullable=True),
    sa.Column('withdrawal_due_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_publications_agency_id_agencies')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_publications_approved_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_publications_case_id_cases')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_publications_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_publications_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('case_id', name=op.f('uq_publications_case_id'))
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publications_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_publications_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_publications_due_on'), ['due_on'], unique=False)
        batch_op.create_index('ix_publications_public_list', ['status', 'decided_on'], unique=False)
    _create_search_index()



def downgrade():
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index('ix_publications_search_grams_trgm')
        batch_op.drop_index('ix_publications_search_trgm')
        batch_op.drop_index('ix_publications_public_list')
        batch_op.drop_index(batch_op.f('ix_publications_due_on'))
        batch_op.drop_index(batch_op.f('ix_publications_category'))
        batch_op.drop_index(batch_op.f('ix_publications_agency_id'))

    op.drop_table('publications')
    with op.batch_alter_table('inspection_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_items_agency_id'))

    op.drop_table('inspection_items')
    op.drop_table('annual_reports')


def _create_search_index():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        for column in ('search_text', 'search_grams'):
            op.create_index(_search_index(column), 'publications', [column], unique=False,
                            sqlite_where=sa.text("0"))
        return
    # The extension may already live in another schema than the current search path (a test schema):
    # qualify its operator class with the schema it is in.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema = bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'").scalar()
    for column in ('search_text', 'search_grams'):
        op.create_index(_search_index(column), 'publications', [column], unique=False,
                        postgresql_using='gin', postgresql_ops={column: f'"{schema}".gin_trgm_ops'})


def _search_index(column):
    return 'ix_publications_search_trgm' if column == 'search_text' else 'ix_publications_search_grams_trgm'
