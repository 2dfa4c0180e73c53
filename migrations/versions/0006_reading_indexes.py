"""reading indexes: reading pages and thread counts answered from indexes

Only adds and replaces indexes: safe to run while the previous version serves.

Revision ID: 0006_reading_indexes
Revises: 0005_privacy
Create Date: 2026-11-28 01:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_reading_indexes'
down_revision = '0005_privacy'
branch_labels = None
depends_on = None

NOT_HIDDEN = sa.text('hidden_at IS NULL')


def upgrade():
    # Partial (rows not hidden): PostgreSQL does not take "hidden_at IS NULL" as an equality,
    # so the order of created_at, id comes from an index only when hidden_at is not a column
    # before them. The trailing hidden_at lets SQLite count from the index alone.
    op.create_index('ix_contribution_reading', 'contribution',
                    ['round_id', 'state', 'theme_id', 'created_at', 'id', 'hidden_at'],
                    sqlite_where=NOT_HIDDEN, postgresql_where=NOT_HIDDEN)
    op.create_index('ix_contribution_recent', 'contribution',
                    ['round_id', 'state', 'created_at', 'id', 'hidden_at'],
                    sqlite_where=NOT_HIDDEN, postgresql_where=NOT_HIDDEN)
    op.create_index('ix_comment_lineage_visible', 'comment', ['lineage_id', 'state', 'hidden_at'])
    op.drop_index('ix_comment_lineage_state', table_name='comment')


def downgrade():
    op.create_index('ix_comment_lineage_state', 'comment', ['lineage_id', 'state'])
    op.drop_index('ix_comment_lineage_visible', table_name='comment')
    op.drop_index('ix_contribution_recent', table_name='contribution')
    op.drop_index('ix_contribution_reading', table_name='contribution')
