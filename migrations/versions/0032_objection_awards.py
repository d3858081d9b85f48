"""an objection upheld is the application's decision: its award, in place of the rejection it
overturned (the worker recorded it on the timeline, but left the rejection as the decision,
so the annual report and the export of awarded grants left such a grant out). The award's
amount is the grant's now: the amount upheld, unless the grant was settled since (none can
have been at this release: settlement follows the final report, after the project's end)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 22:00:00
"""

from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None

# each application's last objection upheld, from its timeline
UPHELD = ("SELECT e.application_id, e.note, e.actor_name, e.at, a.awarded_cents "
          "FROM grant_events e JOIN applications a ON a.id = e.application_id "
          "WHERE e.action = 'uphold_objection' AND a.awarded_cents IS NOT NULL "
          "AND e.seq = (SELECT MAX(o.seq) FROM grant_events o "
          "WHERE o.application_id = e.application_id AND o.action = 'uphold_objection')")


def upgrade() -> None:
    op.execute(f"DELETE FROM decisions WHERE application_id IN "
               f"(SELECT application_id FROM ({UPHELD}) u)")
    op.execute(f"INSERT INTO decisions (application_id, awarded, amount_cents, reason, "
               f"decided_by, decided_at) SELECT application_id, TRUE, awarded_cents, note, "
               f"actor_name, at FROM ({UPHELD}) u")


def downgrade() -> None:
    pass  # the awards stay: the release before reads them as any award
