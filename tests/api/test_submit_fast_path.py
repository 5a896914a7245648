"""POST /api/v1/reports through the lean write (paht.intake.fast) answers as the route does.

Two apps over one database: the lean write on, and off (the reference). A new report differs in what is
drawn for it (its id, code and reporter's secret) and in its times; everything else must match, and every
error must match byte for byte — with the report count unchanged, since the route runs such a request
again after the lean write rolled it back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from paht.db import Database
from paht.fastpath import MAX_LEAN_BODY, _read_body
from paht.intake import fast
from paht.models import IdempotencyKey, Report
from tests.api.fast_paths import VARYING, assert_same, paired_clients
from tests.factories import new_report_body

PATH = "/api/v1/reports"
DRAWN = {"id", "code", "reporter_token"}  # drawn anew for every report


@pytest.fixture
def clients(settings, db):  # type: ignore[no-untyped-def]
    with paired_clients(settings, db, "submit_fast_path") as pair:
        yield pair


@pytest.fixture
def lean_submissions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys the lean write submitted under (the route's function, called from paht.intake.fast)."""
    keys: list[str] = []
    original = fast.submit_new_report

    def counted(*args: Any) -> Any:
        keys.append(args[-1])
        return original(*args)

    monkeypatch.setattr(fast, "submit_new_report", counted)
    return keys


def _post(
    client, body: Any, *, key: str | None = "new", headers: dict[str, str] | None = None, raw: bytes | None = None
):  # type: ignore[no-untyped-def]
    sent = dict(headers or {})
    if key is not None:
        sent["Idempotency-Key"] = str(uuid.uuid4()) if key == "new" else key
    if raw is None:
        return client.post(PATH, json=body, headers=sent)
    return client.post(PATH, content=raw, headers={"Content-Type": "application/json"} | sent)


def _reports(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Report))


def _without_drawn(document: Any) -> Any:
    """The answer without what is drawn for each report and without times (both apps submit moments apart)."""
    if not isinstance(document, dict):
        return document
    return {k: _without_drawn(v) for k, v in document.items() if k not in DRAWN and not k.endswith("_at")}


def test_a_new_report_is_answered_by_the_lean_write_as_the_route_answers_it(clients, db, lean_submissions) -> None:
    fast_client, reference = clients
    body = new_report_body()
    lean = _post(fast_client, body)
    routed = _post(reference, body)
    assert len(lean_submissions) == 1
    assert lean.status_code == routed.status_code == 201, lean.text
    assert _without_drawn(lean.json()) == _without_drawn(routed.json())
    assert lean.json().keys() == routed.json().keys()
    headers = {k: v for k, v in lean.headers.items() if k not in VARYING | {"content-length"}}
    assert headers == {k: v for k, v in routed.headers.items() if k not in VARYING | {"content-length"}}
    with db.read() as session:
        stored = session.scalars(select(IdempotencyKey).where(IdempotencyKey.key == lean_submissions[0])).one()
    assert stored.response_status == 201 and stored.response_body == lean.json()


def test_a_retry_of_a_lean_submission_replays_it_through_the_route(clients, db, lean_submissions) -> None:
    fast_client, _ = clients
    key, body = str(uuid.uuid4()), new_report_body()
    first = _post(fast_client, body, key=key)
    before = _reports(db)
    again = _post(fast_client, body, key=key)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert _reports(db) == before
    assert lean_submissions == [key, key]  # asked twice; the second time the route answered


def test_a_signed_in_citizen_is_the_reporter_of_a_lean_submission(clients, db, personas, lean_submissions) -> None:
    fast_client, reference = clients
    body = new_report_body(reporter=None)
    lean = _post(fast_client, body, headers=personas["citizen"])
    routed = _post(reference, body, headers=personas["citizen"])
    assert lean.status_code == routed.status_code == 201, lean.text
    assert len(lean_submissions) == 1
    assert _without_drawn(lean.json()) == _without_drawn(routed.json())
    ids = [uuid.UUID(answer.json()["id"]) for answer in (lean, routed)]
    with db.read() as session:
        reporters = set(session.scalars(select(Report.reporter_user_id).where(Report.id.in_(ids))))
    assert len(reporters) == 1 and None not in reporters


REFUSED: dict[str, dict[str, Any]] = {
    "not JSON": {"raw": b"{not json"},
    "not UTF-8": {"raw": b'{"title": "\xff"}'},
    "empty body": {"raw": b""},
    "a JSON list": {"raw": b"[]"},
    "no description": {"body": new_report_body(description=None)},
    "no consent": {"body": new_report_body(consent=False)},
    "an unknown field type": {"body": new_report_body(location={"lat": "north", "lon": 107.59})},
    "an unknown category": {"body": new_report_body(category_id=999_999)},
    "no way to answer": {"body": new_report_body(reporter=None)},
    "a hotline call from the public": {"body": new_report_body(channel="hotline")},
    "a chat channel named by the caller": {"body": new_report_body(channel="zalo")},
    "no Idempotency-Key": {"body": new_report_body(), "key": None},
    "an Idempotency-Key too long": {"body": new_report_body(), "key": "k" * 256},
    "a token that names nobody": {"body": new_report_body(), "headers": {"Authorization": "Bearer not-a-token"}},
    "a form body": {"raw": b"title=x", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_a_request_the_route_refuses_is_refused_in_its_words_and_changes_nothing(clients, db, case: str) -> None:
    fast_client, reference = clients
    given = REFUSED[case]
    before = _reports(db)
    lean, routed = (
        _post(
            client, given.get("body"), key=given.get("key", "new"), headers=given.get("headers"), raw=given.get("raw")
        )
        for client in (fast_client, reference)
    )
    assert 400 <= routed.status_code < 500, routed.text
    assert_same(lean, routed, case)
    assert _reports(db) == before


def test_what_the_lean_write_leaves_alone_the_route_answers(clients, db, lean_submissions) -> None:
    """Two Idempotency-Keys (the route takes the first) and a scheme other than Bearer (the route's caller is
    then anonymous): accepted by the route, never tried by the lean write."""
    fast_client, _ = clients
    two_keys = [("Idempotency-Key", str(uuid.uuid4())), ("Idempotency-Key", str(uuid.uuid4()))]
    content = json.dumps(new_report_body()).encode()
    json_type = [("Content-Type", "application/json")]
    answers = [
        fast_client.post(PATH, content=content, headers=[*two_keys, *json_type]),
        _post(fast_client, new_report_body(), headers={"Authorization": "Basic YTpi"}),
    ]
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert lean_submissions == []


def test_a_body_longer_than_the_lean_write_reads_goes_to_the_route(clients, db, lean_submissions) -> None:
    fast_client, reference = clients
    body = new_report_body(description="Cống bị tắc. " * (MAX_LEAN_BODY // 12))
    lean, routed = _post(fast_client, body, key="same-long-key"), _post(reference, body, key="other-long-key")
    assert lean_submissions == []
    assert_same(lean, routed, "a long body")


def test_a_failing_lean_write_leaves_the_request_to_the_route(clients, db, monkeypatch, caplog) -> None:
    fast_client, _ = clients

    async def broken(self, scope):  # type: ignore[no-untyped-def]
        raise RuntimeError("a defect in the lean write")

    monkeypatch.setattr(fast.FastSubmissions, "_caller", broken)
    before = _reports(db)
    with caplog.at_level(logging.ERROR, logger="paht.fastpath"):
        answer = _post(fast_client, new_report_body())
    assert answer.status_code == 201, answer.text
    assert _reports(db) == before + 1
    assert "lean write failed" in caplog.text


def test_a_failure_after_the_commit_is_not_run_again(clients, db, monkeypatch, caplog) -> None:
    """A failed flush of the WAL (OSError) comes after the COMMIT: the route would not run it again either."""
    fast_client, _ = clients
    submitted: list[str] = []

    def committed_then_flush_failed(*args: Any) -> Any:
        submitted.append(args[-1])
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(fast, "submit_new_report", committed_then_flush_failed)
    with caplog.at_level(logging.ERROR, logger="paht.fastpath"):
        answer = _post(fast_client, new_report_body(), headers={"X-Request-ID": "app-request-0001"})
    assert answer.status_code == 500 and len(submitted) == 1
    assert answer.json() == {
        "detail": answer.json()["detail"],
        "code": "server_error",
        "request_id": "app-request-0001",
    }
    assert answer.headers["x-request-id"] == "app-request-0001"
    assert "app-request-0001" in caplog.text and "Input/output error" in caplog.text


def test_a_body_in_several_parts_is_read_whole_and_a_disconnect_is_seen() -> None:
    parts = [
        {"type": "http.request", "body": b'{"a":', "more_body": True},
        {"type": "http.request", "body": b"1}", "more_body": False},
    ]
    gone = [{"type": "http.request", "body": b'{"a":', "more_body": True}, {"type": "http.disconnect"}]

    def source(messages):  # type: ignore[no-untyped-def]
        async def receive():  # type: ignore[no-untyped-def]
            return messages.pop(0)

        return receive

    assert asyncio.run(_read_body(source(parts))) == (b'{"a":1}', False)
    assert asyncio.run(_read_body(source(gone))) == (b'{"a":', True)
