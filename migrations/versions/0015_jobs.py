"""jobs: long work (exports, the analysis, the digest, the purge) as rows a worker leases

Adds `job`: kind, process, parameters, state, stage and percent, the lease (worker_id,
heartbeat_at, attempts), the error kept for the team, the result file and the content version
it was made from.

Adds indexes on contribution and comment (round_id, version, updated_at): an export's content
version (count, summed versions, newest change) read from the indexes alone.

Only adds a table and indexes: safe to run while the previous version serves.

Revision ID: 0015_jobs
Revises: 0014_groups
Create Date: 2026-12-01 19:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_jobs'
down_revision = '0014_groups'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=True),
        sa.Column('parameters', sa.JSON(), nullable=False),
        sa.Column('once_key', sa.String(length=80), nullable=True),
        sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='jobstate',
                                   native_enum=False, length=10), nullable=False),
        sa.Column('stage', sa.String(length=40), nullable=True),
        sa.Column('percent', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('enqueued_at', sa.DateTime(), nullable=False),
        sa.Column('worker_id', sa.String(length=120), nullable=True),
        sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('result_path', sa.String(length=255), nullable=True),
        sa.Column('result_bytes', sa.Integer(), nullable=True),
        sa.Column('content_version', sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(['process_id'], ['process.id'],
                                name=op.f('fk_job_process_id_process'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'],
                                name=op.f('fk_job_requested_by_id_user_account'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
        sa.UniqueConstraint('once_key', name=op.f('uq_job_once_key')),
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_process_id'), ['process_id'], unique=False)
        batch_op.create_index('ix_job_state_heartbeat_at', ['state', 'heartbeat_at'],
                              unique=False)
        batch_op.create_index('ix_job_lookup', ['kind', 'process_id', 'content_version'],
                              unique=False)
    op.create_index('ix_contribution_content_version', 'contribution',
                    ['round_id', 'version', 'updated_at'], unique=False)
    op.create_index('ix_comment_content_version', 'comment',
                    ['round_id', 'version', 'updated_at'], unique=False)


def downgrade():
    op.drop_index('ix_comment_content_version', table_name='comment')
    op.drop_index('ix_contribution_content_version', table_name='contribution')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('ix_job_lookup')
        batch_op.drop_index('ix_job_state_heartbeat_at')
        batch_op.drop_index(batch_op.f('ix_job_process_id'))
    op.drop_table('job')
