"""reading indexes: reading pages and thread counts answered from indexes

Only adds and replaces indexes: safe to run while the previous version serves.

Revision ID: 0006_reading_indexes
Revises: 0005_privacy
Create Date: 2026-11-28 01:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_reading_indexes'
down_revision = '0005_privacy'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_contribution_reading', 'contribution',
                    ['round_id', 'state', 'hidden_at', 'theme_id', 'created_at'])
    op.create_index('ix_contribution_recent', 'contribution',
                    ['round_id', 'state', 'hidden_at', 'created_at'])
    op.drop_index('ix_contribution_round_state', table_name='contribution')
    op.create_index('ix_comment_lineage_visible', 'comment', ['lineage_id', 'state', 'hidden_at'])
    op.drop_index('ix_comment_lineage_state', table_name='comment')


def downgrade():
    op.create_index('ix_comment_lineage_state', 'comment', ['lineage_id', 'state'])
    op.drop_index('ix_comment_lineage_visible', table_name='comment')
    op.create_index('ix_contribution_round_state', 'contribution', ['round_id', 'state'])
    op.drop_index('ix_contribution_recent', table_name='contribution')
    op.drop_index('ix_contribution_reading', table_name='contribution')
