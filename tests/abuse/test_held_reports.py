"""The abuse list: a listed reporter's report is answered as usual but held for IOC review."""

from __future__ import annotations

from tests.factories import idem, new_report_body
from tests.flow import Flow

LIST = "/api/v1/admin/abuse-list"


def listed(client, personas, kind: str, value: str) -> dict:  # type: ignore[no-untyped-def]
    added = client.post(LIST, json={"kind": kind, "value": value, "reason": "Gửi tin sai sự thật nhiều lần"},
                        headers=personas["admin"])  # fmt: skip
    assert added.status_code == 201, added.text
    return added.json()


def submit(client, phone: str) -> dict:  # type: ignore[no-untyped-def]
    body = new_report_body(reporter={"phone": phone})
    response = client.post("/api/v1/reports", json=body, headers=idem())
    assert response.status_code == 201, response.text
    return response.json()


def test_a_listed_phone_is_normalised_and_its_report_held_without_telling_the_reporter(client, personas, db):
    entry = listed(client, personas, "phone", "0905 999 888")
    assert entry["value"] == "+84905999888"
    created = submit(client, "+84 905 999 888")
    assert created["state"] == "received"  # the answer any citizen gets
    assert client.get(f"/api/v1/track/{created['code']}").json()["state"] == "received"
    op = personas["ioc_operator"]
    assert client.get(f"/api/v1/reports/{created['id']}", headers=op).json()["state"] == "held"
    held = client.get("/api/v1/reports", params={"state": "held"}, headers=op).json()["items"]
    assert [r["id"] for r in held] == [created["id"]]


def test_a_held_report_cannot_be_dispatched_until_released(client, personas, db):
    listed(client, personas, "phone", "0905999888")
    flow = Flow(client, personas, db)
    report = submit(client, "0905999888")
    flow.act(report, "ioc_operator", "dispatch", expect=409, organization_id=flow.orgs["SXD"])
    actions = client.get(f"/api/v1/reports/{report['id']}/actions", headers=personas["ioc_operator"]).json()
    assert {a["action"] for a in actions} == {"release", "reject"}
    assert flow.act(report, "ioc_operator", "release", note="Đã xác minh")["state"] == "received"
    assert flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])["state"] == "dispatched"


def test_a_held_report_can_be_rejected_and_removal_ends_holding(client, personas, db):
    entry = listed(client, personas, "email", "Spam@Example.VN")
    flow = Flow(client, personas, db)
    body = new_report_body(reporter={"email": "spam@example.vn"})
    report = client.post("/api/v1/reports", json=body, headers=idem()).json()
    assert flow.act(report, "ioc_operator", "reject", reason="Tin giả")["state"] == "rejected"
    removed = client.post(f"{LIST}/{entry['id']}/remove", json={"reason": "Đã xác minh danh tính"},
                          headers=personas["admin"])  # fmt: skip
    assert removed.status_code == 200 and removed.json()["removed_at"]
    again = client.post("/api/v1/reports", json=body, headers=idem()).json()
    assert client.get(f"/api/v1/reports/{again['id']}", headers=personas["ioc_operator"]).json()["state"] == "received"
    history = client.get(LIST, params={"include_removed": "true"}, headers=personas["admin"]).json()
    assert history[0]["removal_reason"] == "Đã xác minh danh tính"


def test_only_ioc_staff_manage_the_list(client, personas):
    body = {"kind": "zalo", "value": "84123", "reason": "spam"}
    assert client.post(LIST, json=body, headers=personas["citizen"]).status_code == 403
    assert client.post(LIST, json=body, headers=personas["handler_a"]).status_code == 403
    assert client.get(LIST).status_code == 401
    assert client.post(LIST, json=body, headers=personas["ioc_operator"]).status_code == 201
    assert client.post(LIST, json=body, headers=personas["admin"]).status_code == 409


def test_a_listed_zalo_sender_is_held(db, settings):
    from paht.abuse.entries import EntryKind, add_entry
    from paht.abuse.submissions import Submitter
    from paht.auth.actor import Actor
    from paht.auth.roles import Role
    from paht.enums import Channel
    from paht.intake.schemas import ReportCreate
    from paht.intake.service import submit_report

    admin = Actor(user_id=None, username="admin", roles=frozenset({Role.admin}))
    with db.write() as session:
        add_entry(session, kind=EntryKind.zalo, value="7788", reason="spam", actor=admin)
        draft = ReportCreate(description="Cây đổ", consent=True)
        report, _ = submit_report(session, draft, actor=Actor(None, None, frozenset()), settings=settings,
                                  channel=Channel.zalo, submitter=Submitter(sender=("zalo", "7788")))  # fmt: skip
        assert report.state == "held"
