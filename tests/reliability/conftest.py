"""Empty scratch databases (restore targets, settings that must be refused) next to the suite's own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from paht.db import is_sqlite
from tests.conftest import POSTGRES_ADMIN_URL


def _empty_postgres_database() -> Iterator[str]:
    assert POSTGRES_ADMIN_URL
    name = f"paht_scratch_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_scratch_url() -> Iterator[str]:
    """An empty PostgreSQL database (skipped when the suite runs without PostgreSQL)."""
    if not POSTGRES_ADMIN_URL:
        pytest.skip("PAHT_TEST_POSTGRES_URL is not set")
    yield from _empty_postgres_database()


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as `database_url`."""
    if is_sqlite(database_url):
        yield f"sqlite:///{tmp_path / 'scratch' / 'restored.sqlite3'}"
    else:
        yield from _empty_postgres_database()
