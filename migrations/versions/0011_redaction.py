"""redaction: personal data found in contributions and comments, and the team's decision

Adds `redaction` (the findings of one item's text and the decision) and, on `contribution`
and `comment`, `redacted_md` / `redacted_html`: the text as the public reads it when personal
data is replaced (NULL: as written). Existing texts are scanned by `flask redaction scan`.

Only adds a table and nullable columns: safe to run while the previous version serves.

Revision ID: 0011_redaction
Revises: 0010_identities
Create Date: 2026-12-01 20:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_redaction'
down_revision = '0010_identities'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'redaction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contribution_id', sa.Integer(), nullable=True),
        sa.Column('comment_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.Enum('suggested', 'agreed', 'dismissed', name='redactionstate',
                                   native_enum=False, length=12), nullable=False),
        sa.Column('source_md', sa.Text(), nullable=False),
        sa.Column('findings', sa.JSON(), nullable=False),
        sa.Column('found_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.CheckConstraint('(contribution_id IS NULL) <> (comment_id IS NULL)',
                           name=op.f('ck_redaction_one_target')),
        sa.ForeignKeyConstraint(['contribution_id'], ['contribution.id'],
                                name=op.f('fk_redaction_contribution_id_contribution')),
        sa.ForeignKeyConstraint(['comment_id'], ['comment.id'],
                                name=op.f('fk_redaction_comment_id_comment')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'],
                                name=op.f('fk_redaction_decided_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_redaction')),
        sa.UniqueConstraint('contribution_id', name=op.f('uq_redaction_contribution_id')),
        sa.UniqueConstraint('comment_id', name=op.f('uq_redaction_comment_id')),
    )
    for table in ('contribution', 'comment'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('redacted_md', sa.Text(), nullable=True))
            batch_op.add_column(sa.Column('redacted_html', sa.Text(), nullable=True))


def downgrade():
    for table in ('comment', 'contribution'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('redacted_html')
            batch_op.drop_column('redacted_md')
    op.drop_table('redaction')
