"""FastAPI's native OpenTelemetry instrumentation is opt-in (`PAHT_TELEMETRY`, paht.main.telemetry_config).

Even without a configured provider FastAPI looks the global providers up on every request (issue 7: ~7 % of
the public report's CPU), so PAHT asks for it only when a deployment says it exports telemetry.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace

from paht.config import Settings
from paht.db import Database
from paht.main import create_app


class RecordingTracer(trace.NoOpTracer):
    def __init__(self, paths: list[str]) -> None:
        self.paths = paths

    def start_span(self, name, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        self.paths.append((kwargs.get("attributes") or {}).get("url.path", name))
        return super().start_span(name, *args, **kwargs)


class RecordingTracerProvider(trace.TracerProvider):
    """A configured provider as FastAPI sees one (neither the API's default nor a no-op one) that remembers
    the path of each span it starts."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def get_tracer(self, *args, **kwargs) -> trace.Tracer:  # type: ignore[no-untyped-def,override]
        return RecordingTracer(self.paths)


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingTracerProvider]:
    recording = RecordingTracerProvider()
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: recording)
    yield recording


def _spans_of_a_request(settings: Settings, db: Database, provider: RecordingTracerProvider, **changes) -> list[str]:  # type: ignore[no-untyped-def]
    app = create_app(settings.model_copy(update=changes), db, worker=False)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
    return provider.paths


def test_no_spans_by_default(settings: Settings, db: Database, provider: RecordingTracerProvider) -> None:
    assert Settings(database_url=settings.database_url).telemetry is False
    assert _spans_of_a_request(settings, db, provider) == []


def test_spans_when_the_deployment_asks(settings: Settings, db: Database, provider: RecordingTracerProvider) -> None:
    paths = _spans_of_a_request(settings, db, provider, telemetry=True)
    assert paths[0] == "/healthz", paths  # the request's span; FastAPI adds spans for its own steps
