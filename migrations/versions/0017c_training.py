"""Officer training records (courses and hours) and the unified examination (date, score, pass): a new
certificate needs a passed examination, the annual inspection the yearly hours (SPEC §5.5).

Revision ID: 0017c_training
Revises: 0016c_evaluation
Create Date: 2026-12-02 06:24:47.480004

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017c_training'
down_revision = '0016c_evaluation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('officer_examinations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('score', sa.Numeric(precision=5, scale=1), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('organiser', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_officer_examinations_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer_examinations'))
    )
    with op.batch_alter_table('officer_examinations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officer_examinations_officer_id'), ['officer_id'], unique=False)

    op.create_table('officer_trainings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('course', sa.String(length=200), nullable=False),
    sa.Column('provider', sa.String(length=120), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], name=op.f('fk_officer_trainings_officer_id_officers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer_trainings'))
    )
    with op.batch_alter_table('officer_trainings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officer_trainings_officer_id'), ['officer_id'], unique=False)



def downgrade():
    with op.batch_alter_table('officer_trainings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officer_trainings_officer_id'))

    op.drop_table('officer_trainings')
    with op.batch_alter_table('officer_examinations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officer_examinations_officer_id'))

    op.drop_table('officer_examinations')
