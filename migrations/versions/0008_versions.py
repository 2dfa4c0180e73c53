"""versions and session epochs: two people editing one thing at once, and logout on the server

Adds a `version` to everything two people can edit at the same moment (contributions,
comments, responses, response templates, themes, rounds, processes): a save names the version
it was made from, and a save from an older version is refused with both texts shown instead of
overwriting the newer one. Adds `session_epoch` to accounts: logging out raises it, which ends
every session cookie issued before (as a password change already does).

Only adds columns with defaults: safe to run while the previous version serves.

Revision ID: 0008_versions
Revises: 0007_memberships
Create Date: 2026-12-01 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_versions'
down_revision = '0007_memberships'
branch_labels = None
depends_on = None

VERSIONED = ('contribution', 'comment', 'response', 'response_template', 'theme', 'round',
             'process')


def upgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1',
                                          nullable=False))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
