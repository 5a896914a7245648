"""an index on (category, created, id): Open311's list of one service, newest first (issue 7, W9)

`GET /open311/v2/requests.json?service_code=X` reads the newest requests of one category in the spec's
90-day window. Through ix_reports_created it walked every report of the window, newest first, and kept
those of that category: at 1,000,000 reports, ~15,000 rows read for a page of 1,000. This index hands
them over in order, one category at a time. The staff list's category filter uses it too. It begins with
category_id, so it also does the work of ix_reports_category_id, which goes (one index less per new report).

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_reports_category_created", "reports", ["category_id", "created_at", "id"])
    op.drop_index("ix_reports_category_id", table_name="reports")


def downgrade() -> None:
    op.create_index("ix_reports_category_id", "reports", ["category_id"])
    op.drop_index("ix_reports_category_created", table_name="reports")
