"""Bulk writers: executemany on SQLite, COPY on PostgreSQL.

A fresh load drops the secondary indexes (and, on PostgreSQL, the foreign keys) of the tables it fills
and recreates them at the end — whatever migration created them — which is several times faster than
maintaining them row by row. Unique and primary keys stay, so a duplicate can never slip in.

Table and column names in the SQL below come from the generator's own constant lists, never from input
(hence `nosec B608`: bandit cannot tell an f-string of constants from an injection).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from paht.benchdata.rows import Batch


class ExtraColumnError(RuntimeError):
    pass


def _check_columns(table: str, filled: tuple[str, ...], live: dict[str, bool]) -> None:
    """`live`: column → required (NOT NULL without a default). Required columns we do not fill are an error."""
    missing = [c for c in filled if c not in live]
    if missing:
        raise ExtraColumnError(f"{table}: the generator fills columns the table lacks: {missing}")
    unfilled = [c for c, required in live.items() if required and c not in filled]
    if unfilled:
        raise ExtraColumnError(f"{table}: required columns the generator does not fill: {unfilled}")


class SqliteWriter:
    def __init__(self, url: str, columns: dict[str, tuple[str, ...]], counted: tuple[str, ...]) -> None:
        self.columns, self.counted = columns, counted
        self.path = make_url(url).database
        self.connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        for pragma in (
            "journal_mode=WAL",
            "synchronous=OFF",  # a bulk load is re-run, not recovered; the server itself runs FULL
            "foreign_keys=OFF",
            "cache_size=-524288",
            "temp_store=MEMORY",
        ):
            self.connection.execute(f"PRAGMA {pragma}")
        self.dropped: list[tuple[str, str]] = []
        for table, filled in columns.items():
            rows = self.connection.execute(f"PRAGMA table_info({table})").fetchall()
            _check_columns(table, filled, {r[1]: bool(r[3]) and r[4] is None and not r[5] for r in rows})

    def next_ids(self) -> dict[str, int]:
        found = {}
        for table in self.counted:
            found[table] = self.connection.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]  # noqa: S608  # nosec B608
        return found

    def codes(self) -> set[str]:
        return {row[0] for row in self.connection.execute("SELECT code FROM reports")}

    def drop_indexes(self) -> None:
        tables = tuple(self.columns)
        marks = ",".join("?" * len(tables))
        query = (
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})"  # noqa: S608  # nosec B608
        )
        self.dropped = self.connection.execute(query, tables).fetchall()
        for name, _ in self.dropped:
            self.connection.execute(f'DROP INDEX "{name}"')

    def write(self, batch: Batch) -> None:
        self.connection.execute("BEGIN")
        for table, rows in batch.rows.items():
            columns = batch.columns[table]
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608  # nosec B608
            self.connection.executemany(sql, rows)
        self.connection.execute("COMMIT")

    def finish(self) -> None:
        for _, sql in self.dropped:
            self.connection.execute(sql)
        self.dropped = []
        self.connection.execute("ANALYZE")
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.connection.close()


def pg_conninfo(url: str) -> str:
    """A libpq URL from an SQLAlchemy one (drops the `+psycopg` driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresWriter:
    def __init__(self, url: str, columns: dict[str, tuple[str, ...]], counted: tuple[str, ...]) -> None:
        self.columns, self.counted = columns, counted
        self.connection = psycopg.connect(pg_conninfo(url))
        self.connection.execute("SET TimeZone = 'UTC'")
        # A bulk load is re-run, not recovered; the server itself runs synchronous_commit=on.
        self.connection.execute("SET synchronous_commit = off")
        self.connection.execute("SET maintenance_work_mem = '512MB'")
        self.connection.commit()
        self.indexes: list[str] = []
        self.foreign_keys: list[tuple[str, str, str]] = []
        for table, filled in columns.items():
            rows = self.connection.execute(
                "SELECT column_name, is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO' "
                "AND is_generated = 'NEVER' FROM information_schema.columns "
                "WHERE table_name = %s AND table_schema = current_schema()",
                (table,),
            ).fetchall()
            _check_columns(table, filled, {name: required and name != "id" for name, required in rows})
        self.connection.commit()

    def next_ids(self) -> dict[str, int]:
        found = {}
        for table in self.counted:
            row = self.connection.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()  # noqa: S608  # nosec B608
            found[table] = row[0] if row else 1
        self.connection.commit()
        return found

    def codes(self) -> set[str]:
        codes = {row[0] for row in self.connection.execute("SELECT code FROM reports")}
        self.connection.commit()
        return codes

    def drop_indexes(self) -> None:
        tables = list(self.columns)
        self.indexes = [
            row[0]
            for row in self.connection.execute(
                "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u', 'x'))",
                (tables,),
            )
        ]
        names = self.connection.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "  # noqa: E501
            "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u', 'x'))",
            (tables,),
        ).fetchall()
        self.foreign_keys = self.connection.execute(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' AND t.relname = ANY(%s) "
            "AND t.relnamespace = current_schema()::regnamespace",
            (tables,),
        ).fetchall()
        for table, name, _ in self.foreign_keys:
            self.connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for (name,) in names:
            self.connection.execute(f'DROP INDEX "{name}"')
        self.connection.commit()

    def write(self, batch: Batch) -> None:
        with self.connection.transaction(), self.connection.cursor() as cursor:
            for table, rows in batch.rows.items():
                if not rows:
                    continue
                with cursor.copy(f"COPY {table} ({', '.join(batch.columns[table])}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)

    def finish(self) -> None:
        for sql in self.indexes:
            self.connection.execute(sql)
        for table, name, definition in self.foreign_keys:
            self.connection.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        self.indexes, self.foreign_keys = [], []
        for table in self.counted:
            self.connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"  # noqa: S608  # nosec B608
            )
        self.connection.commit()
        self.connection.autocommit = True
        for table in self.columns:
            self.connection.execute(f"VACUUM ANALYZE {table}")
        self.connection.autocommit = False

    def close(self) -> None:
        self.connection.close()


Writer = SqliteWriter | PostgresWriter


def open_writer(url: str, columns: dict[str, tuple[str, ...]], counted: tuple[str, ...]) -> Any:
    kind = SqliteWriter if make_url(url).get_backend_name() == "sqlite" else PostgresWriter
    return kind(url, columns, counted)
