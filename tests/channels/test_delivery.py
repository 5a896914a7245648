"""The outbox: a provider that is down delays a reply and never loses it; a worker killed mid-send never
makes the citizen receive a message twice; replies never leave for work that was rolled back."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta

from sqlalchemy import func, select, update

from paht.channels.delivery import max_attempts, queue_message
from paht.clock import set_now, utc_now
from paht.jobs.worker import STALE_CLAIM
from paht.models import Conversation, Job, OutboundMessage, Report
from tests.channels.conftest import facebook_signature, fixture_bytes, run_jobs
from tests.channels.mail import citizen_mail


def facebook_report(channel_client, db, channel_settings) -> None:
    body = fixture_bytes("facebook", "text.json")
    headers = {"X-Hub-Signature-256": facebook_signature(body), "Content-Type": "application/json"}
    assert channel_client.post("/channels/facebook/webhook", content=body, headers=headers).status_code == 200


def replies(db) -> list[OutboundMessage]:
    with db.read() as session:
        return list(session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))


def test_a_provider_that_is_down_delays_the_reply_and_never_loses_it(channel_client, db, channel_settings, providers):
    providers.down = True
    facebook_report(channel_client, db, channel_settings)
    run_jobs(db, channel_settings)
    [reply] = replies(db)
    assert reply.status == "pending" and reply.attempts == 1 and "503" in reply.last_error
    for minutes in (1, 2, 4):  # still down: each attempt waits longer
        set_now(utc_now() + timedelta(minutes=minutes))
        run_jobs(db, channel_settings)
    [reply] = replies(db)
    assert reply.status == "pending" and reply.attempts == 4
    assert reply.next_attempt_at - reply.updated_at == timedelta(minutes=4)
    providers.down = False
    set_now(reply.next_attempt_at)
    run_jobs(db, channel_settings)
    [reply] = replies(db)
    assert reply.status == "sent" and reply.attempts == 5
    delivered = [r for r in providers.api_calls("/me/messages")]
    assert len(delivered) == 5 and "đã tiếp nhận" in delivered[-1].body["message"]["text"]


def test_an_unreachable_provider_is_retried_the_same_way(channel_client, db, channel_settings):
    closed = channel_settings.model_copy(update={"facebook_api_base": "http://127.0.0.1:9/v21.0"})
    facebook_report(channel_client, db, closed)
    run_jobs(db, closed)
    [reply] = replies(db)
    assert reply.status == "pending" and "ConnectError" in reply.last_error


def test_a_reply_still_failing_after_the_retry_horizon_stops_for_an_administrator(
    channel_client, db, channel_settings, providers
):
    providers.down = True
    short = channel_settings.model_copy(update={"channel_retry_hours": 1})
    facebook_report(channel_client, db, short)
    for _ in range(max_attempts(short) + 2):
        run_jobs(db, short)
        set_now(utc_now() + timedelta(hours=1))
    [reply] = replies(db)
    assert reply.status == "failed" and reply.attempts == max_attempts(short)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Job).where(Job.status == "pending")) == 0


def test_an_update_after_messengers_24_hour_window_is_sent_with_a_message_tag(
    channel_client, db, channel_settings, providers, personas
):
    facebook_report(channel_client, db, channel_settings)
    run_jobs(db, channel_settings)
    with db.write() as session:  # the citizen's last message is now 25 hours old
        report = session.scalar(select(Report))
        session.execute(update(Conversation).values(last_inbound_at=utc_now() - timedelta(hours=25)))
    from tests.flow import Flow

    flow = Flow(channel_client, personas, db)
    flow.act(str(report.id), "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    run_jobs(db, channel_settings)
    first, later = providers.api_calls("/me/messages")
    assert first.body["messaging_type"] == "RESPONSE"
    assert later.body["messaging_type"] == "MESSAGE_TAG" and later.body["tag"] == "ACCOUNT_UPDATE"
    assert "Sở Xây dựng" in later.body["message"]["text"]


def test_nothing_is_sent_for_work_that_was_rolled_back(db, channel_settings, smtp_sink):
    with db.writer() as session:
        queue_message(
            session, channel="email", recipient="a@example.vn", purpose="received", body="x", dedupe_key="rolled-back"
        )
        session.rollback()
    run_jobs(db, channel_settings)
    assert replies(db) == [] and smtp_sink.messages == []


def _worker_killed_mid_send(db, settings, peer, tmp_path) -> None:
    """Run the worker in its own process, kill it (SIGKILL) while the peer holds the request, resume later."""
    peer.hold = threading.Event()
    env = os.environ | {
        "PAHT_DATABASE_URL": settings.database_url,
        "PAHT_DATA_DIR": str(settings.data_dir),
        "PAHT_FACEBOOK_APP_SECRET": settings.facebook_app_secret,
        "PAHT_FACEBOOK_PAGE_TOKEN": settings.facebook_page_token,
        "PAHT_FACEBOOK_API_BASE": settings.facebook_api_base,
        "PAHT_SMTP_HOST": settings.smtp_host,
        "PAHT_SMTP_PORT": str(settings.smtp_port),
        "PAHT_SMTP_STARTTLS": "false",
        "PAHT_SMTP_FROM": settings.smtp_from,
    }
    script = (
        "from paht.config import Settings; from paht.db import Database; from paht.jobs.worker import run_pending;"
        "s = Settings(); run_pending(Database(s.database_url), s)"
    )
    worker = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=tmp_path)
    try:
        assert peer.arrived.wait(60), "the worker never reached the provider"
    finally:
        worker.kill()
        worker.wait(30)
    peer.hold.set()
    set_now(utc_now() + STALE_CLAIM + timedelta(minutes=1))  # the dead worker's claim goes stale
    run_jobs(db, settings)


def test_a_chat_reply_interrupted_mid_send_is_never_sent_twice(
    channel_client, db, channel_settings, providers, tmp_path
):
    facebook_report(channel_client, db, channel_settings)
    _worker_killed_mid_send(db, channel_settings, providers, tmp_path)
    [reply] = replies(db)
    assert reply.status == "uncertain"
    assert len(providers.api_calls("/me/messages")) == 1  # it may have reached the citizen: not sent again
    with db.read() as session:
        assert session.scalar(select(Report.state)) == "received"  # the report itself is safe


def test_an_email_interrupted_mid_send_is_sent_again_as_the_same_message(
    channel_client, db, channel_settings, smtp_sink, tmp_path
):
    from paht.channels.email.intake import receive

    receive(db, citizen_mail(message_id="<crash-1@example.vn>"), channel_settings)
    _worker_killed_mid_send(db, channel_settings, smtp_sink, tmp_path)
    [reply] = replies(db)
    assert reply.status == "sent" and reply.attempts == 2
    ids = {m["Message-ID"] for m in smtp_sink.messages}
    assert ids == {reply.provider_message_id}  # one Message-ID: the recipient's mail system keeps one copy
