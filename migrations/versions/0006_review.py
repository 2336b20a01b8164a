"""Legal review: major-decision catalogues and their items, review submissions, checklist results, pauses
for supplements, time-limit extensions, conflict-of-interest declarations and review opinions.

Revision ID: 0006_review
Revises: 0005_recordings
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_review'
down_revision = '0005_recordings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('major_catalogues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_major_catalogues_agency_id_agencies')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_major_catalogues_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_major_catalogues')),
    sa.UniqueConstraint('agency_id', 'version', name=op.f('uq_major_catalogues_agency_id_version'))
    )
    with op.batch_alter_table('major_catalogues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_major_catalogues_agency_id'), ['agency_id'], unique=False)

    op.create_table('major_catalogue_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('catalogue_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('fine_at_least', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('penalties', sa.JSON(), nullable=False),
    sa.Column('matter_codes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['catalogue_id'], ['major_catalogues.id'], name=op.f('fk_major_catalogue_items_catalogue_id_major_catalogues')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_major_catalogue_items'))
    )
    with op.batch_alter_table('major_catalogue_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_major_catalogue_items_catalogue_id'), ['catalogue_id'], unique=False)

    op.create_table('review_conflict_declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('has_conflict', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_review_conflict_declarations_case_id_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_conflict_declarations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_conflict_declarations'))
    )
    with op.batch_alter_table('review_conflict_declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_conflict_declarations_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_conflict_declarations_user_id'), ['user_id'], unique=False)

    op.create_table('review_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('draft_sha256', sa.String(length=64), nullable=False),
    sa.Column('draft', sa.JSON(), nullable=False),
    sa.Column('package', sa.JSON(), nullable=False),
    sa.Column('major_reasons', sa.JSON(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('missing', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_review_submissions_agency_id_agencies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_review_submissions_case_id_cases')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_review_submissions_reviewer_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_review_submissions_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_submissions')),
    sa.UniqueConstraint('case_id', 'round', name=op.f('uq_review_submissions_case_id_round'))
    )
    with op.batch_alter_table('review_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_submissions_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_submissions_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_submissions_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_submissions_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_submissions_status'), ['status'], unique=False)

    op.create_table('review_checklist_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=40), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('auto', sa.JSON(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_review_checklist_results_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['review_submissions.id'], name=op.f('fk_review_checklist_results_submission_id_review_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_checklist_results'))
    )
    with op.batch_alter_table('review_checklist_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_checklist_results_submission_id'), ['submission_id'], unique=False)

    op.create_table('review_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_review_extensions_approved_by_id_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['review_submissions.id'], name=op.f('fk_review_extensions_submission_id_review_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_extensions'))
    )
    with op.batch_alter_table('review_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_extensions_submission_id'), ['submission_id'], unique=False)

    op.create_table('review_pauses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('received_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['received_by_id'], ['users.id'], name=op.f('fk_review_pauses_received_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_review_pauses_requested_by_id_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['review_submissions.id'], name=op.f('fk_review_pauses_submission_id_review_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_pauses'))
    )
    with op.batch_alter_table('review_pauses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_pauses_submission_id'), ['submission_id'], unique=False)

    op.create_table('review_opinions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('case_document_id', sa.Integer(), nullable=True),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_document_id'], ['case_documents.id'], name=op.f('fk_review_opinions_case_document_id_case_documents')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_review_opinions_created_by_id_users')),
    sa.ForeignKeyConstraint(['submission_id'], ['review_submissions.id'], name=op.f('fk_review_opinions_submission_id_review_submissions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_opinions')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_review_opinions_submission_id'))
    )


def downgrade():
    op.drop_table('review_opinions')
    with op.batch_alter_table('review_pauses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_pauses_submission_id'))

    op.drop_table('review_pauses')
    with op.batch_alter_table('review_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_extensions_submission_id'))

    op.drop_table('review_extensions')
    with op.batch_alter_table('review_checklist_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_checklist_results_submission_id'))

    op.drop_table('review_checklist_results')
    with op.batch_alter_table('review_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_submissions_status'))
        batch_op.drop_index(batch_op.f('ix_review_submissions_reviewer_id'))
        batch_op.drop_index(batch_op.f('ix_review_submissions_due_on'))
        batch_op.drop_index(batch_op.f('ix_review_submissions_case_id'))
        batch_op.drop_index(batch_op.f('ix_review_submissions_agency_id'))

    op.drop_table('review_submissions')
    with op.batch_alter_table('review_conflict_declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_conflict_declarations_user_id'))
        batch_op.drop_index(batch_op.f('ix_review_conflict_declarations_case_id'))

    op.drop_table('review_conflict_declarations')
    with op.batch_alter_table('major_catalogue_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_major_catalogue_items_catalogue_id'))

    op.drop_table('major_catalogue_items')
    with op.batch_alter_table('major_catalogues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_major_catalogues_agency_id'))

    op.drop_table('major_catalogues')
