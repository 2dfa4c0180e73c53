"""thread roots: every reply knows its conversation, so a thread's page is paged in SQL

Adds comment.root_id (for a reply: the conversation's first comment; NULL for that comment
itself), fills it for the replies already there, and adds the indexes a thread's page reads
(its conversations in order; what each holds) and a check that every reply has a root.

The fill is set-based: one UPDATE per level of the deepest conversation (a reply takes its
parent's root, or its parent when that is the first comment), each a single statement over
the table, on SQLite and PostgreSQL alike. On SQLite the table is rebuilt (batch mode) for the
foreign key and the check.

Revision ID: 0009_thread_roots
Revises: 0008_versions
Create Date: 2026-12-01 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_thread_roots'
down_revision = '0008_versions'
branch_labels = None
depends_on = None

ROOTS_ONLY = sa.text('parent_id IS NULL')

#: Replies whose parent is placed (a first comment, or a reply with its root) take their root
#: from it; repeated until none is left, so as many statements as the deepest reply is deep.
FILL_LEVEL = sa.text("""
UPDATE comment SET root_id = (
    SELECT COALESCE(parent.root_id, parent.id) FROM comment AS parent
    WHERE parent.id = comment.parent_id)
WHERE comment.root_id IS NULL AND comment.parent_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM comment AS parent WHERE parent.id = comment.parent_id
              AND (parent.parent_id IS NULL OR parent.root_id IS NOT NULL))
""")


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('root_id', sa.Integer(), nullable=True))
    connection = op.get_bind()
    while connection.execute(FILL_LEVEL).rowcount:
        pass
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_comment_root_id_comment'), 'comment',
                                    ['root_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_comment_root_with_parent'),
                                         '(parent_id IS NULL) = (root_id IS NULL)')
        batch_op.create_index('ix_comment_conversations',
                              ['lineage_id', 'created_at', 'id', 'state', 'hidden_at',
                               'author_id', 'parent_id'], unique=False, sqlite_where=ROOTS_ONLY, postgresql_where=ROOTS_ONLY)
        batch_op.create_index('ix_comment_root_visible',
                              ['root_id', 'state', 'hidden_at', 'author_id'], unique=False)


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_root_visible')
        batch_op.drop_index('ix_comment_conversations')
        batch_op.drop_constraint(batch_op.f('ck_comment_root_with_parent'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_comment_root_id_comment'), type_='foreignkey')
        batch_op.drop_column('root_id')
