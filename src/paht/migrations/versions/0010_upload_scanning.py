"""malware scanning and quarantine of uploads (issue 8 item 6)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Photos stored before scanning existed were never scanned: they stay served, as they were.
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("scan_status", sa.String(16), nullable=False, server_default="not_scanned"))
        batch.add_column(sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("scan_finding", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch:
        batch.drop_column("scan_finding")
        batch.drop_column("scanned_at")
        batch.drop_column("scan_status")
