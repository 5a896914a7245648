"""POST /api/v1/reports with an Idempotency-Key: a retry never makes a second report."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from paht.clock import set_now
from paht.errors import Conflict
from paht.intake import idempotency
from paht.intake.schemas import ReportCreate
from paht.models import Event, IdempotencyKey, Report, SlaClock, User
from tests.api.test_concurrency import clients, fire_together
from tests.factories import new_report_body
from tests.live_server import serve

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CONCURRENT = 20


def post(client, body, *, key: str | None, headers=None):
    extra = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/v1/reports", json=body, headers=(headers or {}) | extra)


def report_count(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Report))


def key_rows(db, key: str) -> list[IdempotencyKey]:
    with db.read() as session:
        return list(session.scalars(select(IdempotencyKey).where(IdempotencyKey.key == key)))


def fingerprint(body: dict) -> str:
    """What the route computes: the body as the API parsed it."""
    return idempotency.request_fingerprint(ReportCreate(**body).model_dump(mode="json"))


def test_the_same_key_and_body_replay_the_original_response(client, db):
    key, body = str(uuid.uuid4()), new_report_body()
    first = post(client, body, key=key)
    again = post(client, body, key=key)
    assert first.status_code == again.status_code == 201, again.text
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["code"] == first.json()["code"]
    assert again.json() == first.json()
    assert report_count(db) == 1


def test_the_answer_stored_under_the_key_is_the_report_as_committed(client, db):
    """The answer is made before the statistics, limits and audit event (paht.intake.service `answer`): none
    of them may change the report after it, or a replay would show a version the report no longer has."""
    key = str(uuid.uuid4())
    first = post(client, new_report_body(), key=key).json()
    with db.read() as session:
        report = session.get(Report, uuid.UUID(first["id"]))
        clock = session.scalar(select(SlaClock).where(SlaClock.report_id == report.id))
        events = session.scalars(select(Event).where(Event.report_id == report.id)).all()
    assert (first["version"], first["state"], first["code"]) == (report.version, report.state, report.code)
    assert datetime.fromisoformat(first["updated_at"]) == report.updated_at
    assert datetime.fromisoformat(first["clock"]["due_at"]) == clock.due_at
    assert [event.kind for event in events] == ["created"]
    assert key_rows(db, key)[0].response_body == first


def test_the_same_key_with_another_body_is_refused(client, db):
    key = str(uuid.uuid4())
    assert post(client, new_report_body(), key=key).status_code == 201
    other = post(client, new_report_body(description="Cống thoát nước bị tắc trên đường Hùng Vương."), key=key)
    assert other.status_code == 422
    assert other.json()["code"] == "invalid"
    assert "Idempotency-Key" in other.json()["detail"]
    assert report_count(db) == 1


def test_a_missing_or_oversized_key_is_a_bad_request(client, db):
    missing = post(client, new_report_body(), key=None)
    assert missing.status_code == 400
    assert "Idempotency-Key" in missing.json()["detail"]
    assert post(client, new_report_body(), key="k" * 256).status_code == 400
    assert post(client, new_report_body(), key="").status_code == 400
    assert report_count(db) == 0


def test_keys_belong_to_their_caller(client, db, personas):
    """Another caller using the same key gets their own report, never the first caller's response."""
    key, body = str(uuid.uuid4()), new_report_body()
    anonymous = post(client, body, key=key)
    citizen = post(client, body, key=key, headers=personas["citizen"])
    citizen_b = post(client, body, key=key, headers=personas["citizen_b"])
    ids = {r.json()["id"] for r in (anonymous, citizen, citizen_b)}
    assert [r.status_code for r in (anonymous, citizen, citizen_b)] == [201, 201, 201]
    assert len(ids) == 3
    assert report_count(db) == 3


def test_a_key_still_being_processed_is_a_conflict(client, db, settings):
    key, body = str(uuid.uuid4()), new_report_body()
    idempotency.claim(
        db, scope="anonymous", key=key, fingerprint=fingerprint(body), lock_seconds=settings.idempotency_lock_seconds
    )
    response = post(client, body, key=key)
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert report_count(db) == 0
    assert len(key_rows(db, key)) == 1  # the conflict left the running request's claim alone


def test_a_retry_during_the_first_requests_transaction_waits_for_it_and_replays(client, db, settings):
    """The API claims a new key inside the report's own transaction; a retry arriving meanwhile is held by the
    key (PostgreSQL's unique index, SQLite's writer lock) and answers with what the first request stored."""
    key, body = str(uuid.uuid4()), new_report_body()
    stored = post(client, body, key=str(uuid.uuid4())).json()  # a real response stands in for the first one's
    answers = []
    with db.writer() as session:
        claim = idempotency.claim_within(
            session, scope="anonymous", key=key, fingerprint=fingerprint(body), lock_seconds=60
        )
        retry = threading.Thread(target=lambda: answers.append(post(client, body, key=key)))
        retry.start()
        retry.join(timeout=1)
        assert retry.is_alive(), "the retry waits while the first request's transaction holds the key"
        idempotency.complete(session, claim, status=201, body=stored)
        session.commit()
    retry.join(timeout=30)
    [answer] = answers
    assert answer.status_code == 201, answer.text
    assert answer.headers["Idempotent-Replayed"] == "true"
    assert answer.json() == stored
    assert report_count(db) == 1  # the retry made none


def test_a_claim_within_a_transaction_that_rolls_back_leaves_no_trace(client, db):
    key, body = str(uuid.uuid4()), new_report_body()
    with db.writer() as session:
        idempotency.claim_within(session, scope="anonymous", key=key, fingerprint=fingerprint(body), lock_seconds=60)
        session.rollback()
    assert key_rows(db, key) == []
    assert post(client, body, key=key).status_code == 201
    assert report_count(db) == 1


def test_a_signed_in_callers_running_key_is_a_conflict_in_their_scope(client, db, settings, personas):
    key, body = str(uuid.uuid4()), new_report_body()
    with db.read() as session:
        citizen_id = session.scalar(select(User.id).where(User.username == "citizen.demo"))
    idempotency.claim(db, scope=f"user:{citizen_id}", key=key, fingerprint=fingerprint(body), lock_seconds=60)
    assert post(client, body, key=key, headers=personas["citizen"]).status_code == 409
    assert post(client, body, key=key).status_code == 201  # an anonymous caller's key is another key


def test_a_crashed_requests_claim_expires_and_is_taken_over(client, db, settings):
    key, body = str(uuid.uuid4()), new_report_body()
    lock = settings.idempotency_lock_seconds
    set_now(START)
    idempotency.claim(db, scope="anonymous", key=key, fingerprint=fingerprint(body), lock_seconds=lock)
    set_now(START + timedelta(seconds=lock - 1))
    assert post(client, body, key=key).status_code == 409
    set_now(START + timedelta(seconds=lock + 1))
    taken_over = post(client, body, key=key)
    assert taken_over.status_code == 201, taken_over.text
    replay = post(client, body, key=key)
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == taken_over.json()["id"]
    assert report_count(db) == 1
    [row] = key_rows(db, key)
    assert row.response_status == 201
    assert row.locked_until is None


def test_a_request_whose_claim_was_taken_over_cannot_complete_or_release_it(db):
    """A slow first request outlived its lock and a retry took the key over: only the retry may finish."""
    key, fp = str(uuid.uuid4()), "f" * 64
    set_now(START)
    slow = idempotency.claim(db, scope="anonymous", key=key, fingerprint=fp, lock_seconds=60)
    set_now(START + timedelta(seconds=61))
    retry = idempotency.claim(db, scope="anonymous", key=key, fingerprint=fp, lock_seconds=60)
    assert retry.locked_until != slow.locked_until
    with pytest.raises(Conflict), db.write() as session:
        idempotency.complete(session, slow, status=201, body={"id": "slow"})
    idempotency.release(db, slow)
    [row] = key_rows(db, key)
    assert row.response_status is None
    assert row.locked_until == retry.locked_until
    with db.write() as session:
        idempotency.complete(session, retry, status=201, body={"id": "retry"})
    [row] = key_rows(db, key)
    assert (row.response_status, row.response_body) == (201, {"id": "retry"})


def test_a_failed_request_releases_its_key(client, db):
    key = str(uuid.uuid4())
    failed = post(client, new_report_body(category_id=999_999), key=key)
    assert failed.status_code == 422
    assert failed.json()["code"] == "invalid"
    assert key_rows(db, key) == []
    corrected = post(client, new_report_body(), key=key)  # a different body: accepted only because it was released
    assert corrected.status_code == 201, corrected.text
    assert "Idempotent-Replayed" not in corrected.headers
    assert report_count(db) == 1


def test_twenty_concurrent_submissions_with_one_key_make_one_report(app, db):
    key, body = str(uuid.uuid4()), new_report_body()
    request = {"method": "POST", "url": "/api/v1/reports", "json": body, "headers": {"Idempotency-Key": key}}
    with serve(app) as url, clients(url, CONCURRENT) as many:
        responses = fire_together(many, [request] * CONCURRENT)
        retried = many[0].request(**request)
    assert {r.status_code for r in responses} <= {201, 409}, [(r.status_code, r.text[:200]) for r in responses]
    created = [r.json() for r in responses if r.status_code == 201]
    assert created, "at least the first submission succeeds"
    assert {(c["id"], c["code"]) for c in created} == {(created[0]["id"], created[0]["code"])}
    assert all(r.json()["code"] == "conflict" for r in responses if r.status_code == 409)
    assert retried.status_code == 201 and retried.json()["id"] == created[0]["id"]
    assert report_count(db) == 1
