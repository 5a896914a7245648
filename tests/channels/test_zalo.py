"""Zalo OA: X-ZEvent-Signature over app_id + raw body + timestamp + OA secret, stale events, the OA message API."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import func, select

from paht.clock import set_now, utc_now
from paht.models import Attachment, InboundMessage, Job, OutboundMessage, Report
from tests.channels.conftest import ZALO_APP_ID, at_zalo_time, fixture_bytes, run_jobs, zalo_signature
from tests.channels.fakes import jpeg

USER = "8736492837465918273"
WEBHOOK = "/channels/zalo/webhook"


def post(client, body: bytes, signature: str | None = "auto"):
    headers = {"Content-Type": "application/json"}
    if signature == "auto":
        headers["X-ZEvent-Signature"] = zalo_signature(body)
    elif signature is not None:
        headers["X-ZEvent-Signature"] = signature
    return client.post(WEBHOOK, content=body, headers=headers)


def reports(db) -> list[Report]:
    with db.read() as session:
        return list(session.scalars(select(Report).order_by(Report.created_at)))


def test_the_signature_is_sha256_of_app_id_body_timestamp_and_oa_secret(channel_client, db):
    body = fixture_bytes("zalo", "user_send_text.json")
    at_zalo_time(body)
    assert post(channel_client, body, signature=None).status_code == 401
    assert post(channel_client, body, signature="mac=" + "0" * 64).status_code == 403
    assert post(channel_client, body, signature=zalo_signature(body, secret="not-the-oa-secret")).status_code == 403
    assert post(channel_client, body, signature=zalo_signature(body, app_id="1")).status_code == 403
    tampered = body.replace("kiệt 45".encode(), "kiệt 46".encode())
    assert post(channel_client, tampered, signature=zalo_signature(body)).status_code == 403
    # An HMAC with the secret is not what Zalo sends: it must not pass either.
    hmac_like = "mac=" + hashlib.sha256(body).hexdigest()
    assert post(channel_client, body, signature=hmac_like).status_code == 403
    assert post(channel_client, b"not json at all", signature="mac=" + "1" * 64).status_code == 403
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 0
    # The value without its "mac=" prefix, as some gateways forward it, is the same signature.
    assert post(channel_client, body, signature=zalo_signature(body).removeprefix("mac=")).status_code == 200


def test_stale_and_future_events_are_refused_as_replays(channel_client, db):
    body = fixture_bytes("zalo", "user_send_text.json")
    at_zalo_time(body)
    set_now(utc_now() + timedelta(minutes=6))
    assert post(channel_client, body).status_code == 403
    set_now(utc_now() - timedelta(minutes=12))
    assert post(channel_client, body).status_code == 403
    set_now(utc_now() + timedelta(minutes=6, seconds=-20))  # 4 min 40 s after the event: still fresh
    assert post(channel_client, body).status_code == 200


def test_a_body_with_two_timestamps_cannot_choose_which_one_is_signed(channel_client):
    body = fixture_bytes("zalo", "user_send_text.json")
    at_zalo_time(body)
    doubled = body[:-1] + b',"timestamp":"1764300000000"}'
    assert post(channel_client, doubled, signature=zalo_signature(body)).status_code == 403


def test_a_text_becomes_a_report_and_the_reply_goes_through_the_oa_message_api(
    channel_client, db, channel_settings, providers
):
    body = fixture_bytes("zalo", "user_send_text.json")
    at_zalo_time(body)
    assert post(channel_client, body).json() == {"status": "ok", "accepted": 1}
    assert post(channel_client, body).json() == {"status": "ok", "accepted": 0}  # Zalo retries: stored once
    run_jobs(db, channel_settings)
    [report] = reports(db)
    assert report.channel == "zalo"
    assert report.description == "Rác thải sinh hoạt đổ bừa bãi ở kiệt 45 Trần Phú, bốc mùi hôi thối suốt tuần nay."
    [call] = providers.api_calls("/v3.0/oa/message/cs")
    assert call.headers["access_token"] == providers.zalo_token
    assert call.body["recipient"] == {"user_id": USER}
    assert report.code in call.body["message"]["text"]
    with db.read() as session:
        sent = session.scalar(select(OutboundMessage))
    assert sent.status == "sent" and sent.provider_message_id


def test_an_image_joins_the_open_report_and_a_place_first_waits_for_text(
    channel_client, db, channel_settings, providers
):
    location = fixture_bytes("zalo", "user_send_location.json")
    at_zalo_time(location)
    set_now(utc_now() - timedelta(seconds=50))  # the place came first
    post(channel_client, location)
    run_jobs(db, channel_settings)
    assert reports(db) == []
    text = fixture_bytes("zalo", "user_send_text.json")
    at_zalo_time(text)
    post(channel_client, text)
    run_jobs(db, channel_settings)
    [report] = reports(db)
    assert (report.lat, report.lon) == (16.4561, 107.5853)
    providers.media["/8/1/2/3/29/120/3f1e2d4c5b6a79880a1b2c3d4e5f6071.jpg"] = jpeg()
    image = fixture_bytes("zalo", "user_send_image.json").replace(
        b"https://s120-ava-talk.zadn.vn", providers.url.encode()
    )
    at_zalo_time(image)
    post(channel_client, image)
    run_jobs(db, channel_settings)
    assert len(reports(db)) == 1
    with db.read() as session:
        assert (
            session.scalar(select(func.count()).select_from(Attachment).where(Attachment.report_id == report.id)) == 1
        )


def test_events_other_than_messages_are_accepted_and_dropped(channel_client, db, channel_settings):
    body = fixture_bytes("zalo", "follow.json")
    at_zalo_time(body)
    assert post(channel_client, body).json() == {"status": "ok", "accepted": 0}
    other_app = fixture_bytes("zalo", "user_send_text.json").replace(ZALO_APP_ID.encode(), b"1111111111111111111")
    assert (
        post(channel_client, other_app, signature=zalo_signature(other_app, app_id=ZALO_APP_ID)).json()["accepted"] == 0
    )


def test_an_invalid_access_token_stops_the_reply_for_an_administrator(channel_client, db, channel_settings, providers):
    providers.zalo_token = "the-token-was-rotated"
    body = fixture_bytes("zalo", "user_send_text.json")
    at_zalo_time(body)
    post(channel_client, body)
    run_jobs(db, channel_settings)
    with db.read() as session:
        reply = session.scalar(select(OutboundMessage))
        retries = session.scalar(
            select(func.count()).select_from(Job).where(Job.kind == "deliver_outbound", Job.status == "pending")
        )
    assert reply.status == "failed"
    assert "-216" in reply.last_error
    assert retries == 0
    assert len(providers.api_calls("/v3.0/oa/message/cs")) == 1  # not retried: retrying cannot help
