"""statistics: maintained counters and duration histograms per period, body, category and area (issue 5)

Keys: category/area -1 are rollups over every category/area, so a body's figures are read without
summing detail rows; the key order (grain, day, area, category, body) serves each kind of read.

Also a partial index on running clocks so that "overdue now" never scans stopped clocks.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-28 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text as sa_text

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

COUNTERS = (
    "received",
    "dispatched",
    "reopened",
    "misrouted",
    "rejected",
    "duplicates",
    "dispatch_timed",
    "dispatch_on_time",
    "dispatch_seconds",
    "published",
    "publish_timed",
    "publish_on_time",
    "publish_seconds",
    "editor_send_backs",
    "assigned",
    "acknowledged",
    "returned",
    "ack_timed",
    "ack_on_time",
    "ack_seconds",
    "resolved",
    "resolve_timed",
    "resolve_on_time",
    "resolve_seconds",
    "resubmitted",
    "approvals",
    "leader_send_backs",
    "approve_timed",
    "approve_on_time",
    "approve_seconds",
    "results_published",
    "results_sent_back",
    "rating_1",
    "rating_2",
    "rating_3",
    "rating_4",
    "rating_5",
)


def _keys() -> list[sa.Column]:
    return [
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("area_key", sa.Integer(), nullable=False),
        sa.Column("category_key", sa.Integer(), nullable=False),
        sa.Column("organization_key", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "stats_daily",
        *_keys(),
        *(sa.Column(name, sa.BigInteger(), server_default="0", nullable=False) for name in COUNTERS),
        sa.PrimaryKeyConstraint(
            "grain", "day", "area_key", "category_key", "organization_key", name=op.f("pk_stats_daily")
        ),
    )
    op.create_table(
        "stats_buckets",
        *_keys(),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("bucket", sa.String(length=16), nullable=False),
        sa.Column("count", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint(
            "grain",
            "day",
            "area_key",
            "category_key",
            "organization_key",
            "metric",
            "bucket",
            name=op.f("pk_stats_buckets"),
        ),
    )
    op.create_table(
        "stats_report_dims",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("category_key", sa.Integer(), nullable=False),
        sa.Column("area_key", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_stats_report_dims_report_id_reports")),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_stats_report_dims")),
    )
    with op.batch_alter_table("sla_clocks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sla_clocks_running_overdue",
            ["due_at", "organization_id", "stage"],
            unique=False,
            sqlite_where=sa_text("stopped_at IS NULL"),
            postgresql_where=sa_text("stopped_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("sla_clocks", schema=None) as batch_op:
        batch_op.drop_index("ix_sla_clocks_running_overdue")
    op.drop_table("stats_report_dims")
    op.drop_table("stats_buckets")
    op.drop_table("stats_daily")
