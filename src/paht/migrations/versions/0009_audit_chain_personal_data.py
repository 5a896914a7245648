"""hash-chained events, consent and personal-data requests (issue 8 items 7-8)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from paht.audit.chain import GENESIS, row_hash
from paht.models.base import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

APPEND_ONLY_MESSAGE = "events are append-only"
BACKFILL_BATCH = 1000

events = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("report_id", sa.Uuid),
    sa.column("kind", sa.String),
    sa.column("action", sa.String),
    sa.column("from_state", sa.String),
    sa.column("to_state", sa.String),
    sa.column("actor_id", sa.Integer),
    sa.column("actor_role", sa.String),
    sa.column("organization_id", sa.Integer),
    sa.column("assignment_id", sa.Integer),
    sa.column("payload", sa.JSON),
    sa.column("created_at", UTCDateTime()),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _backfill_chain()
    op.create_index("uq_events_prev_hash", "events", ["prev_hash"], unique=True)
    _create_consents()
    _create_privacy_requests()


def _backfill_chain() -> None:
    """Chain the rows already there, in id order; the append-only triggers are lifted meanwhile."""
    bind = op.get_bind()
    if bind.scalar(sa.select(sa.func.count()).select_from(events)) == 0:
        return
    _drop_append_only(bind.dialect.name)
    prev_hash, after = GENESIS, 0
    while True:
        rows = bind.execute(sa.select(events).where(events.c.id > after).order_by(events.c.id).limit(BACKFILL_BATCH))
        batch = rows.all()
        if not batch:
            break
        for row in batch:
            new_hash = row_hash(prev_hash, row)
            bind.execute(events.update().where(events.c.id == row.id).values(prev_hash=prev_hash, hash=new_hash))
            prev_hash = new_hash
        after = batch[-1].id
    _create_append_only(bind.dialect.name)


def _drop_append_only(dialect: str) -> None:
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute("DROP TRIGGER IF EXISTS events_no_delete")
        return
    op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")


def _create_append_only(dialect: str) -> None:
    """The same triggers as migration 0001 (the PostgreSQL function and TRUNCATE trigger stay)."""
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )
        return
    op.execute(
        "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION events_refuse_change()"
    )


def _create_consents() -> None:
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("basis", sa.String(length=32), nullable=False),
        sa.Column("notice_version", sa.String(length=32), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_consents_recorded_by_id_users")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_consents_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consents_report_id"), ["report_id"], unique=False)


def _create_privacy_requests() -> None:
    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("respond_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("complete_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["handled_by_id"], ["users.id"], name=op.f("fk_privacy_requests_handled_by_id_users")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_privacy_requests_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
    )
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_requests_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_privacy_requests_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_requests_status"))
        batch_op.drop_index(batch_op.f("ix_privacy_requests_report_id"))
    op.drop_table("privacy_requests")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_report_id"))
    op.drop_table("consents")
    op.drop_index("uq_events_prev_hash", table_name="events")
    # Dropping columns rebuilds the table on SQLite, which loses its triggers: lift and restore them.
    dialect = op.get_bind().dialect.name
    _drop_append_only(dialect)
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
    _create_append_only(dialect)
