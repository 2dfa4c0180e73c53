"""groups: the analysis's groups as stored for the team, the team's codes, near-duplicates

Adds `analysis_group_set` (per process and round: when the analysis last ran; the row every
change to the round's groups updates first), `analysis_group` and `analysis_group_item` (an
item in at most one group; `pinned`: the team placed it there), `analysis_code` and
`analysis_item_code` (the team's tags, once per item), `analysis_near_duplicate`.

Only adds tables: safe to run while the previous version serves.

Revision ID: 0014_groups
Revises: 0013_ratings
Create Date: 2026-12-01 19:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_groups'
down_revision = '0013_ratings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('analysis_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_analysis_code_process_id_process')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_code')),
    sa.UniqueConstraint('process_id', 'name', name=op.f('uq_analysis_code_process_id'))
    )
    with op.batch_alter_table('analysis_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analysis_code_process_id'), ['process_id'], unique=False)

    op.create_table('analysis_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('round_kind', sa.Enum('input', 'feedback', name='roundkind', native_enum=False, length=10), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('suggested_label', sa.String(length=200), nullable=False),
    sa.Column('key_phrases', sa.JSON(), nullable=False),
    sa.Column('is_suggested', sa.Boolean(), nullable=False),
    sa.Column('is_renamed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_analysis_group_process_id_process')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_group'))
    )
    with op.batch_alter_table('analysis_group', schema=None) as batch_op:
        batch_op.create_index('ix_analysis_group_round', ['process_id', 'round_kind'], unique=False)

    op.create_table('analysis_group_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('round_kind', sa.Enum('input', 'feedback', name='roundkind', native_enum=False, length=10), nullable=False),
    sa.Column('analysed_at', sa.DateTime(), nullable=True),
    sa.Column('items_analysed', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_analysis_group_set_process_id_process')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_group_set')),
    sa.UniqueConstraint('process_id', 'round_kind', name=op.f('uq_analysis_group_set_process_id'))
    )
    op.create_table('analysis_near_duplicate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('round_kind', sa.Enum('input', 'feedback', name='roundkind', native_enum=False, length=10), nullable=False),
    sa.Column('item_kind', sa.Enum('contribution', 'comment', name='targettype', native_enum=False, length=14), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_analysis_near_duplicate_process_id_process')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_near_duplicate')),
    sa.UniqueConstraint('item_kind', 'first_id', 'second_id', name=op.f('uq_analysis_near_duplicate_item_kind'))
    )
    with op.batch_alter_table('analysis_near_duplicate', schema=None) as batch_op:
        batch_op.create_index('ix_analysis_near_duplicate_round', ['process_id', 'round_kind'], unique=False)

    op.create_table('analysis_group_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('item_kind', sa.Enum('contribution', 'comment', name='targettype', native_enum=False, length=14), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['analysis_group.id'], name=op.f('fk_analysis_group_item_group_id_analysis_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_group_item')),
    sa.UniqueConstraint('item_kind', 'item_id', name=op.f('uq_analysis_group_item_item_kind'))
    )
    with op.batch_alter_table('analysis_group_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analysis_group_item_group_id'), ['group_id'], unique=False)

    op.create_table('analysis_item_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('item_kind', sa.Enum('contribution', 'comment', name='targettype', native_enum=False, length=14), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['code_id'], ['analysis_code.id'], name=op.f('fk_analysis_item_code_code_id_analysis_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_analysis_item_code_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_item_code')),
    sa.UniqueConstraint('code_id', 'item_kind', 'item_id', name=op.f('uq_analysis_item_code_code_id'))
    )
    with op.batch_alter_table('analysis_item_code', schema=None) as batch_op:
        batch_op.create_index('ix_analysis_item_code_item', ['item_kind', 'item_id'], unique=False)



def downgrade():
    with op.batch_alter_table('analysis_item_code', schema=None) as batch_op:
        batch_op.drop_index('ix_analysis_item_code_item')

    op.drop_table('analysis_item_code')
    with op.batch_alter_table('analysis_group_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analysis_group_item_group_id'))

    op.drop_table('analysis_group_item')
    with op.batch_alter_table('analysis_near_duplicate', schema=None) as batch_op:
        batch_op.drop_index('ix_analysis_near_duplicate_round')

    op.drop_table('analysis_near_duplicate')
    op.drop_table('analysis_group_set')
    with op.batch_alter_table('analysis_group', schema=None) as batch_op:
        batch_op.drop_index('ix_analysis_group_round')

    op.drop_table('analysis_group')
    with op.batch_alter_table('analysis_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analysis_code_process_id'))

    op.drop_table('analysis_code')
