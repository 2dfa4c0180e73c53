"""theme tally: how many contributions of each theme everyone may read, kept by the database

Adds `theme_tally` (round, theme, shown) and triggers on `contribution` that keep it: an
insert, a change of state, hidden_at, theme or round, and a delete each move the count of the
theme they leave and of the theme they join. The reading page of round 1 shows every theme's
count; counting them on each request read every shown contribution of the round (about 2 ms at
10,000), the tally reads one row per theme. Triggers, not the application, so that every way
of writing (the ORM, bulk statements, the import, the erasure, a command) keeps it right.

The tally is filled from the contributions there are. Only adds a table and triggers: safe to
run while the previous version serves (its writes are counted from this moment on).

On SQLite, a later migration that rebuilds the contribution table (Alembic's batch mode) drops
its triggers: such a migration must create them again (tests/test_theme_tally.py notices).

Revision ID: 0016_theme_tally
Revises: 0015_jobs
Create Date: 2026-12-01 23:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_theme_tally'
down_revision = '0015_jobs'
branch_labels = None
depends_on = None

SHOWN_OLD = "OLD.state = 'published' AND OLD.hidden_at IS NULL"
SHOWN_NEW = "NEW.state = 'published' AND NEW.hidden_at IS NULL"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER contribution_tally_insert AFTER INSERT ON contribution
    WHEN {SHOWN_NEW}
    BEGIN
      INSERT INTO theme_tally (round_id, theme_id, shown) VALUES (NEW.round_id, NEW.theme_id, 1)
      ON CONFLICT (round_id, theme_id) DO UPDATE SET shown = shown + 1;
    END""",
    f"""CREATE TRIGGER contribution_tally_delete AFTER DELETE ON contribution
    WHEN {SHOWN_OLD}
    BEGIN
      UPDATE theme_tally SET shown = shown - 1
      WHERE round_id = OLD.round_id AND theme_id = OLD.theme_id;
    END""",
    f"""CREATE TRIGGER contribution_tally_update
    AFTER UPDATE OF state, hidden_at, theme_id, round_id ON contribution
    WHEN ({SHOWN_OLD}) IS NOT ({SHOWN_NEW}) OR OLD.theme_id IS NOT NEW.theme_id
      OR OLD.round_id IS NOT NEW.round_id
    BEGIN
      UPDATE theme_tally SET shown = shown - 1
      WHERE {SHOWN_OLD} AND round_id = OLD.round_id AND theme_id = OLD.theme_id;
      INSERT INTO theme_tally (round_id, theme_id, shown)
      SELECT NEW.round_id, NEW.theme_id, 1 WHERE {SHOWN_NEW}
      ON CONFLICT (round_id, theme_id) DO UPDATE SET shown = shown + 1;
    END""",
)

POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION contribution_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_shown boolean := TG_OP <> 'INSERT' AND {SHOWN_OLD};
  is_shown boolean := TG_OP <> 'DELETE' AND {SHOWN_NEW};
BEGIN
  IF TG_OP = 'UPDATE' AND was_shown = is_shown AND (NOT was_shown OR (
      OLD.theme_id = NEW.theme_id AND OLD.round_id = NEW.round_id)) THEN
    RETURN NULL;  -- nothing a count sees changed: no row of the tally is touched (or locked)
  END IF;
  IF was_shown THEN
    UPDATE theme_tally SET shown = shown - 1
    WHERE round_id = OLD.round_id AND theme_id = OLD.theme_id;
  END IF;
  IF is_shown THEN
    INSERT INTO theme_tally (round_id, theme_id, shown) VALUES (NEW.round_id, NEW.theme_id, 1)
    ON CONFLICT (round_id, theme_id) DO UPDATE SET shown = theme_tally.shown + 1;
  END IF;
  RETURN NULL;
END
$$"""

POSTGRESQL_TRIGGER = """
CREATE TRIGGER contribution_tally
AFTER INSERT OR DELETE OR UPDATE OF state, hidden_at, theme_id, round_id ON contribution
FOR EACH ROW EXECUTE FUNCTION contribution_tally()"""


def upgrade():
    op.create_table(
        'theme_tally',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('theme_id', sa.Integer(), nullable=False),
        sa.Column('shown', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('round_id', 'theme_id'),
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
    # From the contributions there are; from here on the triggers keep it.
    op.execute("""
        INSERT INTO theme_tally (round_id, theme_id, shown)
        SELECT round_id, theme_id, count(*) FROM contribution
        WHERE state = 'published' AND hidden_at IS NULL GROUP BY round_id, theme_id""")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS contribution_tally ON contribution")
        op.execute("DROP FUNCTION IF EXISTS contribution_tally()")
    else:
        for name in ('insert', 'delete', 'update'):
            op.execute(f"DROP TRIGGER IF EXISTS contribution_tally_{name}")
    op.drop_table('theme_tally')
