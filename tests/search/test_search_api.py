"""Search over reports: diacritics ignored, phrases and prefixes, relevance, scopes — on both databases.

Every assertion names the reports by title, and each test runs on SQLite and on PostgreSQL, so the
same expected lists hold for both engines (research/performance-anchors.md §4.2 item 5).
"""

from __future__ import annotations

import unicodedata

import pytest

from tests.flow import Flow

EXACT = "Đường Nguyễn Huệ bị ngập"
FOLDED = "Duong Nguyen Hue bi ngap"
OLD_TONE = "Cây đổ ở phường Thuận Hòa"
OTHER = "Đèn chiếu sáng hỏng ở Lê Lợi"


@pytest.fixture
def corpus(client, personas, db):  # type: ignore[no-untyped-def]
    flow = Flow(client, personas, db)
    for title in (EXACT, FOLDED, OLD_TONE, OTHER):  # FOLDED is newer than EXACT
        flow.submit(title=title, description=f"{title}. Người dân đề nghị xử lý.")
    return flow


def titles(client, headers, **params) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/reports", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def test_the_anchor_cases_all_find_the_report(client, personas, corpus):
    ioc = personas["ioc_operator"]
    nfd = unicodedata.normalize("NFD", "Nguyễn")
    assert nfd != "Nguyễn"
    for q in ("duong nguyen hue", "Đường Nguyễn Huệ", "ĐƯỜNG", "duong", nfd, "nguy*", "NGUYỄN HU*", "đuong"):
        found = titles(client, ioc, q=q)
        assert EXACT in found, q
        assert OTHER not in found, q


def test_both_tone_placements_meet(client, personas, corpus):
    ioc = personas["ioc_operator"]
    assert titles(client, ioc, q="Thuận Hoà") == [OLD_TONE]
    assert titles(client, ioc, q="thuan hòa") == [OLD_TONE]
    assert titles(client, ioc, q="thuan hoa", sort="relevance") == [OLD_TONE]


def test_newest_first_by_default_and_exact_diacritics_first_on_relevance(client, personas, corpus):
    ioc = personas["ioc_operator"]
    assert titles(client, ioc, q="Đường Nguyễn Huệ") == [FOLDED, EXACT]
    assert titles(client, ioc, q="Đường Nguyễn Huệ", sort="relevance") == [EXACT, FOLDED]
    assert titles(client, ioc, q="duong nguyen hue", sort="relevance") == [FOLDED, EXACT]  # both folded: newest


def test_words_as_a_phrase_else_each_word_and_quotes_force_the_phrase(client, personas, corpus):
    ioc = personas["ioc_operator"]
    assert titles(client, ioc, q="nguyen hue") == [FOLDED, EXACT]
    assert titles(client, ioc, q="ngap nguyen") == [FOLDED, EXACT]  # not a phrase anywhere: every word
    assert titles(client, ioc, q='"ngap nguyen"') == []  # quoted: the phrase or nothing
    assert titles(client, ioc, q='"bi ngap" hue') == [FOLDED, EXACT]
    assert titles(client, ioc, q="le loi sang") == [OTHER]
    assert titles(client, ioc, q="n*") == []  # a one-letter prefix is a word, not a prefix


def test_query_text_cannot_break_out_of_the_search_syntax(client, personas, corpus):
    ioc = personas["ioc_operator"]
    for q in ('"', "'", "*", "NEAR(", "' OR 1=1 --", '") OR ("a', "hue' OR 'a'='a", "\\", "a:*", "{staff_raw}:x", "()"):
        response = client.get("/api/v1/reports", params={"q": q}, headers=ioc)
        assert response.status_code in (200, 422), (q, response.text)
        if response.status_code == 200:
            assert OTHER not in [i["title"] for i in response.json()["items"]], q
    assert titles(client, ioc, q='hue" OR "le') == []  # the words hue, or, le as one phrase: absent


def test_a_query_without_words_is_a_clear_422(client, personas, corpus):
    for q in ("!!!", "   ", "*"):
        response = client.get("/api/v1/reports", params={"q": q}, headers=personas["ioc_operator"])
        assert response.status_code == 422
        assert "q:" in response.json()["detail"]
    too_long = client.get("/api/v1/reports", params={"q": "a" * 201}, headers=personas["ioc_operator"])
    assert too_long.status_code == 422


def test_search_keeps_the_callers_visibility_and_filters(client, personas, corpus):
    flow = corpus
    flow.to_state("dispatched")  # "Đèn đường hỏng" on Lê Lợi, dispatched to body A
    assert titles(client, personas["handler_a"], q="le loi") == ["Đèn đường hỏng"]
    assert titles(client, personas["handler_b"], q="le loi") == []
    assert titles(client, personas["ioc_operator"], q="le loi", state="dispatched") == ["Đèn đường hỏng"]
    assert titles(client, personas["citizen_b"], q="nguyen hue") == []


def test_pages_of_a_search_have_no_gaps_or_repeats(client, personas, db):
    flow = Flow(client, personas, db)
    for number in range(7):
        flow.submit(title=f"Ổ gà số {number} trên đường Hùng Vương", description="Mặt đường hư hỏng nặng.")
    ioc = personas["ioc_operator"]
    for sort in ("newest", "relevance"):
        seen, cursor = [], None
        while True:
            params = {"q": "hung vuong", "limit": 3, "sort": sort} | ({"cursor": cursor} if cursor else {})
            page = client.get("/api/v1/reports", params=params, headers=ioc).json()
            seen += [item["title"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(f"Ổ gà số {n} trên đường Hùng Vương" for n in range(7)), sort
    bad = client.get("/api/v1/reports", params={"q": "hung", "sort": "relevance", "cursor": "xyz"}, headers=ioc)
    assert bad.status_code == 422


def test_the_tracking_code_and_the_address_are_searchable_by_staff(client, personas, db):
    flow = Flow(client, personas, db)
    report = flow.submit(title="Cống tắc", description="Nước không thoát được.")
    ioc = personas["ioc_operator"]
    assert titles(client, ioc, q=report["code"]) == ["Cống tắc"]
    assert titles(client, ioc, q=report["code"].lower().replace("-", " ")) == ["Cống tắc"]
    assert titles(client, ioc, q="12 le loi phu hoi") == ["Cống tắc"]  # from the address


SOMEWHERE = {"lat": 16.4637, "lon": 107.5909, "address": "5 Hùng Vương, Huế"}


def test_words_run_together_are_neither_a_phrase_nor_matched_by_one(client, personas, db):
    """A phrase is its words next to each other, nothing else: not the words run together ("leloi", which an
    index of word pairs would hold for "Lê Lợi"), not "lel oi", not the words apart."""
    flow = Flow(client, personas, db)
    for title in ("Hẻm Leloi ngập", "Lel oi chỗ này", "Đèn hỏng ở Lê Lợi", "Lê và Lợi"):
        flow.submit(title=title, description="Người dân đề nghị xử lý.", location=SOMEWHERE)
    ioc = personas["ioc_operator"]
    assert titles(client, ioc, q="le loi") == ["Đèn hỏng ở Lê Lợi"]
    assert titles(client, ioc, q="Lê lợ*") == ["Đèn hỏng ở Lê Lợi"]
    assert titles(client, ioc, q='"hong o le loi"') == ["Đèn hỏng ở Lê Lợi"]
    assert titles(client, ioc, q="leloi") == ["Hẻm Leloi ngập"]
    assert titles(client, ioc, q="le* loi") == ["Đèn hỏng ở Lê Lợi"]  # a prefix starts no pair
