"""Facebook Messenger: the handshake, signatures on the raw body, messages into reports, replies by the Send API."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from paht.clock import set_now, utc_now
from paht.models import Attachment, InboundMessage, Job, Report, ReportAddition
from tests.channels.conftest import VERIFY_TOKEN, facebook_signature, fixture_bytes, run_jobs
from tests.channels.fakes import jpeg

PSID = "6543210987654321"
WEBHOOK = "/channels/facebook/webhook"


def post(client, body: bytes, signature: str | None = "auto"):
    headers = {"Content-Type": "application/json"}
    if signature == "auto":
        headers["X-Hub-Signature-256"] = facebook_signature(body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return client.post(WEBHOOK, content=body, headers=headers)


def with_cdn(body: bytes, providers) -> bytes:
    """Point the recorded CDN links (escaped the way Meta escapes them) at the local provider server."""
    local = providers.url.replace("/", "\\/").encode()
    return body.replace(b"https:\\/\\/scontent.xx.fbcdn.net", local)


def reports(db) -> list[Report]:
    with db.read() as session:
        return list(session.scalars(select(Report).order_by(Report.created_at)))


def sent_texts(providers) -> list[str]:
    return [r.body["message"]["text"] for r in providers.api_calls("/me/messages")]


def test_the_subscription_handshake_echoes_the_challenge_only_for_our_token(channel_client, client):
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    answer = channel_client.get(WEBHOOK, params=params)
    assert answer.status_code == 200
    assert answer.text == "1158201444"
    assert channel_client.get(WEBHOOK, params=params | {"hub.verify_token": "sai"}).status_code == 403
    assert channel_client.get(WEBHOOK, params=params | {"hub.mode": "unsubscribe"}).status_code == 403
    assert client.get(WEBHOOK, params=params).status_code == 404  # the channel is off without credentials


def test_unsigned_or_badly_signed_events_are_refused_before_the_body_is_read(channel_client, db):
    body = fixture_bytes("facebook", "text.json")
    assert post(channel_client, body, signature=None).status_code == 401
    tampered = body.replace(b"L\\u00ea L\\u1ee3i", b"L\\u00ea L\\u1ee3j")
    assert post(channel_client, tampered, signature=facebook_signature(body)).status_code == 403
    assert post(channel_client, body, signature=facebook_signature(body, "another-secret")).status_code == 403
    assert post(channel_client, body, signature="sha1=" + facebook_signature(body)[7:]).status_code == 403
    # Garbage that is not even JSON gets 403, not a parse error: the signature is checked first.
    assert post(channel_client, b"{not json", signature="sha256=" + "0" * 64).status_code == 403
    # Re-serialising the JSON changes the bytes (Meta escapes non-ASCII), so only the raw body verifies.
    reserialised = json.dumps(json.loads(body), ensure_ascii=False).encode()
    assert post(channel_client, body, signature=facebook_signature(reserialised)).status_code == 403
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 0


def test_a_signed_body_that_is_not_an_event_is_kept_for_an_administrator(channel_client, db):
    answer = post(channel_client, b"{not json")
    assert answer.status_code == 200
    with db.read() as session:
        row = session.scalar(select(InboundMessage))
    assert row.status == "unparsed"
    assert "JSONDecodeError" in row.error


def test_a_message_is_stored_at_once_and_becomes_a_report_in_the_worker(
    channel_client, db, channel_settings, providers
):
    answer = post(channel_client, fixture_bytes("facebook", "text.json"))
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "accepted": 1}
    assert reports(db) == []  # the webhook only stores; the report is made by the job
    with db.read() as session:
        assert session.scalar(select(Job.kind).where(Job.kind == "process_inbound")) == "process_inbound"
    run_jobs(db, channel_settings)
    [report] = reports(db)
    assert report.channel == "facebook"
    assert report.state == "received"
    assert report.description.startswith("Đèn đường trước số 12 Lê Lợi")
    assert report.reporter_phone is None and report.reporter_email is None
    [reply] = providers.api_calls("/me/messages")
    assert reply.body["recipient"] == {"id": PSID}
    assert reply.body["messaging_type"] == "RESPONSE"
    assert report.code in reply.body["message"]["text"]
    assert "đã tiếp nhận" in reply.body["message"]["text"]


def test_a_replayed_message_makes_no_second_report(channel_client, db, channel_settings, providers):
    body = fixture_bytes("facebook", "text.json")
    assert post(channel_client, body).json()["accepted"] == 1
    run_jobs(db, channel_settings)
    for _ in range(3):  # Meta retries; an attacker replays
        assert post(channel_client, body).json() == {"status": "ok", "accepted": 0}
    run_jobs(db, channel_settings)
    assert len(reports(db)) == 1
    assert len(providers.api_calls("/me/messages")) == 1


def test_a_photo_after_the_text_joins_the_report_as_the_citizens_addition(
    channel_client, db, channel_settings, providers
):
    providers.media["/v/t1.15752-9/469823410_photo_n.jpg"] = jpeg()
    post(channel_client, fixture_bytes("facebook", "text.json"))
    run_jobs(db, channel_settings)
    set_now(utc_now() + timedelta(minutes=2))
    post(channel_client, with_cdn(fixture_bytes("facebook", "image.json"), providers))
    run_jobs(db, channel_settings)
    [report] = reports(db)
    with db.read() as session:
        assert (
            session.scalar(select(func.count()).select_from(Attachment).where(Attachment.report_id == report.id)) == 1
        )
        [addition] = session.scalars(select(ReportAddition)).all()
    assert addition.report_id == report.id and addition.photos == 1
    assert any(f"Đã bổ sung thông tin vào phản ánh {report.code}" in t for t in sent_texts(providers))


def test_photos_and_a_place_sent_before_the_text_wait_for_it(channel_client, db, channel_settings, providers):
    providers.media["/v/t1.15752-9/469823410_photo_n.jpg"] = jpeg()
    post(channel_client, with_cdn(fixture_bytes("facebook", "image.json"), providers))
    post(channel_client, fixture_bytes("facebook", "location.json"))
    run_jobs(db, channel_settings)
    assert reports(db) == []
    texts = sent_texts(providers)
    assert len(texts) == 1 and "Hãy nhắn thêm mô tả" in texts[0]  # asked once, not per message
    post(channel_client, fixture_bytes("facebook", "text.json"))
    run_jobs(db, channel_settings)
    [report] = reports(db)
    assert (report.lat, report.lon) == (16.4637, 107.5909)
    with db.read() as session:
        assert (
            session.scalar(select(func.count()).select_from(Attachment).where(Attachment.report_id == report.id)) == 1
        )
        linked = session.scalars(select(InboundMessage.report_id)).all()
    assert set(linked) == {report.id}


def test_a_message_after_the_follow_up_window_opens_a_new_report(channel_client, db, channel_settings, providers):
    post(channel_client, fixture_bytes("facebook", "text.json"))
    run_jobs(db, channel_settings)
    set_now(utc_now() + timedelta(minutes=channel_settings.channel_followup_minutes + 1))
    later = fixture_bytes("facebook", "text.json").replace(b"m_1HKbXJ5", b"m_9ZZZZZ5").replace(b"12 L", b"40 L")
    post(channel_client, later)
    run_jobs(db, channel_settings)
    assert len(reports(db)) == 2


def test_a_batch_keeps_citizen_messages_and_drops_echoes_and_receipts(channel_client, db, channel_settings, providers):
    providers.media["/v/t1.15752-9/469823411_photo_n.jpg"] = jpeg()
    answer = post(channel_client, with_cdn(fixture_bytes("facebook", "batch.json"), providers))
    assert answer.json()["accepted"] == 2
    run_jobs(db, channel_settings)
    [report] = reports(db)
    assert report.description.startswith("Cống thoát nước")
    with db.read() as session:
        assert (
            session.scalar(select(func.count()).select_from(Attachment).where(Attachment.report_id == report.id)) == 1
        )


def test_a_sticker_alone_is_ignored_quietly(channel_client, db, channel_settings, providers):
    post(channel_client, fixture_bytes("facebook", "sticker.json"))
    run_jobs(db, channel_settings)
    assert reports(db) == []
    assert providers.api_calls("/me/messages") == []
    with db.read() as session:
        assert session.scalar(select(InboundMessage.status)) == "ignored"


def test_a_photo_the_cdn_no_longer_serves_is_noted_and_the_report_still_made(
    channel_client, db, channel_settings, providers
):
    post(channel_client, fixture_bytes("facebook", "text.json"))
    set_now(utc_now() + timedelta(seconds=30))
    post(channel_client, with_cdn(fixture_bytes("facebook", "image.json"), providers))  # 404 at the CDN
    run_jobs(db, channel_settings)
    assert len(reports(db)) == 1
    assert any("không tải được ảnh (HTTP 404)" in t for t in sent_texts(providers))
