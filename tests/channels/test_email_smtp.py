"""`paht smtp-receiver` (aiosmtpd) taking real SMTP sessions, and outbound SMTP answers 4xx / 5xx."""

from __future__ import annotations

import os
import smtplib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from paht.channels.email.receiver import start
from paht.clock import set_now, utc_now
from paht.models import InboundMessage, OutboundMessage, Report
from tests.channels.conftest import PUBLIC_MAILBOX, run_jobs
from tests.channels.fakes import free_port, jpeg
from tests.channels.mail import citizen_mail


@pytest.fixture
def receiver(db, channel_settings) -> Iterator[int]:
    port = free_port()
    controller = start(db, channel_settings, host="127.0.0.1", port=port)
    yield port
    controller.stop()


def send(port: int, raw: bytes, to: str = PUBLIC_MAILBOX) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.sendmail("lan.nguyen@example.vn", [to], raw)


def test_mail_over_smtp_is_committed_before_250_and_becomes_a_report(db, channel_settings, receiver, smtp_sink):
    send(receiver, citizen_mail(message_id="<smtp-1@example.vn>", photos=[("hố ga.jpg", jpeg())]))
    with db.read() as session:
        stored = session.scalar(select(InboundMessage))
    assert stored.external_id == "<smtp-1@example.vn>" and stored.status == "pending"
    run_jobs(db, channel_settings)
    with db.read() as session:
        report = session.scalar(select(Report))
    assert report.channel == "email" and report.reporter_email == "lan.nguyen@example.vn"
    assert report.code in smtp_sink.messages[0]["Subject"]


def test_a_40_megabyte_email_is_refused_with_552_and_the_receiver_keeps_working(db, channel_settings, receiver):
    huge = citizen_mail(message_id="<smtp-huge@example.vn>", photos=[("lớn.jpg", os.urandom(40 * 1024 * 1024))])
    with pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as refused:
        send(receiver, huge)
    assert refused.value.smtp_code == 552
    assert b"size" in refused.value.smtp_error.lower() or b"too much" in refused.value.smtp_error.lower()
    send(receiver, citizen_mail(message_id="<smtp-after@example.vn>"))
    with db.read() as session:
        assert session.scalars(select(InboundMessage.external_id)).all() == ["<smtp-after@example.vn>"]


def test_mail_for_other_domains_is_refused(receiver):
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(receiver, citizen_mail(message_id="<relay@example.vn>"), to="someone@elsewhere.vn")


def test_a_temporary_smtp_refusal_is_retried_and_a_permanent_one_stops(db, channel_settings, receiver, smtp_sink):
    smtp_sink.refuse = "451 4.3.0 Mailbox temporarily unavailable"
    send(receiver, citizen_mail(message_id="<smtp-2@example.vn>"))
    run_jobs(db, channel_settings)
    with db.read() as session:
        reply = session.scalar(select(OutboundMessage))
    assert reply.status == "pending" and reply.attempts == 1 and "451" in reply.last_error
    smtp_sink.refuse = None
    set_now(utc_now() + timedelta(minutes=1))
    run_jobs(db, channel_settings)
    with db.read() as session:
        reply = session.scalar(select(OutboundMessage))
    assert reply.status == "sent" and reply.attempts == 2
    [delivered] = smtp_sink.messages
    assert delivered["Message-ID"] == reply.provider_message_id

    smtp_sink.refuse = "550 5.1.1 No such user"
    send(receiver, citizen_mail(message_id="<smtp-3@example.vn>", sender="Ai Đó <nobody@example.vn>"))
    run_jobs(db, channel_settings)
    with db.read() as session:
        failed = session.scalar(select(OutboundMessage).where(OutboundMessage.recipient == "nobody@example.vn"))
    assert failed.status == "failed" and "550" in failed.last_error
