"""member check: the review window of a process, personal links (hashed), participants' replies

Adds `member_check` (one per process), `review_link` (one per participant per check, only the
token's sha256 stored) and `review_reply` (a confirmation or a reaction per item or on the
whole, with the team's answer).

Only adds tables: safe to run while the previous version serves.

Revision ID: 0012_member_check
Revises: 0011_redaction
Create Date: 2026-12-01 19:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_member_check'
down_revision = '0011_redaction'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'member_check',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('opens_at', sa.DateTime(), nullable=False),
        sa.Column('closes_at', sa.DateTime(), nullable=False),
        sa.Column('opened_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('unanswered_at_opening', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['process_id'], ['process.id'],
                                name=op.f('fk_member_check_process_id_process')),
        sa.ForeignKeyConstraint(['opened_by_id'], ['user_account.id'],
                                name=op.f('fk_member_check_opened_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_member_check')),
        sa.UniqueConstraint('process_id', name=op.f('uq_member_check_process_id')),
    )
    op.create_table(
        'review_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('check_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.Column('reminded_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['check_id'], ['member_check.id'],
                                name=op.f('fk_review_link_check_id_member_check')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_review_link_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_link')),
        sa.UniqueConstraint('check_id', 'user_id', name=op.f('uq_review_link_check_id')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_review_link_token_hash')),
    )
    with op.batch_alter_table('review_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_link_user_id'), ['user_id'], unique=False)
    op.create_table(
        'review_reply',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('check_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.Enum('contribution', 'comment', 'document',
                                     name='reviewsubject', native_enum=False, length=14),
                  nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('verdict', sa.Enum('confirmed', 'reaction', name='verdict',
                                     native_enum=False, length=10), nullable=False),
        sa.Column('body_md', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('answer_md', sa.Text(), nullable=False),
        sa.Column('answer_html', sa.Text(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.ForeignKeyConstraint(['check_id'], ['member_check.id'],
                                name=op.f('fk_review_reply_check_id_member_check')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_review_reply_user_id_user_account')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'],
                                name=op.f('fk_review_reply_answered_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_reply')),
        sa.UniqueConstraint('check_id', 'user_id', 'subject', 'subject_id',
                            name=op.f('uq_review_reply_check_id')),
    )
    with op.batch_alter_table('review_reply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_reply_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('review_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_reply_user_id'))
    op.drop_table('review_reply')
    with op.batch_alter_table('review_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_link_user_id'))
    op.drop_table('review_link')
    op.drop_table('member_check')
