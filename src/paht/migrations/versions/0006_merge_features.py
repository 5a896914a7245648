"""merge the feature branches: web sessions, channels, statistics, search/places/routing

The four features were built side by side on top of 0001; this revision joins them into one head so
that later migrations have a single parent.

Revision ID: 0006
Revises: 0002, 0003, 0004, 0005
"""

revision = "0006"
down_revision = ("0002", "0003", "0004", "0005")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
