"""stage counts: the number of applications in each stage, kept by triggers on `applications`,
so the overview and the metrics cost the same at 100 grants and at 100,000

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 19:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# Add one to a stage's count, creating its row the first time.
_ADD = ("INSERT INTO stage_counts (stage, applications) VALUES ({stage}, 1) "
        "ON CONFLICT (stage) DO UPDATE SET applications = stage_counts.applications + 1")
_REMOVE = "UPDATE stage_counts SET applications = applications - 1 WHERE stage = {stage}"

SQLITE_TRIGGERS = {
    "stage_counts_insert": f"""
        CREATE TRIGGER stage_counts_insert AFTER INSERT ON applications BEGIN
            {_ADD.format(stage="NEW.stage")};
        END""",
    "stage_counts_update": f"""
        CREATE TRIGGER stage_counts_update AFTER UPDATE OF stage ON applications
        WHEN OLD.stage IS NOT NEW.stage BEGIN
            {_REMOVE.format(stage="OLD.stage")};
            {_ADD.format(stage="NEW.stage")};
        END""",
    "stage_counts_delete": f"""
        CREATE TRIGGER stage_counts_delete AFTER DELETE ON applications BEGIN
            {_REMOVE.format(stage="OLD.stage")};
        END""",
}

# PostgreSQL: one function for all three; a stage change takes its two count rows in the order
# of their names, so two grants moving past each other cannot deadlock on them.
POSTGRES_FUNCTION = f"""
CREATE FUNCTION stage_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_ADD.format(stage="NEW.stage")};
    ELSIF TG_OP = 'DELETE' THEN
        {_REMOVE.format(stage="OLD.stage")};
    ELSIF OLD.stage IS DISTINCT FROM NEW.stage THEN
        IF OLD.stage < NEW.stage THEN
            {_REMOVE.format(stage="OLD.stage")};
            {_ADD.format(stage="NEW.stage")};
        ELSE
            {_ADD.format(stage="NEW.stage")};
            {_REMOVE.format(stage="OLD.stage")};
        END IF;
    END IF;
    RETURN NULL;
END $$"""


def upgrade() -> None:
    op.create_table(
        'stage_counts',
        sa.Column('stage', sa.String(), nullable=False),
        sa.Column('applications', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('stage'),
    )
    op.execute("INSERT INTO stage_counts (stage, applications) "
               "SELECT stage, count(*) FROM applications GROUP BY stage")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute("CREATE TRIGGER stage_counts_keep AFTER INSERT OR DELETE OR UPDATE OF stage "
                   "ON applications FOR EACH ROW EXECUTE FUNCTION stage_counts_keep()")
    else:
        for trigger in SQLITE_TRIGGERS.values():
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER stage_counts_keep ON applications")
        op.execute("DROP FUNCTION stage_counts_keep()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table('stage_counts')
