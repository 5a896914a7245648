"""A search's bounded match count is remembered for a few minutes (paht.search.counts): the same words
searched again take the plan it chose without counting again, and a count never outlives its window."""

from __future__ import annotations

import unicodedata

from paht.search import engine
from paht.search.counts import CountMemory
from tests.flow import Flow
from tests.search.statements import counted_statements


class Counter:
    def __init__(self, matches: int) -> None:
        self.matches, self.calls = matches, []

    def __call__(self, limit: int) -> int:
        self.calls.append(limit)
        return min(self.matches, limit)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_count_answers_the_same_words_until_its_window_ends():
    clock, counter = Clock(), Counter(matches=10)
    memory = CountMemory(seconds=60, clock=clock)
    assert memory.at_least("k", 5, counter) is True
    clock.now += 59
    assert memory.at_least("k", 5, counter) is True
    assert counter.calls == [5]
    clock.now += 1
    assert memory.at_least("k", 5, counter) is True
    assert counter.calls == [5, 5]
    assert memory.at_least("other words", 5, counter) is True
    assert counter.calls == [5, 5, 5]


def test_a_count_answers_another_limit_only_when_it_knows_the_answer():
    counter = Counter(matches=7)
    memory = CountMemory(clock=Clock())
    assert memory.at_least("k", 10, counter) is False  # exactly 7
    assert memory.at_least("k", 20, counter) is False  # 7 < 20 too
    assert memory.at_least("k", 5, counter) is True  # 7 >= 5
    assert counter.calls == [10]

    capped = Counter(matches=50)
    memory = CountMemory(clock=Clock())
    assert memory.at_least("k", 10, capped) is True  # stopped at 10
    assert memory.at_least("k", 8, capped) is True
    assert capped.calls == [10]
    assert memory.at_least("k", 40, capped) is True  # 10 said nothing about 40: counted again
    assert memory.at_least("k", 60, capped) is False  # nor 40 about 60
    assert capped.calls == [10, 40, 60]


def test_the_memory_holds_a_bounded_number_of_counts():
    counter = Counter(matches=1)
    memory = CountMemory(entries=3, clock=Clock())
    for key in ("a", "b", "c", "d"):
        memory.at_least(key, 5, counter)
    memory.at_least("d", 5, counter)
    assert len(counter.calls) == 4  # "d" is still known
    memory.at_least("a", 5, counter)
    assert len(counter.calls) == 5  # "a" was forgotten when "d" came in
    assert len(memory._counted) <= 3


def _counts(statements: list[str]) -> int:
    return sum(1 for s in statements if "count(*)" in s.lower() and ("report_search" in s or "MATCH" in s))


def test_the_same_words_searched_again_are_not_counted_again(client, personas, db):
    flow = Flow(client, personas, db)
    for title in ("Đường Nguyễn Huệ bị ngập", "Ngập sâu ở đường Lê Lợi", "Đèn đường hỏng"):
        flow.submit(title=title, description=title)
    ioc = personas["ioc_operator"]

    def titles(q: str) -> list[str]:
        response = client.get("/api/v1/reports", params={"q": q}, headers=ioc)
        assert response.status_code == 200, response.text
        return [item["title"] for item in response.json()["items"]]

    with counted_statements(db) as statements:
        first = titles("đường ngập")
    assert first == ["Ngập sâu ở đường Lê Lợi", "Đường Nguyễn Huệ bị ngập"]
    assert _counts(statements) >= 1  # the phrase, then (no phrase match) each word
    with counted_statements(db) as statements:
        assert titles("đường ngập") == first
        assert titles("DUONG NGAP") == first  # the same folded words
        assert titles(unicodedata.normalize("NFD", "Đường Ngập")) == first
    assert _counts(statements) == 0
    with counted_statements(db) as statements:
        titles("Lê Lợi")
    assert _counts(statements) >= 1  # other words: counted


def test_a_remembered_count_never_changes_the_answer(client, personas, db, monkeypatch):
    """A count out of date picks a slower plan, never other reports: reports that arrive after the words
    were counted are found, whichever plan the old count picks."""
    monkeypatch.setattr(engine, "collect_limit", lambda indexed: 3)
    flow = Flow(client, personas, db)
    ioc = personas["ioc_operator"]

    def titles() -> list[str]:
        response = client.get("/api/v1/reports", params={"q": "nguyen hue"}, headers=ioc)
        assert response.status_code == 200, response.text
        return [item["title"] for item in response.json()["items"]]

    flow.submit(title="Đường Nguyễn Huệ bị ngập", description="Đường Nguyễn Huệ bị ngập")
    assert titles() == ["Đường Nguyễn Huệ bị ngập"]  # one match: rare, collected
    for title in ("Duong Nguyen Hue bi ngap", "Cây đổ ở Nguyễn Huệ", "Nguyễn Huệ mất điện"):
        flow.submit(title=title, description=title)
    with counted_statements(db) as statements:
        newest = titles()  # four matches now, still remembered as one
    assert _counts(statements) == 0
    assert newest == [
        "Nguyễn Huệ mất điện",
        "Cây đổ ở Nguyễn Huệ",
        "Duong Nguyen Hue bi ngap",
        "Đường Nguyễn Huệ bị ngập",
    ]
    engine._COUNTS.clear()
    assert titles() == newest  # counted again: common, probed row by row
