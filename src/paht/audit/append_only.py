"""The database's own guard on the event log: no DELETE, no TRUNCATE, and UPDATE only to seal a row.

Sealing writes a row's place in the chain (`chain_seq`, `prev_hash`, `hash`) once, at commit, and
changes nothing else: the row's content is fixed when it is inserted. Rows already sealed cannot be
touched at all. The statements live here because migrations and the tests' tampering helper (which
lifts and restores the guard, as an attacker with database rights would) both need exactly these.
"""

from __future__ import annotations

MESSAGE = "events are append-only"
# Every column but the three the seal fills.
CONTENT = (
    "id",
    "report_id",
    "kind",
    "action",
    "from_state",
    "to_state",
    "actor_id",
    "actor_role",
    "organization_id",
    "assignment_id",
    "payload",
    "created_at",
)
_UNSEALED = "OLD.chain_seq IS NULL AND OLD.hash IS NULL AND OLD.prev_hash IS NULL"
_SEALED = "NEW.chain_seq IS NOT NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL"


def _sqlite_sealing() -> str:
    same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in CONTENT)
    return f"{_UNSEALED} AND {_SEALED} AND {same}"


def _postgres_sealing() -> str:
    def value(row: str, column: str) -> str:
        return f"{row}.{column}::text" if column == "payload" else f"{row}.{column}"  # json has no `=`

    new = ", ".join(value("NEW", c) for c in CONTENT)
    old = ", ".join(value("OLD", c) for c in CONTENT)
    return f"{_UNSEALED} AND {_SEALED} AND ({new}) IS NOT DISTINCT FROM ({old})"


def create(dialect: str) -> list[str]:
    """Statements that put the guard on (the PostgreSQL function `events_refuse_change` of migration 0001
    and its TRUNCATE trigger stay as they are)."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER events_no_update BEFORE UPDATE ON events WHEN NOT ({_sqlite_sealing()}) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
            f"CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION events_allow_sealing() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF {_postgres_sealing()} THEN RETURN NEW; END IF; RAISE EXCEPTION '{MESSAGE}'; END $$",
        "CREATE TRIGGER events_append_only BEFORE DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION events_refuse_change()",
        "CREATE TRIGGER events_sealing_only BEFORE UPDATE ON events "
        "FOR EACH ROW EXECUTE FUNCTION events_allow_sealing()",
    ]


def drop(dialect: str) -> list[str]:
    """Statements that lift the guard created by `create` (the TRUNCATE trigger stays)."""
    if dialect == "sqlite":
        return ["DROP TRIGGER IF EXISTS events_no_update", "DROP TRIGGER IF EXISTS events_no_delete"]
    return [
        "DROP TRIGGER IF EXISTS events_append_only ON events",
        "DROP TRIGGER IF EXISTS events_sealing_only ON events",
        "DROP FUNCTION IF EXISTS events_allow_sealing()",
    ]
