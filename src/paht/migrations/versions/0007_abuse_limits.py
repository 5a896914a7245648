"""abuse limits and the abuse list (issue 8 item 3)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("last_hit_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_rate_limits"),
    )
    op.create_index("ix_rate_limits_last_hit_at", "rate_limits", ["last_hit_at"])
    op.create_table(
        "abuse_entries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_abuse_entries_added_by_id_users")),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "removed_by_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_abuse_entries_removed_by_id_users")
        ),
        sa.Column("removed_at", sa.DateTime(timezone=True)),
        sa.Column("removal_reason", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_abuse_entries"),
    )
    op.create_index(
        "ix_abuse_entries_active",
        "abuse_entries",
        ["kind", "value"],
        unique=True,
        sqlite_where=sa.text("removed_at IS NULL"),
        postgresql_where=sa.text("removed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_abuse_entries_active", table_name="abuse_entries")
    op.drop_table("abuse_entries")
    op.drop_index("ix_rate_limits_last_hit_at", table_name="rate_limits")
    op.drop_table("rate_limits")
