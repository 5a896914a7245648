"""Changing the event log behind the application's back, as an attacker with database rights would:
lift the append-only triggers, run the statement, put the triggers back."""

from __future__ import annotations

from sqlalchemy import text

from paht.audit import append_only
from paht.db import Database


def behind_the_apps_back(db: Database, statement: str, **params: object) -> None:
    dialect = "sqlite" if db.sqlite else "postgresql"
    with db.engine.begin() as connection:
        for lift in append_only.drop(dialect):
            connection.execute(text(lift))
        connection.execute(text(statement), params)
        for restore in append_only.create(dialect):
            connection.execute(text(restore))
