"""Every report records why its personal data may be held: consent to the notice version (app, web,
hotline, Open311) or the authority's legal duty (chat and e-mail). The web forms never pre-tick consent."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from paht.auth.actor import ANONYMOUS
from paht.config import Settings
from paht.enums import Channel
from paht.intake.schemas import ReportCreate
from paht.intake.service import submit_report
from paht.models import ConsentRecord, Report
from tests.factories import idem, new_report_body
from tests.privacy.conftest import canary_body

CHECKBOX = re.compile(r"<input[^>]*\bname=\"consent\"[^>]*>")


def _records(db, report_id: str | uuid.UUID) -> list[ConsentRecord]:  # type: ignore[no-untyped-def]
    with db.read() as session:
        query = select(ConsentRecord).where(ConsentRecord.report_id == uuid.UUID(str(report_id)))
        return list(session.scalars(query))


def test_app_web_and_hotline_reports_record_consent_to_the_notice(client, personas, db, settings):
    cases = {
        "app": ({}, "anonymous", "checkbox"),
        "web": ({"channel": "web"}, "anonymous", "checkbox"),
        "hotline": ({"channel": "hotline"}, "ioc_operator", "verbal"),
    }
    for channel, (extra, persona, method) in cases.items():
        response = client.post("/api/v1/reports", json=canary_body(**extra), headers=personas[persona] | idem())
        assert response.status_code == 201, response.text
        (record,) = _records(db, response.json()["id"])
        assert (record.basis, record.channel, record.method) == ("consent", channel, method)
        assert record.notice_version == settings.notice_version
        assert record.recorded_at is not None and record.withdrawn_at is None
        assert (record.recorded_by_id is not None) == (channel == "hotline")


def test_a_chat_report_records_the_legal_duty_instead(db, settings: Settings):
    with db.write() as session:
        report, _ = submit_report(
            session, ReportCreate(**new_report_body()), actor=ANONYMOUS, settings=settings, channel=Channel.zalo
        )
        report_id = report.id
    (record,) = _records(db, report_id)
    assert (record.basis, record.method, record.notice_version) == ("legal_duty", "chat_message", None)


def test_every_report_with_contact_details_has_a_basis(client, personas, db):
    for _ in range(3):
        client.post("/api/v1/reports", json=new_report_body(), headers=idem())
    with db.read() as session:
        with_contact = set(session.scalars(select(Report.id).where(Report.reporter_phone.is_not(None))))
        with_basis = set(session.scalars(select(ConsentRecord.report_id)))
    assert with_contact and with_contact <= with_basis


def test_consent_is_refused_when_not_given(client):
    response = client.post("/api/v1/reports", json=new_report_body(consent=False), headers=idem())
    assert response.status_code == 422


def test_the_submit_form_and_the_hotline_form_leave_consent_unticked(client, app):
    from tests.web.helpers import Browser

    page = client.get("/gui-phan-anh")
    assert page.status_code == 200
    (box,) = CHECKBOX.findall(page.text)
    assert "checked" not in box
    operator = Browser(app)
    try:
        operator.login("ioc.operator")
        hotline = operator.get("/console/ioc/hotline")
        assert hotline.status_code == 200
        (box,) = CHECKBOX.findall(hotline.text)
        assert "checked" not in box
    finally:
        operator.close()
