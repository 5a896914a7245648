"""Common words take another path (walk the list, check each report; rank the newest index rows):
the same answers as the rare-word path. Thresholds are lowered so a handful of reports is "common"."""

from __future__ import annotations

import pytest

from paht.search import engine
from tests.flow import Flow

TITLES = [
    "Đường Nguyễn Huệ bị ngập",
    "Duong Nguyen Hue bi ngap",
    "Ngập sâu ở đường Lê Lợi",
    "Đèn đường Nguyễn Huệ hỏng",
    "Cây đổ trên đường Hùng Vương",
    "Sự cố ở khu Ngapxa",  # "ngap" is a whole word, not the start of one
]


def _titles(client, headers, **params) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/reports", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def _answers(client, personas) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    ioc = personas["ioc_operator"]
    queries = ["duong", "nguyen hue", "ngap nguyen", "đường", "hue*", '"bi ngap"', "nguy*", "nguyen h*", "ngu* hue"]
    queries += ['"le loi" ngap', "ngap"]
    found = {q: _titles(client, ioc, q=q) for q in queries}
    found |= {f"{q} (relevance)": _titles(client, ioc, q=q, sort="relevance") for q in queries}
    found["page"] = _titles(client, ioc, q="duong", limit=2)
    found["handler_b"] = _titles(client, personas["handler_b"], q="duong")
    found["handler_a"] = _titles(client, personas["handler_a"], q="duong", sort="relevance")
    return found


@pytest.fixture
def corpus(client, personas, db):  # type: ignore[no-untyped-def]
    flow = Flow(client, personas, db)
    for title in TITLES:
        flow.submit(title=title, description=title)
    flow.to_state("dispatched")  # "Đèn đường hỏng" (body A)
    return flow


def test_the_common_word_path_gives_the_rare_word_answers(client, personas, settings, corpus, monkeypatch):
    settings.search_relevance_candidates = 3  # relevance ranks the 3 newest matches (falls back when filtered)
    rare = _answers(client, personas)
    assert rare["duong"][:2] == ["Đèn đường hỏng", "Cây đổ trên đường Hùng Vương"]
    assert rare["ngap nguyen"] == ["Duong Nguyen Hue bi ngap", "Đường Nguyễn Huệ bị ngập"]
    assert rare["đường (relevance)"] == ["Đèn đường hỏng", "Đèn đường Nguyễn Huệ hỏng", "Cây đổ trên đường Hùng Vương"]
    assert rare["handler_a"] == ["Đèn đường hỏng"]
    assert "Sự cố ở khu Ngapxa" not in rare["ngap"] and "Sự cố ở khu Ngapxa" in rare["nguy*"] + _titles(
        client, personas["ioc_operator"], q="ngapx*"
    )
    monkeypatch.setattr(engine, "collect_limit", lambda indexed: 1)  # every word with a match is "common"
    assert _answers(client, personas) == rare


def test_the_common_word_limit_grows_with_the_city():
    """A small city probes from 2,000 matches; a large one collects far more before probing pays off."""
    assert engine.collect_limit(0) == engine.collect_limit(20_000) == engine.COMMON
    assert engine.collect_limit(1_000_000) == 7_071
    assert engine.collect_limit(10_000_000) > 3 * engine.collect_limit(1_000_000)
