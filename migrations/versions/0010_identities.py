"""identities: logins through OpenID Connect providers, and an organisation's KvK number

Adds `oidc_identity`: a provider's subject (`sub`) tied to an account, unique per provider.
Adds `organisation.kvk`: the KvK number the team confirmed, which a provider's KvK claim
(eHerkenning) is matched against to verify a membership.

Only adds a table and a nullable column: safe to run while the previous version serves.

Revision ID: 0010_identities
Revises: 0009_thread_roots
Create Date: 2026-12-01 16:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_identities'
down_revision = '0009_thread_roots'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'oidc_identity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_login_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_oidc_identity_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_identity')),
        sa.UniqueConstraint('provider', 'subject', name='uq_oidc_identity_provider_subject'),
    )
    with op.batch_alter_table('oidc_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oidc_identity_user_id'), ['user_id'], unique=False)
    # A column and a unique index, no constraint: SQLite adds both in place, where a constraint
    # would copy the whole table (and the copy cannot drop a table that rows refer to).
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kvk', sa.String(length=8), nullable=True))
    op.create_index(op.f('ix_organisation_kvk'), 'organisation', ['kvk'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_organisation_kvk'), table_name='organisation')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('kvk')
    with op.batch_alter_table('oidc_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oidc_identity_user_id'))
    op.drop_table('oidc_identity')
