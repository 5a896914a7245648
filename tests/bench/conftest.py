"""One generated city per module and database, for tests that only read it (or change a row they pick)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import text

from paht.benchdata.load import LoadSummary, generate
from paht.config import Settings
from tests.conftest import BACKENDS, RELAXED_LIMITS, _pg_admin, _pg_url


def _database(backend: str, templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh copy of the seeded template that lives as long as the module that asked for it."""
    if backend == "sqlite":
        target = tmp_path_factory.mktemp("city") / "city.sqlite3"
        shutil.copyfile(templates["sqlite"], target)
        yield f"sqlite:///{target}"
        return
    admin = _pg_admin()
    name = f"paht_city_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{templates["postgres"]}"'))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def shared_city(*, reports: int, seed: int, anchor: datetime):  # type: ignore[no-untyped-def]
    """A module fixture: (url, summary) of a city generated once per backend. Generating takes seconds;
    the tests that share it read it, or change one row in a way the others do not look at."""

    @pytest.fixture(scope="module", params=BACKENDS)
    def fixture(request, templates, tmp_path_factory) -> Iterator[tuple[str, LoadSummary]]:  # type: ignore[no-untyped-def]
        for url in _database(request.param, templates, tmp_path_factory):
            data_dir = tmp_path_factory.mktemp("city-data")
            settings = Settings(database_url=url, data_dir=data_dir, run_worker_in_process=False, **RELAXED_LIMITS)
            yield url, generate(url, settings, reports=reports, seed=seed, anchor=anchor)

    return fixture
