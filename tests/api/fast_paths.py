"""What the tests of the lean ASGI layers (paht.publishing.fast, paht.reports.fast) share: the same app with
its layer on and off, and their answers compared byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi.testclient import TestClient

from paht.config import Settings
from paht.db import Database
from paht.main import create_app

VARYING = {"x-request-id", "date"}  # the only headers two answers to one request may differ in


@contextmanager
def paired_clients(settings: Settings, db: Database, switch: str) -> Iterator[tuple[TestClient, TestClient]]:
    """A client of the app with the layer `switch` names on, and one of the app with it off (the reference)."""
    fast = create_app(settings, db, worker=False)
    reference = create_app(settings.model_copy(update={switch: False}), db, worker=False)
    with TestClient(fast) as fast_client, TestClient(reference) as reference_client:
        yield fast_client, reference_client


def city_fixtures(switch: str):  # type: ignore[no-untyped-def]
    """The module's fixtures: `database_url` from its `city` fixture (tests.cities.shared_city), and `clients`,
    the pair of `paired_clients` over it."""

    @pytest.fixture
    def database_url(city):  # type: ignore[no-untyped-def]
        return city[0]

    @pytest.fixture
    def clients(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
        with paired_clients(settings, db, switch) as pair:
            yield pair

    return database_url, clients


def assert_same(answer: httpx.Response, expected: httpx.Response, where: str) -> None:
    assert answer.status_code == expected.status_code, where
    assert answer.content == expected.content, where
    kept = {k: v for k, v in answer.headers.items() if k not in VARYING}
    assert kept == {k: v for k, v in expected.headers.items() if k not in VARYING}, where
