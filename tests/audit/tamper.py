"""Changing the event log behind the application's back, as an attacker with database rights would:
lift the append-only triggers, run the statement, put the triggers back."""

from __future__ import annotations

from sqlalchemy import text

from paht.db import Database

APPEND_ONLY = "events are append-only"


def behind_the_apps_back(db: Database, statement: str, **params: object) -> None:
    with db.engine.begin() as connection:
        if db.sqlite:
            connection.execute(text("DROP TRIGGER events_no_update"))
            connection.execute(text("DROP TRIGGER events_no_delete"))
            connection.execute(text(statement), params)
            for verb in ("UPDATE", "DELETE"):
                connection.execute(
                    text(
                        f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
                        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
                    )
                )
            return
        connection.execute(text("ALTER TABLE events DISABLE TRIGGER events_append_only"))
        connection.execute(text(statement), params)
        connection.execute(text("ALTER TABLE events ENABLE TRIGGER events_append_only"))
