"""One report through all five steps, with a wrong body's return and a leader's send-back."""

from __future__ import annotations

from tests.flow import Flow


def test_a_report_goes_through_every_step_and_is_published(client, personas, db):
    flow = Flow(client, personas, db)
    report = flow.submit()
    assert report["state"] == "received"
    assert report["code"].startswith("PA-")
    assert report["reporter_token"]

    report = flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["PHUHOI"])
    assert report["state"] == "dispatched"
    assert report["assignment"]["organization_id"] == flow.orgs["PHUHOI"]
    report = flow.act(
        report,
        "handler_b",
        "return",
        reason="Thuộc thẩm quyền Sở Xây dựng",
        suggested_organization_id=flow.orgs["SXD"],
    )
    assert report["state"] == "returned"
    assert report["organization_id"] is None
    assert report["assignment"]["suggested_organization_id"] == flow.orgs["SXD"]

    report = flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    report = flow.act(report, "handler_a", "acknowledge")
    assert report["state"] == "processing"
    assert report["assignment"]["ack_on_time"] is True
    report = flow.act(report, "handler_a", "submit_result", result="Đã thay bóng đèn.")
    assert report["state"] == "awaiting_approval"
    report = flow.act(report, "leader_a", "send_back", reason="Cần ảnh sau khắc phục")
    assert report["state"] == "processing"
    report = flow.act(report, "handler_a", "submit_result", result="Đã thay bóng đèn, có ảnh.")
    report = flow.act(report, "leader_a", "approve", result="Đã thay bóng đèn LED mới ngày 27/11.")
    assert report["state"] == "approved"
    assert report["result"] == "Đã thay bóng đèn, có ảnh."
    assert report["approved_result"] == "Đã thay bóng đèn LED mới ngày 27/11."
    report = flow.act(report, "ioc_editor", "publish", title="Sửa đèn đường Lê Lợi")
    assert report["state"] == "published"
    assert report["public_title"] == "Sửa đèn đường Lê Lợi"
    assert report["public_result"] == "Đã thay bóng đèn LED mới ngày 27/11."

    events = client.get(f"/api/v1/reports/{report['id']}/events", headers=personas["ioc_operator"]).json()
    actions = [e["action"] for e in events if e["kind"] == "transition"]
    assert actions == [
        "dispatch",
        "return",
        "dispatch",
        "acknowledge",
        "submit_result",
        "send_back",
        "submit_result",
        "approve",
        "publish",
    ]
    assert events[0]["kind"] == "created"

    public = client.get(f"/api/v1/public/reports/{report['code']}").json()
    assert public["title"] == "Sửa đèn đường Lê Lợi"
    assert public["organization"]["code"] == "SXD"
    tracked = client.get(f"/api/v1/track/{report['code'].lower()}").json()
    assert tracked["state"] == "published"
    assert tracked["steps"]["published_at"] is not None


def test_reporter_rates_a_published_result_once(client, personas, db):
    flow = Flow(client, personas, db)
    report = flow.submit()
    token = report["reporter_token"]
    report_id = report["id"]
    for state_persona, action, payload in [
        ("ioc_operator", "dispatch", {"organization_id": flow.orgs["SXD"]}),
        ("handler_a", "acknowledge", {}),
        ("handler_a", "submit_result", {"result": "Xong"}),
        ("leader_a", "approve", {}),
    ]:
        flow.act(report_id, state_persona, action, **payload)
    early = client.post(f"/api/v1/reports/{report_id}/rating", json={"rating": 5}, headers={"X-Reporter-Token": token})
    assert early.status_code == 409
    flow.act(report_id, "ioc_editor", "publish")
    wrong = client.post(
        f"/api/v1/reports/{report_id}/rating",
        json={"rating": 5},
        headers={"X-Reporter-Token": "not-the-token"},
    )
    assert wrong.status_code == 404
    rated = client.post(
        f"/api/v1/reports/{report_id}/rating",
        json={"rating": 4, "comment": "Nhanh"},
        headers={"X-Reporter-Token": token},
    )
    assert rated.status_code == 200, rated.text
    assert rated.json()["rating"] == 4
    again = client.post(f"/api/v1/reports/{report_id}/rating", json={"rating": 1}, headers={"X-Reporter-Token": token})
    assert again.status_code == 409
    public = client.get(f"/api/v1/public/reports/{report['code']}").json()
    assert public["rating"] == {"count": 1, "average": 4.0}
