"""channels: inbound messages (once each), outbound replies with delivery state, conversations, additions,
Open311 keys and tokens (issue 4)

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-28 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "open311_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_used_at", UTC, nullable=True),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_open311_keys_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_open311_keys_key_hash")),
    )
    op.create_table(
        "channel_conversations",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("sender_id", sa.String(length=320), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=True),
        sa.Column("pending", sa.JSON(), nullable=False),
        sa.Column("prompted_at", UTC, nullable=True),
        sa.Column("last_inbound_at", UTC, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_channel_conversations_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_conversations")),
        sa.UniqueConstraint("channel", "sender_id", name=op.f("uq_channel_conversations_channel")),
    )
    op.create_table(
        "inbound_messages",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("sender_id", sa.String(length=320), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("processed_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_inbound_messages_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
        sa.UniqueConstraint("channel", "external_id", name=op.f("uq_inbound_messages_channel")),
    )
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.create_index("ix_inbound_messages_channel_received", ["channel", "received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_messages_report_id"), ["report_id"], unique=False)
        batch_op.create_index("ix_inbound_messages_status", ["status", "received_at"], unique=False)

    op.create_table(
        "open311_tokens",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["open311_keys.id"], name=op.f("fk_open311_tokens_key_id_open311_keys")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_open311_tokens_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_tokens")),
        sa.UniqueConstraint("token", name=op.f("uq_open311_tokens_token")),
    )
    with op.batch_alter_table("open311_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_open311_tokens_report_id"), ["report_id"], unique=False)

    op.create_table(
        "outbound_messages",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reply_to_ref", sa.String(length=998), nullable=True),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC, nullable=False),
        sa.Column("sending_since", UTC, nullable=True),
        sa.Column("sent_at", UTC, nullable=True),
        sa.Column("provider_message_id", sa.String(length=255), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_outbound_messages_report_id_reports")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_outbound_messages_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_messages")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbound_messages_dedupe_key")),
    )
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.create_index("ix_outbound_messages_channel_sent", ["channel", "sent_at"], unique=False)
        batch_op.create_index("ix_outbound_messages_provider_id", ["provider_message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbound_messages_report_id"), ["report_id"], unique=False)
        batch_op.create_index("ix_outbound_messages_status", ["status", "channel"], unique=False)

    op.create_table(
        "report_additions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("inbound_message_id", BIG_ID, nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("photos", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["inbound_message_id"],
            ["inbound_messages.id"],
            name=op.f("fk_report_additions_inbound_message_id_inbound_messages"),
        ),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_report_additions_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_additions")),
    )
    with op.batch_alter_table("report_additions", schema=None) as batch_op:
        batch_op.create_index("ix_report_additions_report", ["report_id", "id"], unique=False)


def downgrade() -> None:
    for table in (
        "report_additions",
        "outbound_messages",
        "open311_tokens",
        "inbound_messages",
        "channel_conversations",
        "open311_keys",
    ):
        op.drop_table(table)
