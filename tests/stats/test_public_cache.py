"""GET /api/v1/public/stats answers from a short-lived cache (paht.stats.public_cache)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from paht.main import create_app
from paht.stats.public_cache import MAX_ENTRIES, AnswerCache
from tests.flow import Flow


def test_an_answer_is_built_once_per_window_and_per_question() -> None:
    now = [100.0]
    later: list = []
    cache = AnswerCache(30, clock=lambda: now[0], spawn=later.append)
    built: list[str] = []

    def build(text: str):  # type: ignore[no-untyped-def]
        return lambda: built.append(text) or text.encode()

    assert cache.get_or_build("a", build("a1")) == b"a1"
    now[0] += 29.9
    assert cache.get_or_build("a", build("a2")) == b"a1"  # still inside the window
    assert cache.get_or_build("b", build("b1")) == b"b1"  # another question is its own entry
    now[0] += 0.2
    assert cache.get_or_build("a", build("a3")) == b"a1"  # the window has passed: rebuilt behind it
    later.pop()()
    assert cache.get_or_build("a", build("a4")) == b"a3"
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


def test_an_expired_answer_is_served_while_one_fresh_answer_is_built() -> None:
    now = [100.0]
    later: list = []  # the refreshes the cache starts, run when the test says so
    cache = AnswerCache(30, clock=lambda: now[0], spawn=later.append)
    built = iter([b"first", b"second", b"third"])
    assert cache.get_or_build("a", lambda: next(built)) == b"first"
    now[0] = 131.0  # expired, within one more window: the old answer at once, one refresh started
    assert cache.get_or_build("a", lambda: next(built)) == b"first"
    assert cache.get_or_build("a", lambda: next(built)) == b"first"
    assert len(later) == 1
    later.pop()()
    assert cache.get_or_build("a", lambda: next(built)) == b"second"
    now[0] = 131.0 + 61  # older than two windows: this asker waits for a fresh answer
    assert cache.get_or_build("a", lambda: next(built)) == b"third"
    assert later == []


def test_a_failed_refresh_keeps_the_old_answer_and_lets_the_next_one_try(caplog) -> None:  # type: ignore[no-untyped-def]
    now = [0.0]
    later: list = []
    cache = AnswerCache(30, clock=lambda: now[0], spawn=later.append)
    cache.get_or_build("a", lambda: b"old")

    def broken() -> bytes:
        raise RuntimeError("database gone")

    now[0] = 40.0
    assert cache.get_or_build("a", broken) == b"old"
    later.pop()()
    assert "refreshing a cached answer failed" in caplog.text
    assert cache.get_or_build("a", lambda: b"new") == b"old"  # a new refresh is started
    later.pop()()
    assert cache.get_or_build("a", lambda: b"newer") == b"new"


def test_askers_who_arrive_during_the_first_build_wait_for_it() -> None:
    import threading

    cache = AnswerCache(30)
    started, release = threading.Event(), threading.Event()
    builds: list[int] = []

    def slow() -> bytes:
        builds.append(1)
        started.set()
        assert release.wait(10)
        return b"answer"

    answers: list[bytes] = []
    first = threading.Thread(target=lambda: answers.append(cache.get_or_build("k", slow)))
    first.start()
    assert started.wait(10)
    others = [threading.Thread(target=lambda: answers.append(cache.get_or_build("k", slow))) for _ in range(3)]
    for thread in others:
        thread.start()
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert answers == [b"answer"] * 4
    assert len(builds) == 1


def test_a_question_asked_again_in_the_same_words_is_answered_before_the_route(settings, db, monkeypatch) -> None:
    from paht.stats import api as stats_api

    app = create_app(settings.model_copy(update={"public_stats_cache_seconds": 3600}), db, worker=False)
    routed: list[str] = []
    resolve = stats_api.resolve_period
    monkeypatch.setattr(stats_api, "resolve_period", lambda **kw: routed.append("route") or resolve(**kw))
    with TestClient(app) as client:
        first = client.get("/api/v1/public/stats", params={"period": "month"})
        again = client.get("/api/v1/public/stats", params={"period": "month"})
        english = client.get("/api/v1/public/stats", params={"period": "month", "lang": "en"})
        english_again = client.get("/api/v1/public/stats", params={"period": "month", "lang": "en"})
        unknown = client.get("/api/v1/public/stats", params={"organization_id": 99999})
        unknown_again = client.get("/api/v1/public/stats", params={"organization_id": 99999})
    assert first.status_code == again.status_code == english.status_code == 200
    assert again.content == first.content and english_again.content == english.content != first.content
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json; charset=utf-8"
    assert again.headers["x-content-type-options"] == "nosniff"  # inside the security middleware
    assert unknown.status_code == unknown_again.status_code == 404  # errors are never remembered
    assert routed == ["route", "route"]  # the first asking of each question; the 404s fail before resolving


def test_remembered_words_expire_with_the_window_and_stay_bounded() -> None:
    now = [0.0]
    cache = AnswerCache(30, clock=lambda: now[0], spawn=lambda work: work())
    assert cache.answer_for("words") is None
    cache.get_or_build("q", lambda: b"1")
    cache.remember("words", "q", lambda: b"2")
    assert cache.answer_for("words") == b"1"
    now[0] = 30.0  # the route must resolve the words again (a period can end at midnight)
    assert cache.answer_for("words") is None
    for n in range(MAX_ENTRIES + 10):
        cache.remember(("w", n), "q", lambda: b"x")
    assert len(cache._words) == MAX_ENTRIES
