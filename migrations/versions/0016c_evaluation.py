"""Case-file evaluation (案卷评查): rounds, drawn files frozen at the draw checkpoint, evaluators' sheets.

Revision ID: 0016c_evaluation
Revises: 0016b_oversight
Create Date: 2026-12-02 06:05:20.983614

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016c_evaluation'
down_revision = '0016b_oversight'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('agency_ids', sa.JSON(), nullable=False),
    sa.Column('evaluator_ids', sa.JSON(), nullable=False),
    sa.Column('sample_percent', sa.Integer(), nullable=False),
    sa.Column('sample_min', sa.Integer(), nullable=False),
    sa.Column('sheet', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('drawn_on', sa.Date(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('bulletin_number', sa.String(length=40), nullable=True),
    sa.Column('bulletin_key', sa.String(length=300), nullable=True),
    sa.Column('bulletin_sha256', sa.String(length=64), nullable=True),
    sa.Column('bulletin_ledger_seq', sa.BigInteger(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluation_rounds_created_by_id_users')),
    sa.ForeignKeyConstraint(['office_id'], ['supervision_offices.id'], name=op.f('fk_evaluation_rounds_office_id_supervision_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_rounds'))
    )
    with op.batch_alter_table('evaluation_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_rounds_office_id'), ['office_id'], unique=False)

    op.create_table('evaluation_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('draw_id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_size', sa.BigInteger(), nullable=False),
    sa.Column('case_last_seq', sa.BigInteger(), nullable=True),
    sa.Column('evaluator1_id', sa.Integer(), nullable=True),
    sa.Column('evaluator2_id', sa.Integer(), nullable=True),
    sa.Column('rectification_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_evaluation_files_agency_id_agencies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_evaluation_files_case_id_cases')),
    sa.ForeignKeyConstraint(['draw_id'], ['draws.id'], name=op.f('fk_evaluation_files_draw_id_draws')),
    sa.ForeignKeyConstraint(['evaluator1_id'], ['users.id'], name=op.f('fk_evaluation_files_evaluator1_id_users')),
    sa.ForeignKeyConstraint(['evaluator2_id'], ['users.id'], name=op.f('fk_evaluation_files_evaluator2_id_users')),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectifications.id'], name=op.f('fk_evaluation_files_rectification_id_rectifications')),
    sa.ForeignKeyConstraint(['round_id'], ['evaluation_rounds.id'], name=op.f('fk_evaluation_files_round_id_evaluation_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_files')),
    sa.UniqueConstraint('round_id', 'case_id', name=op.f('uq_evaluation_files_round_id_case_id'))
    )
    with op.batch_alter_table('evaluation_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_files_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_files_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_files_draw_id'), ['draw_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_files_round_id'), ['round_id'], unique=False)

    op.create_table('evaluation_sheets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=False),
    sa.Column('deductions', sa.JSON(), nullable=False),
    sa.Column('auto_fail', sa.JSON(), nullable=False),
    sa.Column('score', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('ledger_seq', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['evaluator_id'], ['users.id'], name=op.f('fk_evaluation_sheets_evaluator_id_users')),
    sa.ForeignKeyConstraint(['file_id'], ['evaluation_files.id'], name=op.f('fk_evaluation_sheets_file_id_evaluation_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_sheets')),
    sa.UniqueConstraint('file_id', 'evaluator_id', name=op.f('uq_evaluation_sheets_file_id_evaluator_id'))
    )
    with op.batch_alter_table('evaluation_sheets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_sheets_file_id'), ['file_id'], unique=False)



def downgrade():
    with op.batch_alter_table('evaluation_sheets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_sheets_file_id'))

    op.drop_table('evaluation_sheets')
    with op.batch_alter_table('evaluation_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_files_round_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_files_draw_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_files_case_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_files_agency_id'))

    op.drop_table('evaluation_files')
    with op.batch_alter_table('evaluation_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_rounds_office_id'))

    op.drop_table('evaluation_rounds')
