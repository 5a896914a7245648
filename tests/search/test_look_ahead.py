"""A searched list runs the phrase's page first (paht.search.queries.searched_page): the page itself says
whether the phrase matches, so the list asks separately only for an empty page after a cursor, and the
answers are those of `narrow` (the phrase, or each word when the phrase matches nothing in the list)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from paht.reports.queries import encode_cursor
from tests.flow import Flow
from tests.search.statements import counted_statements

WORDS_ONLY = "Nguyễn Trãi mất điện gần cầu Huế"  # both words, never as the phrase "nguyen hue"
PHRASE = ["Đường Nguyễn Huệ bị ngập", "Ngập ở Nguyễn Huệ", "Nguyễn Huệ ngập sâu"]


def _look_aheads(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT EXISTS"))


def _page(client, headers, **params):  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/reports", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_page_with_the_phrase_needs_no_look_ahead(client, personas, db):
    flow = Flow(client, personas, db)
    for title in [WORDS_ONLY, *PHRASE]:
        flow.submit(title=title, description=title)
    ioc = personas["ioc_operator"]
    with counted_statements(db) as statements:
        first = _page(client, ioc, q="nguyen hue", limit=2)
    assert [i["title"] for i in first["items"]] == ["Nguyễn Huệ ngập sâu", "Ngập ở Nguyễn Huệ"]
    assert _look_aheads(statements) == 0
    second = _page(client, ioc, q="nguyen hue", limit=2, cursor=first["next_cursor"])
    assert [i["title"] for i in second["items"]] == ["Đường Nguyễn Huệ bị ngập"]
    assert second["next_cursor"] is None


def test_an_empty_first_page_falls_back_to_each_word(client, personas, db):
    flow = Flow(client, personas, db)
    for title in [WORDS_ONLY, "Đèn đường hỏng"]:
        flow.submit(title=title, description=title)
    with counted_statements(db) as statements:
        page = _page(client, personas["ioc_operator"], q="nguyen hue")
    assert [i["title"] for i in page["items"]] == [WORDS_ONLY]
    assert _look_aheads(statements) == 0  # the empty first page answered


def test_an_empty_page_after_the_phrase_stays_on_the_phrase(client, personas, db):
    """Past the oldest phrase match the list ends: it does not turn into each word's list half-way."""
    flow = Flow(client, personas, db)
    for title in [WORDS_ONLY, *PHRASE]:  # the words-only report is the oldest
        flow.submit(title=title, description=title)
    ioc = personas["ioc_operator"]
    everything = _page(client, ioc, q="nguyen hue")["items"]
    assert [i["title"] for i in everything] == PHRASE[::-1]
    oldest = everything[-1]
    past_it = encode_cursor(SimpleNamespace(created_at=datetime.fromisoformat(oldest["created_at"]), id=oldest["id"]))

    with counted_statements(db) as statements:
        after = _page(client, ioc, q="nguyen hue", cursor=past_it)
    assert after["items"] == []
    assert _look_aheads(statements) == 1  # an empty later page asks whether the phrase matches at all
    assert [i["title"] for i in _page(client, ioc, q="nguyen trai")["items"]] == [WORDS_ONLY]


def test_the_public_list_runs_the_phrase_page_first(client, personas, db):
    flow = Flow(client, personas, db)
    for title in [WORDS_ONLY, *PHRASE[:2]]:
        flow.to_state("published", title=title, description=title)

    def titles(q: str) -> list[str]:
        response = client.get("/api/v1/public/reports", params={"q": q})
        assert response.status_code == 200, response.text
        return [item["title"] for item in response.json()["items"]]

    with counted_statements(db) as statements:
        assert titles("nguyen hue") == PHRASE[:2][::-1]
        assert titles("trai cau hue") == [WORDS_ONLY]  # no phrase match: each word
    assert _look_aheads(statements) == 0
