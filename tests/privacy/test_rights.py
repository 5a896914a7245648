"""A reporter, proven by the report's secret, exports, corrects and erases their personal data; the
report and its published result stay, and nothing of them is left outside the audit trail."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select, text

from paht.models import ConsentRecord, Event, PrivacyRequest, Report, ReportSearch
from tests.flow import Flow
from tests.privacy.conftest import CANARY_EMAIL, CANARY_NAME, CANARY_TEXT, has_canary


def _url(report: dict[str, Any]) -> str:
    return f"/api/v1/reports/{report['id']}/personal-data"


def _as_reporter(report: dict[str, Any]) -> dict[str, str]:
    return {"X-Reporter-Token": report["reporter_token"]}


def _dump_tables(db, names: tuple[str, ...]) -> str:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return json.dumps(
            [[str(v) for v in row] for name in names for row in session.execute(text(f"SELECT * FROM {name}"))],  # noqa: S608 (fixed table names)
            ensure_ascii=False,
        )


def test_the_reporter_downloads_everything_held_about_them(client, canary_report, db):
    response = client.get(_url(canary_report), headers=_as_reporter(canary_report))
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["contact"] == {
        "name": CANARY_NAME,
        "phone": "+84912345678",
        "email": CANARY_EMAIL,
        "anonymous": False,
        "account_id": None,
    }
    assert data["report"]["description"] == CANARY_TEXT
    assert [c["basis"] for c in data["consents"]] == ["consent"]
    assert data["requests"][0]["kind"] == "export"
    with db.read() as session:
        request = session.scalar(select(PrivacyRequest))
        event = session.scalar(select(Event).where(Event.kind == "privacy_exported"))
    assert (request.kind, request.source, request.status) == ("export", "reporter", "done")
    assert event is not None and not has_canary(json.dumps(event.payload, ensure_ascii=False))


def test_only_the_secret_or_the_account_opens_it(client, canary_report, personas):
    wrong = {"X-Reporter-Token": "not-the-secret"}
    assert client.get(_url(canary_report), headers=wrong).status_code == 404
    assert client.get(_url(canary_report)).status_code == 404
    assert client.get(_url(canary_report), headers=personas["citizen_b"]).status_code in (403, 404)
    assert client.delete(_url(canary_report), headers=wrong).status_code == 404
    unknown = {"id": str(uuid.uuid4()), "reporter_token": canary_report["reporter_token"]}
    assert client.get(_url(unknown), headers=_as_reporter(unknown)).status_code == 404


def test_the_reporter_corrects_their_contact(client, canary_report, db):
    response = client.patch(
        _url(canary_report), json={"phone": "0905 999 888", "name": None}, headers=_as_reporter(canary_report)
    )
    assert response.status_code == 200, response.text
    assert response.json()["fields"] == ["name", "phone"]
    with db.read() as session:
        report = session.get(Report, uuid.UUID(canary_report["id"]))
        event = session.scalar(select(Event).where(Event.kind == "privacy_corrected"))
    assert (report.reporter_name, report.reporter_phone, report.reporter_email) == (None, "+84905999888", CANARY_EMAIL)
    assert event.payload["fields"] == ["name", "phone"]
    bad = client.patch(_url(canary_report), json={"phone": "12"}, headers=_as_reporter(canary_report))
    assert bad.status_code == 422


def test_erasure_keeps_the_published_result_and_leaves_no_personal_data(client, personas, db, canary_report):
    flow = Flow(client, personas, db)
    for persona, action, payload in [
        ("ioc_operator", "dispatch", {"organization_id": flow.orgs["SXD"]}),
        ("handler_a", "acknowledge", {}),
        ("handler_a", "submit_result", {"result": "Đã nạo vét cống."}),
        ("leader_a", "approve", {}),
        ("ioc_editor", "publish", {"description": "Cống thoát nước bị tắc.", "title": "Cống tắc"}),
    ]:
        flow.act(canary_report, persona, action, **payload)
    client.get(f"/api/v1/reports/{canary_report['id']}", headers=personas["ioc_operator"])  # a contact view

    response = client.delete(_url(canary_report), headers=_as_reporter(canary_report))
    assert response.status_code == 200, response.text
    assert {"reporter_name", "reporter_phone", "reporter_email", "description", "address"} <= set(
        response.json()["fields"]
    )

    public = client.get(f"/api/v1/public/reports/{canary_report['code']}")
    assert public.status_code == 200 and public.json()["result"] == "Đã nạo vét cống."
    staff = client.get(f"/api/v1/reports/{canary_report['id']}", headers=personas["ioc_operator"])
    assert staff.status_code == 200 and not has_canary(staff.text)
    export = client.get(_url(canary_report), headers=_as_reporter(canary_report))
    assert not has_canary(export.text)
    assert export.json()["consents"][0]["withdrawn_at"] is not None
    assert not has_canary(_dump_tables(db, ("reports", "report_search", "consents", "privacy_requests")))
    with db.read() as session:
        report = session.get(Report, uuid.UUID(canary_report["id"]))
        assert report.description == "Cống thoát nước bị tắc." and report.public_result == "Đã nạo vét cống."
        assert round(report.lat, 3) == report.lat
        assert session.scalar(select(ReportSearch.staff_raw).where(ReportSearch.report_id == report.id))
        assert session.scalar(select(ConsentRecord.withdrawn_at)) is not None
        kinds = [e.kind for e in session.scalars(select(Event).where(Event.report_id == report.id))]
    assert kinds.count("privacy_erased") == 1
    # The one copy left is inside the append-only audit trail: the publish step records the IOC's edits
    # (the citizen's words before, the public text after). Events hold no contact details.
    with db.read() as session:
        carrying = [
            (e.kind, e.action)
            for e in session.scalars(select(Event))
            if has_canary(json.dumps(e.payload, ensure_ascii=False))
        ]
    assert set(carrying) <= {("transition", "publish")}
