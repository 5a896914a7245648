"""an index for the public map's box: published reports by longitude and latitude (issue 7, W5)

Without it a map view sorted every published report (ix_reports_state_created, then a temporary B-tree)
and tested each point against the box; with it the database reads only the box's band of longitudes.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_reports_state_lon_lat", "reports", ["state", "lon", "lat"])


def downgrade() -> None:
    op.drop_index("ix_reports_state_lon_lat", table_name="reports")
