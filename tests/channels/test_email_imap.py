"""E-mail in by IMAP (a real IMAP server on loopback) and out by SMTP (a real SMTP server on loopback)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from paht.channels.email.imap import poll
from paht.clock import set_now, utc_now
from paht.models import Attachment, InboundMessage, Report, ReportAddition
from tests.channels.conftest import PUBLIC_MAILBOX, publish, run_jobs
from tests.channels.fakes import jpeg
from tests.channels.mail import citizen_mail


@pytest.fixture
def mail_settings(channel_settings, mailbox):
    return channel_settings.model_copy(
        update={
            "imap_host": "127.0.0.1",
            "imap_port": mailbox.port,
            "imap_ssl": False,
            "imap_user": mailbox.user,
            "imap_password": mailbox.password,
        }
    )


def reports(db) -> list[Report]:
    with db.read() as session:
        return list(session.scalars(select(Report).order_by(Report.created_at)))


def photos_of(db, report: Report) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Attachment).where(Attachment.report_id == report.id))


def test_an_email_with_a_photo_becomes_a_report_and_the_answer_threads(db, mail_settings, mailbox, smtp_sink):
    mailbox.append(citizen_mail(message_id="<lan-1@example.vn>", photos=[("ảnh hiện trường.jpg", jpeg())]))
    assert poll(db, mail_settings) == 1
    assert mailbox.unseen() == 0
    run_jobs(db, mail_settings)
    [report] = reports(db)
    assert report.channel == "email"
    assert report.title == "Cây xanh gãy đổ chắn đường Lê Duẩn"
    assert report.description.startswith("Cây phượng trước số 88 Lê Duẩn gãy đổ")
    assert (report.reporter_name, report.reporter_email) == ("Nguyễn Thị Lan", "lan.nguyen@example.vn")
    assert photos_of(db, report) == 1
    [answer] = smtp_sink.messages
    assert answer["To"] == "lan.nguyen@example.vn"
    assert answer["From"].addresses[0].addr_spec == PUBLIC_MAILBOX
    assert f"[{report.code}]" in answer["Subject"]
    assert answer["In-Reply-To"] == "<lan-1@example.vn>"
    assert answer["Auto-Submitted"] == "auto-replied"
    assert report.code in answer.get_content()
    assert "đã tiếp nhận" in answer.get_content()


def test_each_email_is_taken_once_even_when_the_mailbox_shows_it_again(db, mail_settings, mailbox, smtp_sink):
    raw = citizen_mail(message_id="<lan-2@example.vn>")
    mailbox.append(raw)
    assert poll(db, mail_settings) == 1
    assert poll(db, mail_settings) == 0
    mailbox.append(raw)  # the same message again (a crash before \Seen, or a second delivery)
    assert poll(db, mail_settings) == 0
    assert mailbox.unseen() == 0
    run_jobs(db, mail_settings)
    assert len(reports(db)) == 1
    assert len(smtp_sink.messages) == 1


def test_a_reply_in_the_thread_joins_the_report_without_the_quoted_text(db, mail_settings, mailbox, smtp_sink):
    mailbox.append(citizen_mail(message_id="<lan-3@example.vn>"))
    poll(db, mail_settings)
    run_jobs(db, mail_settings)
    [report] = reports(db)
    ours = smtp_sink.messages[0]["Message-ID"]
    reply = citizen_mail(
        message_id="<lan-4@example.vn>",
        subject=f"Re: {smtp_sink.messages[0]['Subject']}",
        body="Bổ sung: cây đã làm gãy cả cột điện bên cạnh.\n\nVào 28/11, PAHT đã viết:\n> PAHT đã tiếp nhận phản ánh",
        in_reply_to=ours,
        photos=[("cột điện.jpg", jpeg(color=(10, 90, 200)))],
    )
    mailbox.append(reply)
    poll(db, mail_settings)
    run_jobs(db, mail_settings)
    assert len(reports(db)) == 1
    with db.read() as session:
        [addition] = session.scalars(select(ReportAddition)).all()
    assert addition.text == "Bổ sung: cây đã làm gãy cả cột điện bên cạnh."
    assert addition.photos == 1 and photos_of(db, report) == 1
    assert f"Đã bổ sung thông tin vào phản ánh {report.code}" in smtp_sink.messages[-1].get_content()


def test_the_code_in_the_subject_joins_only_from_the_reporters_own_address(db, mail_settings, mailbox, smtp_sink):
    mailbox.append(citizen_mail(message_id="<lan-5@example.vn>"))
    poll(db, mail_settings)
    run_jobs(db, mail_settings)
    [report] = reports(db)
    subject = f"Re: [{report.code}] Đã tiếp nhận phản ánh"
    mailbox.append(citizen_mail(message_id="<lan-6@example.vn>", subject=subject, body="Thêm: vẫn chưa ai dọn."))
    mailbox.append(
        citizen_mail(
            message_id="<other-1@example.vn>",
            subject=subject,
            body="Tôi cũng thấy.",
            sender="Người khác <x@example.vn>",
        )
    )
    poll(db, mail_settings)
    run_jobs(db, mail_settings)
    with db.read() as session:
        additions = session.scalars(select(ReportAddition.text)).all()
    assert additions == ["Thêm: vẫn chưa ai dọn."]
    assert len(reports(db)) == 2  # the stranger's mail is a report of its own, not an addition to Lan's


def test_an_email_without_text_gets_a_clear_answer_and_no_report(db, mail_settings, mailbox, smtp_sink):
    mailbox.append(citizen_mail(message_id="<empty-1@example.vn>", subject="", body=""))
    poll(db, mail_settings)
    run_jobs(db, mail_settings)
    assert reports(db) == []
    [answer] = smtp_sink.messages
    assert "Thư của bạn chưa có nội dung" in answer.get_content()
    assert answer["In-Reply-To"] == "<empty-1@example.vn>"


def test_a_40_megabyte_email_is_answered_from_its_headers_and_never_downloaded(db, mail_settings, mailbox, smtp_sink):
    huge = citizen_mail(message_id="<huge-1@example.vn>", photos=[("ảnh 40MB.jpg", os.urandom(40 * 1024 * 1024))])
    mailbox.append(huge)
    mailbox.append(citizen_mail(message_id="<small-1@example.vn>"))
    assert poll(db, mail_settings) == 2
    assert mailbox.unseen() == 0
    run_jobs(db, mail_settings)
    [report] = reports(db)  # the normal e-mail in the same poll is taken as usual
    with db.read() as session:
        big = session.scalar(select(InboundMessage).where(InboundMessage.external_id == "<huge-1@example.vn>"))
    assert big.status == "ignored" and big.payload["media"] == []
    assert big.payload["too_large"] > 40 * 1024 * 1024
    answers = {m["In-Reply-To"]: m.get_content() for m in smtp_sink.messages}
    assert "quá lớn" in answers["<huge-1@example.vn>"]
    assert "giới hạn 25 MB" in answers["<huge-1@example.vn>"]
    assert report.code in answers["<small-1@example.vn>"]


def test_auto_replies_and_our_own_mail_are_never_answered(db, mail_settings, mailbox, smtp_sink):
    mailbox.append(
        citizen_mail(
            message_id="<ooo-1@example.vn>",
            subject="Trả lời tự động: Vắng mặt",
            body="Tôi đang nghỉ phép đến thứ Hai.",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )
    mailbox.append(citizen_mail(message_id="<loop-1@paht.test>", sender=f"PAHT <{PUBLIC_MAILBOX}>"))
    poll(db, mail_settings)
    run_jobs(db, mail_settings)
    assert reports(db) == []
    assert smtp_sink.messages == []


def test_the_citizen_rates_the_published_result_by_replying_with_a_number(
    db, mail_settings, mailbox, smtp_sink, channel_client, personas
):
    mailbox.append(citizen_mail(message_id="<lan-7@example.vn>"))
    poll(db, mail_settings)
    run_jobs(db, mail_settings)
    [report] = reports(db)
    publish(channel_client, personas, db, str(report.id))
    run_jobs(db, mail_settings)
    published = smtp_sink.messages[-1]
    assert "Đã thay bóng đèn LED mới ngày 28/11." in published.get_content()
    assert "trả lời tin nhắn này bằng một số từ 1" in published.get_content()
    set_now(utc_now() + timedelta(days=2))
    mailbox.append(
        citizen_mail(
            message_id="<lan-8@example.vn>",
            subject=f"Re: {published['Subject']}",
            body="5\n\nVào 28/11 PAHT đã viết:\n> Phản ánh đã có kết quả",
            in_reply_to=published["Message-ID"],
        )
    )
    poll(db, mail_settings)
    run_jobs(db, mail_settings)
    [rated] = reports(db)
    assert rated.rating == 5
    assert "Cảm ơn bạn đã đánh giá 5/5" in smtp_sink.messages[-1].get_content()


def test_the_worker_polls_the_mailbox_at_its_interval(db, mail_settings, mailbox):
    from paht.jobs.worker import run_periodic

    due: dict[str, float] = {}
    mailbox.append(citizen_mail(message_id="<periodic-1@example.vn>"))
    run_periodic(db, mail_settings, due)
    mailbox.append(citizen_mail(message_id="<periodic-2@example.vn>"))
    run_periodic(db, mail_settings, due)  # within the interval: not polled again
    with db.read() as session:
        assert session.scalars(select(InboundMessage.external_id)).all() == ["<periodic-1@example.vn>"]
    run_periodic(db, mail_settings, {})
    assert mailbox.unseen() == 0
