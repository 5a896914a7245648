"""What citizens and staff are told: each step on the citizen's channel, staff notices in the console and by e-mail."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from paht.clock import set_now, utc_now
from paht.jobs.worker import sweep_once
from paht.models import Notification, OutboundMessage, User
from tests.channels.conftest import run_jobs
from tests.factories import idem, new_report_body
from tests.flow import Flow


def submit(client, personas, **overrides):
    answer = client.post("/api/v1/reports", json=new_report_body(**overrides), headers=personas["anonymous"] | idem())
    assert answer.status_code == 201, answer.text
    return answer.json()


def mail_to(sink, address: str) -> list:
    return [m for m in sink.messages if m["To"] == address]


def console(db, username: str) -> list[str]:
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        return list(session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


def test_the_citizen_hears_of_each_step_by_email(channel_client, personas, db, channel_settings, smtp_sink):
    flow = Flow(channel_client, personas, db)
    report = submit(channel_client, personas)
    run_jobs(db, channel_settings)
    flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    flow.act(report, "handler_a", "acknowledge")
    flow.act(report, "handler_a", "submit_result", result="Đã thay bóng đèn.")
    flow.act(report, "leader_a", "approve")
    flow.act(report, "ioc_editor", "publish", result="Đã thay bóng đèn LED mới ngày 28/11.")
    run_jobs(db, channel_settings)
    run_jobs(db, channel_settings)  # running again sends nothing twice
    received, dispatched, published = mail_to(smtp_sink, "planted@example.vn")
    code = report["code"]
    assert f"[{code}]" in received["Subject"] and f"https://paht.test/api/v1/track/{code}" in received.get_content()
    assert "Sở Xây dựng" in dispatched.get_content()
    assert "Đã thay bóng đèn LED mới ngày 28/11." in published.get_content()
    assert f"https://paht.test/api/v1/public/reports/{code}" in published.get_content()
    assert "số từ 1 (rất không hài lòng) đến 5" in published.get_content()
    assert {m["From"].addresses[0].addr_spec for m in smtp_sink.messages} == {"phananh@paht.test"}


def test_a_rejection_gives_the_reason_and_a_duplicate_the_original(
    channel_client, personas, db, channel_settings, smtp_sink
):
    flow = Flow(channel_client, personas, db)
    first = submit(channel_client, personas, reporter={"email": "a@example.vn"})
    second = submit(channel_client, personas, reporter={"email": "b@example.vn"})
    flow.act(first, "ioc_operator", "reject", reason="Không thuộc phạm vi phản ánh hiện trường.")
    flow.act(second, "ioc_operator", "mark_duplicate", duplicate_of_id=first["id"])
    run_jobs(db, channel_settings)
    rejected = mail_to(smtp_sink, "a@example.vn")[-1]
    assert "Lý do: Không thuộc phạm vi phản ánh hiện trường." in rejected.get_content()
    duplicate = mail_to(smtp_sink, "b@example.vn")[-1]
    assert f"trùng với phản ánh {first['code']}" in duplicate.get_content()


def test_a_report_without_a_way_back_sends_nothing(channel_client, personas, db, channel_settings, smtp_sink):
    submit(channel_client, personas, reporter={"phone": "0905 111 222"})
    run_jobs(db, channel_settings)
    assert smtp_sink.messages == []
    with db.read() as session:
        assert session.scalars(select(OutboundMessage)).all() == []


def test_staff_are_told_of_a_dispatch_and_reminded_at_20_minutes(
    channel_client, personas, db, channel_settings, smtp_sink
):
    flow = Flow(channel_client, personas, db)
    report = submit(channel_client, personas)
    flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    run_jobs(db, channel_settings)
    assert console(db, "sxd.handler") == ["dispatched"]
    [notice] = mail_to(smtp_sink, "sxd.handler@demo.paht.vn")
    assert report["code"] in notice["Subject"] and "xác nhận trong 30 phút" in notice.get_content()
    assert notice["Auto-Submitted"] == "auto-generated"
    set_now(utc_now() + timedelta(minutes=19))
    run_jobs(db, channel_settings)
    assert console(db, "sxd.handler") == ["dispatched"]
    set_now(utc_now() + timedelta(minutes=2))
    run_jobs(db, channel_settings)
    assert console(db, "sxd.handler") == ["dispatched", "ack_reminder"]
    assert "sắp hết" in mail_to(smtp_sink, "sxd.handler@demo.paht.vn")[-1].get_content()


def test_no_reminder_once_the_dispatch_is_acknowledged(channel_client, personas, db, channel_settings, smtp_sink):
    flow = Flow(channel_client, personas, db)
    report = submit(channel_client, personas)
    flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    run_jobs(db, channel_settings)
    flow.act(report, "handler_a", "acknowledge")
    set_now(utc_now() + timedelta(minutes=25))
    run_jobs(db, channel_settings)
    assert console(db, "sxd.handler") == ["dispatched"]


def test_a_return_and_a_breached_deadline_reach_the_ioc_and_the_bodys_leader(
    channel_client, personas, db, channel_settings, smtp_sink
):
    flow = Flow(channel_client, personas, db)
    returned = submit(channel_client, personas)
    flow.act(returned, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    flow.act(
        returned, "handler_a", "return", reason="Không thuộc thẩm quyền", suggested_organization_id=flow.orgs["PHUHOI"]
    )
    late = submit(channel_client, personas)
    flow.act(late, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    run_jobs(db, channel_settings)
    assert "returned" in console(db, "ioc.operator")
    assert any("trả lại IOC" in m.get_content() for m in mail_to(smtp_sink, "ioc.operator@demo.paht.vn"))
    set_now(utc_now() + timedelta(minutes=31))
    assert sweep_once(db) >= 1
    run_jobs(db, channel_settings)
    assert "sla_breached" in console(db, "sxd.leader")
    breach = [m for m in mail_to(smtp_sink, "sxd.leader@demo.paht.vn") if "quá hạn" in m.get_content()]
    assert len(breach) == 1 and late["code"] in breach[0]["Subject"]
    assert any("quá hạn" in m.get_content() for m in mail_to(smtp_sink, "ioc.operator@demo.paht.vn"))


def test_staff_email_can_be_switched_off_while_the_console_keeps_working(
    channel_client, personas, db, channel_settings, smtp_sink
):
    quiet = channel_settings.model_copy(update={"staff_email": False})
    flow = Flow(channel_client, personas, db)
    report = submit(channel_client, personas, reporter={"phone": "0905 111 222"})
    flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    run_jobs(db, quiet)
    assert console(db, "sxd.handler") == ["dispatched"]
    assert smtp_sink.messages == []
