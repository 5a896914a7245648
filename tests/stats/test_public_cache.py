"""GET /api/v1/public/stats answers from a short-lived cache (paht.stats.public_cache)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from paht.main import create_app
from paht.stats.public_cache import MAX_ENTRIES, AnswerCache
from tests.flow import Flow


def test_an_answer_is_built_once_per_window_and_per_question() -> None:
    now = [100.0]
    cache = AnswerCache(30, clock=lambda: now[0])
    built: list[str] = []

    def build(text: str):  # type: ignore[no-untyped-def]
        return lambda: built.append(text) or text.encode()

    assert cache.get_or_build("a", build("a1")) == b"a1"
    now[0] += 29.9
    assert cache.get_or_build("a", build("a2")) == b"a1"  # still inside the window
    assert cache.get_or_build("b", build("b1")) == b"b1"  # another question is its own entry
    now[0] += 0.2
    assert cache.get_or_build("a", build("a3")) == b"a3"  # the window has passed
    assert built == ["a1", "b1", "a3"]


def test_zero_seconds_turns_it_off_and_the_cache_stays_bounded() -> None:
    off = AnswerCache(0)
    calls = iter(range(10))
    assert [off.get_or_build("k", lambda: str(next(calls)).encode()) for _ in range(3)] == [b"0", b"1", b"2"]
    cache = AnswerCache(30)
    for n in range(MAX_ENTRIES + 10):
        cache.get_or_build(n, lambda: b"x")
    assert len(cache._entries) == MAX_ENTRIES and 0 not in cache._entries


def test_the_public_statistics_are_served_from_the_cache_within_its_window(settings, db, personas) -> None:
    app = create_app(settings.model_copy(update={"public_stats_cache_seconds": 3600}), db, worker=False)
    with TestClient(app) as client:
        before = client.get("/api/v1/public/stats")
        Flow(client, personas, db).submit()  # one more report received today
        cached = client.get("/api/v1/public/stats")
        english = client.get("/api/v1/public/stats", params={"lang": "en"})
    fresh = create_app(settings, db, worker=False)  # the test settings: no cache
    with TestClient(fresh) as client:
        live = client.get("/api/v1/public/stats")
    assert before.status_code == cached.status_code == english.status_code == live.status_code == 200
    assert cached.content == before.content
    assert _received(live) == _received(before) + 1
    assert _received(english) == _received(live)  # a new question (another language): built now


def _received(response):  # type: ignore[no-untyped-def]
    return response.json()["ioc"]["intake"]["received"]
