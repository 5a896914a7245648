"""An app whose abuse limits are small, from a client address a test chooses (behind a trusted proxy)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from paht.main import create_app

PROXY = "10.0.0.1"  # the only trusted proxy: X-Forwarded-For from it names the client


@pytest.fixture
def limited(settings, db) -> Iterator[Callable[..., TestClient]]:  # type: ignore[no-untyped-def]
    """`limited(**limits)`: a client of an app with these settings, connecting from the trusted proxy."""
    clients: list[TestClient] = []

    def make(**limits: object) -> TestClient:
        changed = settings.model_copy(update={"trusted_proxies": [PROXY], **limits})
        client = TestClient(create_app(changed, db, worker=False), client=(PROXY, 50000))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def from_ip(ip: str) -> dict[str, str]:
    return {"X-Forwarded-For": ip}
