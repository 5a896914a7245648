"""Values read as the text a document shows, with no Python object built for them.

A page of 1,000 Open311 requests (W9) shows up to 4,000 times and 1,000 photo ids. Read as datetimes and
UUIDs and formatted again, they cost about a third of the page's CPU outside SQLite (~1.5 us a time, ~2 us
an id). PostgreSQL writes the text itself (`to_char`, a cast). SQLite already stores text: it is cut and
joined in Python, which costs less than doing the same in SQL (a page's row: ~12 us, against ~14.5 with `substr`
and `||`, ~17 with `strftime`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


def w3c(value: datetime | None) -> str | None:
    """W3C datetime in UTC with Z: seconds, truncated, as the Open311 spec's strictest validators accept."""
    # isoformat, cut at the seconds: a third cheaper than strftime.
    return value.astimezone(UTC).isoformat(timespec="seconds")[:19] + "Z" if value is not None else None


def _w3c_of_stored(value: str | None) -> str | None:
    """SQLite's text of a UTCDateTime ('YYYY-MM-DD HH:MM:SS.ffffff', UTC) as `w3c` writes it."""
    if value is None:
        return None
    if len(value) == 26 and value[19] == "." and value[20:].isdigit():  # that form exactly: no zone of its own
        return f"{value[:10]}T{value[11:19]}Z"
    parsed = datetime.fromisoformat(value)  # text written otherwise: naive is UTC, as UTCDateTime reads it
    return w3c(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


def _uuid_of_stored(value: str | None) -> str | None:
    """SQLite's text of a Uuid (32 hex digits, `UUID.hex`) as `str(uuid)`; anything else as stored."""
    if value is None or len(value) != 32:
        return value
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}".lower()


class _ShownText(String):
    """Text; on SQLite, the stored value converted by `convert` as it is read."""

    cache_ok = True

    def __init__(self, convert: Callable[[str | None], str | None]) -> None:
        super().__init__()
        self.convert = convert

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any] | None:
        return self.convert if dialect.name == "sqlite" else None


class W3CText(FunctionElement[str]):
    """A UTC timestamp column as `w3c` text."""

    type = _ShownText(_w3c_of_stored)
    name = "w3c_text"
    inherit_cache = True


class UuidText(FunctionElement[str]):
    """A UUID column as its canonical text (lower-case hex in 8-4-4-4-12 groups), as `str(uuid)`."""

    type = _ShownText(_uuid_of_stored)
    name = "uuid_text"
    inherit_cache = True


@compiles(W3CText, "sqlite")
@compiles(UuidText, "sqlite")
def _stored(element: FunctionElement[str], compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(W3CText, "postgresql")
def _w3c_postgresql(element: W3CText, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"""to_char(({value}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


@compiles(UuidText, "postgresql")
def _uuid_postgresql(element: UuidText, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AS TEXT)"
