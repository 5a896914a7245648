"""Submission limits per device, account, address and chat sender; 429 with Retry-After; trusted proxies only."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from starlette.requests import Request

from paht.abuse.client import client_ip
from paht.abuse.submissions import Submitter
from paht.auth.actor import ANONYMOUS
from paht.enums import Channel
from paht.errors import RateLimited
from paht.intake.schemas import ReportCreate
from paht.intake.service import submit_report
from tests.abuse.conftest import from_ip
from tests.factories import idem, new_report_body

REPORTS = "/api/v1/reports"


def submit(client, headers=None, **overrides):  # type: ignore[no-untyped-def]
    return client.post(REPORTS, json=new_report_body(**overrides), headers=(headers or {}) | idem())


def test_the_device_limit_refuses_the_next_report_with_retry_after(limited):
    client = limited(submit_limit_per_device=3, submit_window_seconds=600)
    device = {"X-Device-Id": "may-0001"} | from_ip("203.0.113.7")
    assert [submit(client, device).status_code for _ in range(3)] == [201, 201, 201]
    refused = submit(client, device)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    assert "thử lại" in refused.json()["detail"]
    # Another device on the same address is not held back.
    assert submit(client, {"X-Device-Id": "may-0002"} | from_ip("203.0.113.7")).status_code == 201


def test_the_address_limit_holds_and_a_replay_is_not_counted(limited):
    client = limited(submit_limit_per_ip=2)
    key = idem()
    first = client.post(REPORTS, json=new_report_body(), headers=from_ip("198.51.100.4") | key)
    replay = client.post(REPORTS, json=new_report_body(), headers=from_ip("198.51.100.4") | key)
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert submit(client, from_ip("198.51.100.4")).status_code == 201
    assert submit(client, from_ip("198.51.100.4")).status_code == 429
    assert submit(client, from_ip("198.51.100.5")).status_code == 201


# Every table a submission writes to: a refused one must leave each as it was.
WRITTEN = ("reports", "events", "consents", "sla_clocks", "jobs", "report_search", "report_places",
           "stats_report_dims", "stats_daily", "stats_buckets", "idempotency_keys")  # fmt: skip


def _written(db) -> dict[str, object]:  # type: ignore[no-untyped-def]
    with db.read() as session:
        counts = {t: session.scalar(text(f"SELECT count(*) FROM {t}")) for t in WRITTEN}  # noqa: S608
        counts["received"] = session.scalar(text("SELECT coalesce(sum(received), 0) FROM stats_daily"))
        return counts


def test_a_refused_submission_leaves_nothing_behind(limited, db):
    """The limits are counted last in the report's transaction (their row is every submission's from one
    address, so held from there to the commit it serialises them); a refusal rolls all of it back."""
    client = limited(submit_limit_per_ip=1)
    assert submit(client, from_ip("198.51.100.9")).status_code == 201
    before = _written(db)
    refused = submit(client, from_ip("198.51.100.9"))
    assert refused.status_code == 429
    assert _written(db) == before
    assert submit(client, from_ip("198.51.100.10")).status_code == 201
    assert _written(db)["reports"] == before["reports"] + 1


def test_the_account_limit_follows_the_citizen_across_devices(limited, personas):
    client = limited(submit_limit_per_account=2)
    citizen = personas["citizen"]
    statuses = [
        submit(client, citizen | {"X-Device-Id": f"may-{n}"} | from_ip(f"192.0.2.{n}")).status_code for n in range(3)
    ]
    assert statuses == [201, 201, 429]


def test_the_web_form_is_limited_too(limited):
    client = limited(submit_limit_per_ip=1)
    assert submit(client, from_ip("192.0.2.50")).status_code == 201
    page = client.get("/gui-phan-anh", headers=from_ip("192.0.2.50"))
    csrf = page.cookies.get("paht_csrf") or client.cookies.get("paht_csrf")
    form = {
        "description": "Ổ gà lớn trước cổng trường",
        "lat": "16.4637",
        "lon": "107.5909",
        "phone": "0905 111 222",
        "consent": "on",
        "submission_key": "k-web-1",
        "csrf_token": csrf or "",
    }
    refused = client.post("/gui-phan-anh", data=form, headers=from_ip("192.0.2.50"))
    assert refused.status_code == 429, refused.text[:300]
    assert "Retry-After" in refused.headers


def test_x_forwarded_for_counts_only_from_a_trusted_proxy():
    def request(peer: str, forwarded: str) -> Request:
        headers = [(b"x-forwarded-for", forwarded.encode())]
        return Request({"type": "http", "client": (peer, 1234), "headers": headers})

    assert client_ip(request("203.0.113.9", "1.2.3.4"), []) == "203.0.113.9"
    assert client_ip(request("203.0.113.9", "1.2.3.4"), ["10.0.0.0/8"]) == "203.0.113.9"
    assert client_ip(request("10.0.0.1", "1.2.3.4"), ["10.0.0.0/8"]) == "1.2.3.4"
    # A client's own forged hop on the left is skipped: the proxy appended the real address on the right.
    assert client_ip(request("10.0.0.1", "6.6.6.6, 1.2.3.4, 10.0.0.2"), ["10.0.0.0/8"]) == "1.2.3.4"
    assert client_ip(request("10.0.0.1", "not-an-ip"), ["10.0.0.0/8"]) == "10.0.0.1"


def test_an_untrusted_peer_cannot_dodge_the_address_limit_by_forging_the_header(settings, db):
    from fastapi.testclient import TestClient

    from paht.main import create_app

    app = create_app(settings.model_copy(update={"submit_limit_per_ip": 1}), db, worker=False)
    with TestClient(app, client=("203.0.113.20", 50000)) as client:
        assert submit(client, from_ip("1.1.1.1")).status_code == 201
        assert submit(client, from_ip("2.2.2.2")).status_code == 429


def test_chat_senders_are_limited_per_sender_id(db, settings):
    limited = settings.model_copy(update={"submit_limit_per_sender": 2})
    draft = ReportCreate(description="Rác thải bên đường", consent=True)

    def chat(sender: str) -> None:
        with db.write() as session:
            submit_report(
                session,
                draft,
                actor=ANONYMOUS,
                settings=limited,
                channel=Channel.zalo,
                submitter=Submitter(sender=("zalo", sender)),
            )

    chat("z-1")
    chat("z-1")
    with pytest.raises(RateLimited):
        chat("z-1")
    chat("z-2")
