"""memberships: who may speak for an organisation, and organisations the team confirmed

Adds the membership table and the organisation's state, website domain and automatic
confirmation switch. What was known before this revision is taken as the team's known state:
every existing organisation is verified, and so is every tie of a person to an organisation
that already existed (their current organisation, and any organisation they wrote items
for), so the participation document lists the same stakeholders as before.

Only adds (a table, columns with defaults) and fills them: safe to run while the previous
version serves.

Revision ID: 0007_memberships
Revises: 0006_reading_indexes
Create Date: 2026-11-29 10:00:00.000000

"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_memberships'
down_revision = '0006_reading_indexes'
branch_labels = None
depends_on = None

STATE = sa.Enum('unverified', 'verified', 'refused', name='verificationstate',
                native_enum=False, length=12)
BASIS = sa.Enum('member', 'team', 'domain', 'invitation', 'earlier', name='decisionbasis',
                native_enum=False, length=12)


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', STATE, server_default='unverified',
                                      nullable=False))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('website_domain', sa.String(length=253), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('auto_confirm_domain', sa.Boolean(),
                                      server_default='0', nullable=False))

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('state', STATE, nullable=False),
    sa.Column('role', sa.String(length=120), nullable=False),
    sa.Column('kvk', sa.String(length=8), nullable=True),
    sa.Column('registered_organisation', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_via', BASIS, nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_membership_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_membership_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_membership_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('user_id', 'organisation_id', name='uq_membership_user_organisation')
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_organisation_id'), ['organisation_id'],
                              unique=False)

    _mark_what_was_known_as_verified()


def _mark_what_was_known_as_verified():
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    organisation = sa.table('organisation', sa.column('state', sa.String),
                            sa.column('decided_at', sa.DateTime))
    op.execute(organisation.update().values(state='verified', decided_at=now))

    user = sa.table('user_account', sa.column('id', sa.Integer),
                    sa.column('organisation_id', sa.Integer))
    items = [sa.table(name, sa.column('author_id', sa.Integer),
                      sa.column('organisation_id', sa.Integer))
             for name in ('contribution', 'comment')]
    pairs = sa.union(
        sa.select(user.c.id.label('user_id'), user.c.organisation_id)
        .where(user.c.organisation_id.is_not(None)),
        *[sa.select(item.c.author_id, item.c.organisation_id)
          .where(item.c.author_id.is_not(None), item.c.organisation_id.is_not(None))
          for item in items]).subquery('pairs')
    membership = sa.table('membership', *[sa.column(name) for name in (
        'user_id', 'organisation_id', 'state', 'role', 'registered_organisation', 'created_at',
        'requested_at', 'decided_at', 'decided_via')])
    op.execute(membership.insert().from_select(
        ['user_id', 'organisation_id', 'state', 'role', 'registered_organisation', 'created_at',
         'requested_at', 'decided_at', 'decided_via'],
        sa.select(pairs.c.user_id, pairs.c.organisation_id, sa.literal('verified'),
                  sa.literal(''), sa.false(), sa.literal(now, sa.DateTime),
                  sa.literal(now, sa.DateTime), sa.literal(now, sa.DateTime),
                  sa.literal('earlier'))))


def downgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_organisation_id'))

    op.drop_table('membership')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('auto_confirm_domain')
        batch_op.drop_column('website_domain')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('state')
