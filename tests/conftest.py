"""Test databases: every test gets its own real database, SQLite always and PostgreSQL when
PAHT_TEST_POSTGRES_URL is set (CI sets it). A migrated and seeded template is built once per
backend and per xdist worker, then copied per test (file copy / CREATE DATABASE … TEMPLATE).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from paht.clock import set_now
from paht.config import Settings
from paht.db import Database
from paht.main import create_app
from paht.migrate import upgrade
from tests.factories import seed_world
from tests.pg_pool import PostgresCopies

# Fails any test that logs a planted reporter canary (issue 8 item 8).
pytest_plugins = ["tests.pii_log_guard", "tests.route_cache"]

POSTGRES_ADMIN_URL = os.environ.get("PAHT_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_ADMIN_URL else [])


def _worker(request: pytest.FixtureRequest) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


def _pg_admin():  # type: ignore[no-untyped-def]
    assert POSTGRES_ADMIN_URL
    return create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    assert POSTGRES_ADMIN_URL
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _build_template(url: str) -> None:
    upgrade(url)
    database = Database(url)
    try:
        with database.write() as session:
            seed_world(session)
    finally:
        database.dispose()


@pytest.fixture(scope="session")
def templates(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    worker = _worker(request)
    found: dict[str, str] = {}
    sqlite_path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _build_template(f"sqlite:///{sqlite_path}")
    found["sqlite"] = str(sqlite_path)
    admin = None
    if POSTGRES_ADMIN_URL:
        admin = _pg_admin()
        name = f"paht_tpl_{worker}_{os.getpid()}"  # unique per pytest run, so parallel runs never collide
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        _build_template(_pg_url(name))
        found["postgres"] = name
    yield found
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{found["postgres"]}" WITH (FORCE)'))
        admin.dispose()


def fresh_copy(request: pytest.FixtureRequest, templates: dict[str, str], directory: Path) -> Iterator[str]:
    """A fresh copy of the seeded template for `request.param`'s backend, given back when the caller is done."""
    if request.param == "sqlite":
        target = directory / "paht.sqlite3"
        shutil.copyfile(templates["sqlite"], target)
        yield f"sqlite:///{target}"
        return
    copies: PostgresCopies = request.getfixturevalue("postgres_copies")
    name = copies.take()
    yield _pg_url(name)
    copies.give_back(name)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, templates: dict[str, str], tmp_path: Path) -> Iterator[str]:
    yield from fresh_copy(request, templates, tmp_path)


@pytest.fixture(scope="session")
def postgres_copies(request: pytest.FixtureRequest, templates: dict[str, str]) -> Iterator[PostgresCopies]:
    admin = _pg_admin()
    copies = PostgresCopies(admin, templates["postgres"], prefix=f"paht_t_{_worker(request)}_{os.getpid()}")
    yield copies
    copies.close()
    admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Tests read the public statistics right after changing them (tests/stats/test_public_cache.py checks the cache).
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        run_worker_in_process=False,
        public_stats_cache_seconds=0,
        **RELAXED_LIMITS,
    )


# Tests that are not about abuse limits submit and sign in far faster than any citizen (tests/abuse/ sets its own).
RELAXED_LIMITS = {
    "submit_limit_per_device": 100_000,
    "submit_limit_per_account": 100_000,
    "submit_limit_per_staff": 100_000,
    "submit_limit_per_ip": 100_000,
    "submit_limit_per_sender": 100_000,
    "login_pair_failures": 100_000,
    "login_ip_failures": 100_000,
    "login_account_free_failures": 100_000,
}


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.database_url)
    yield database
    database.dispose()


@pytest.fixture
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, db, worker=False)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _unfrozen_clock() -> Iterator[None]:
    yield
    set_now(None)


@dataclass
class Personas:
    """Bearer headers for each persona of the permission matrix."""

    headers: dict[str, dict[str, str]]

    def __getitem__(self, name: str) -> dict[str, str]:
        return self.headers[name]


@pytest.fixture
def personas(db: Database) -> Personas:
    from tests.factories import PERSONAS, tokens_for

    with db.write() as session:
        tokens = tokens_for(session, PERSONAS)
    return Personas({name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()} | {"anonymous": {}})
