"""Each benchmark run works on a fresh copy of the generated data, so one run's writes never reach the next."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from rich.console import Console
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import datasets
from tests.conftest import POSTGRES_ADMIN_URL


def _count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM categories")).scalar_one()
    finally:
        engine.dispose()


def _delete_unused_categories(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM categories WHERE id NOT IN (SELECT category_id FROM reports)"))
    finally:
        engine.dispose()


@pytest.fixture
def admin_url(database_url: str) -> Iterator[str | None]:
    if make_url(database_url).get_backend_name() == "sqlite":
        yield None
        return
    yield POSTGRES_ADMIN_URL
    engine = create_engine(POSTGRES_ADMIN_URL or "", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(database_url).database}_run" WITH (FORCE)'))
    engine.dispose()


def test_a_run_changes_its_copy_and_the_next_run_starts_from_the_pristine_data(database_url, admin_url):
    pristine = _count(database_url)
    assert pristine > 1
    first = datasets.working_copy(database_url, admin_url)
    assert first != database_url
    _delete_unused_categories(first)
    assert _count(first) < pristine
    assert _count(database_url) == pristine
    second = datasets.working_copy(database_url, admin_url)
    assert second == first
    assert _count(second) == pristine


def _has_sentinel(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return (
                connection.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sentinel'")).scalar_one() == 1
            )
    finally:
        engine.dispose()


def test_data_left_by_an_older_generator_is_made_again(tmp_path):
    """Reused while count, seed and generator version match; made again when the marker names an older
    generator (data generated before time-ordered ids must not be measured as if it had them)."""
    console = Console(file=io.StringIO())
    options = {"reports": 20, "seed": 3, "data_dir": tmp_path, "admin_url": None, "console": console}
    url = datasets.prepare("sqlite", **options)  # type: ignore[arg-type]
    marker = tmp_path / "bench-20-s3-sqlite.json"
    assert json.loads(marker.read_text(encoding="utf-8"))["generator"] == datasets.GENERATOR
    engine = create_engine(url)
    with engine.begin() as connection:  # reusing the data keeps this table, generating it again does not
        connection.execute(text("CREATE TABLE sentinel (id INTEGER)"))
    engine.dispose()

    assert datasets.prepare("sqlite", **options) == url  # type: ignore[arg-type]
    assert _has_sentinel(url)

    older = json.loads(marker.read_text(encoding="utf-8"))
    del older["generator"]
    marker.write_text(json.dumps(older), encoding="utf-8")
    assert datasets.prepare("sqlite", **options) == url  # type: ignore[arg-type]
    assert not _has_sentinel(url)
