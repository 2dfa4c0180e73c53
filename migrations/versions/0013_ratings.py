"""ratings: a participant's 1-10 score of a round, and the mark that the document is final

Adds `process_rating` (once per person per round: unique round_id + user_id) and
`final_document` (once per process: the "you said, we did" mail goes out once).

Only adds tables: safe to run while the previous version serves.

Revision ID: 0013_ratings
Revises: 0012_member_check
Create Date: 2026-12-01 20:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_ratings'
down_revision = '0012_member_check'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'process_rating',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('remark', sa.String(length=2000), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('score BETWEEN 1 AND 10', name=op.f('ck_process_rating_score_range')),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'],
                                name=op.f('fk_process_rating_round_id_round')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_process_rating_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_process_rating')),
        sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_process_rating_round_id')),
    )
    with op.batch_alter_table('process_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_rating_round_id'), ['round_id'])
        batch_op.create_index(batch_op.f('ix_process_rating_user_id'), ['user_id'])
    op.create_table(
        'final_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('marked_at', sa.DateTime(), nullable=False),
        sa.Column('marked_by_id', sa.Integer(), nullable=True),
        sa.Column('mailed', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['marked_by_id'], ['user_account.id'],
                                name=op.f('fk_final_document_marked_by_id_user_account')),
        sa.ForeignKeyConstraint(['process_id'], ['process.id'],
                                name=op.f('fk_final_document_process_id_process')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_final_document')),
        sa.UniqueConstraint('process_id', name=op.f('uq_final_document_process_id')),
    )


def downgrade():
    op.drop_table('final_document')
    with op.batch_alter_table('process_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_rating_user_id'))
        batch_op.drop_index(batch_op.f('ix_process_rating_round_id'))
    op.drop_table('process_rating')
