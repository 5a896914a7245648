"""events join the hash chain when their transaction commits: `chain_seq` orders the chain (issue 7, W1/W7)

Until now a writer took the chain's lock at its first event and held it to commit, so on PostgreSQL
every transaction that wrote an event ran its statistics, search and outbox work one at a time (a
workflow action waited ~690 ms for the lock at 32 connections). Now events are inserted unsealed and
sealed at commit (chain_seq, prev_hash, hash) under the lock, which covers only that step. Chain order
is `chain_seq`, not `id`: ids come from the sequence at insert, in no particular commit order.

Rows chained before keep their hashes; their order was id order, so chain_seq = id for them. The
append-only guard now lets an UPDATE through only when it seals an unsealed row and changes nothing
else (`paht.audit.append_only`).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from paht.audit import append_only

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CHAINED = "chain_seq IS NOT NULL"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _old_guard_drop(dialect):
        op.execute(statement)
    op.add_column("events", sa.Column("chain_seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=True))
    op.execute("UPDATE events SET chain_seq = id WHERE hash IS NOT NULL")
    op.create_index(
        "uq_events_chain_seq",
        "events",
        ["chain_seq"],
        unique=True,
        sqlite_where=sa.text(CHAINED),
        postgresql_where=sa.text(CHAINED),
    )
    for statement in append_only.create(dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in append_only.drop(dialect):
        op.execute(statement)
    op.drop_index("uq_events_chain_seq", table_name="events")
    with op.batch_alter_table("events", recreate="never") as batch_op:
        batch_op.drop_column("chain_seq")
    for statement in _old_guard_create(dialect):
        op.execute(statement)


def _old_guard_drop(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return ["DROP TRIGGER IF EXISTS events_no_update", "DROP TRIGGER IF EXISTS events_no_delete"]
    return ["DROP TRIGGER IF EXISTS events_append_only ON events"]


def _old_guard_create(dialect: str) -> list[str]:
    """The triggers of migration 0001: no UPDATE, no DELETE."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
            f"BEGIN SELECT RAISE(ABORT, '{append_only.MESSAGE}'); END"
            for verb in ("UPDATE", "DELETE")
        ]
    return [
        "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION events_refuse_change()"
    ]
