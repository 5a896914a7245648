"""Likely duplicates for the IOC, the duplicate notice to the second reporter, and citizens' "me too"."""

from __future__ import annotations

from sqlalchemy import select

from paht.models import Job
from tests.flow import Flow

NEAR = {"lat": 16.4639, "lon": 107.5911, "address": "14 Lê Lợi, Phú Hội"}  # ~30 m from the default point
FAR = {"lat": 16.4700, "lon": 107.5990, "address": "Phú Hội, cuối phường"}  # ~1 km away


def test_nearby_recent_similar_reports_come_first_with_their_reasons(client, personas, db):
    flow = Flow(client, personas, db)
    categories = client.get("/api/v1/categories").json()
    street_light = next(c["id"] for c in categories if c["code"] == "CHIEU_SANG")
    first = flow.submit(category_id=street_light)
    flow.submit(category_id=street_light, location=FAR)  # same words, too far
    flow.submit(title="Rác tràn", description="Rác thải tràn ra vỉa hè, hôi thối.", location=NEAR)  # near, unlike
    rejected = flow.submit(category_id=street_light, location=NEAR)
    flow.act(rejected, "ioc_operator", "reject", reason="Trùng nội dung, spam")
    second = flow.submit(
        category_id=street_light,
        title="Đèn đường Lê Lợi không sáng",
        description="Đèn đường trên đường Lê Lợi bị hỏng mấy hôm nay, tối om.",
        location=NEAR,
    )
    response = client.get(f"/api/v1/reports/{second['id']}/duplicates", headers=personas["ioc_operator"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["distance_m"] == 200 and body["window_days"] == 14
    assert [item["code"] for item in body["items"]] == [first["code"]]
    match = body["items"][0]
    assert match["older"] is True
    assert 20 <= match["distance_m"] <= 40
    assert {r["code"] for r in match["reasons"]} >= {"distance", "category", "text", "time"}
    assert any(r["text"].startswith("cách ") for r in match["reasons"])


def test_only_the_ioc_sees_duplicates_and_suggestions(client, personas, db):
    flow = Flow(client, personas, db)
    report = flow.to_state("dispatched")
    for path in ("duplicates", "suggestions", "category-suggestions"):
        url = f"/api/v1/reports/{report['id']}/{path}"
        assert client.get(url).status_code == 401
        assert client.get(url, headers=personas["handler_a"]).status_code == 403  # sees it, may not use this
        assert client.get(url, headers=personas["handler_b"]).status_code == 404  # does not see it
        assert client.get(url, headers=personas["citizen_b"]).status_code == 404
        for ioc in ("ioc_operator", "ioc_editor", "admin"):
            assert client.get(url, headers=personas[ioc]).status_code == 200, (path, ioc)


def test_marking_a_duplicate_tells_the_second_reporter_the_first_code(client, personas, db):
    flow = Flow(client, personas, db)
    original = flow.submit()
    second = flow.submit(location=NEAR)
    flow.act(second, "ioc_operator", "mark_duplicate", duplicate_of_id=original["id"])
    with db.read() as session:
        notices = [
            j.payload
            for j in session.scalars(select(Job).where(Job.kind == "notify_reporter"))
            if j.payload.get("event") == "duplicate"
        ]
    assert notices == [
        {
            "report_id": second["id"],
            "event": "duplicate",
            "duplicate_of_code": original["code"],
            "event_id": notices[0]["event_id"],
        }
    ]
    track = client.get(f"/api/v1/track/{second['code']}").json()
    assert track["duplicate_of_code"] == original["code"]


def test_me_too_counts_each_citizen_and_device_once(client, personas, db):
    flow = Flow(client, personas, db)
    report = flow.to_state("processing")
    url = f"/api/v1/reports/{report['code']}/me-too"
    first = client.post(url, headers={"X-Device-Id": "device-aaaaaaaa"})
    assert first.status_code == 201 and first.json() == {"code": report["code"], "count": 1, "added": True}
    again = client.post(url, headers={"X-Device-Id": "device-aaaaaaaa"})
    assert again.status_code == 200 and again.json()["count"] == 1 and again.json()["added"] is False
    assert client.post(url, headers={"X-Device-Id": "device-bbbbbbbb"}).json()["count"] == 2
    by_id = f"/api/v1/reports/{report['id']}/me-too"
    assert client.post(by_id, headers=personas["citizen"]).json()["count"] == 3
    assert client.post(by_id, headers=personas["citizen"]).json() == {
        "code": report["code"],
        "count": 3,
        "added": False,
    }
    missing = client.post(url)
    assert missing.status_code == 400 and "X-Device-Id" in missing.json()["detail"]
    assert (
        client.post("/api/v1/reports/PA-ZZZZZZZZ/me-too", headers={"X-Device-Id": "device-cccccccc"}).status_code == 404
    )
    assert client.get(f"/api/v1/public/reports/{report['code'].lower()}/me-too").json()["count"] == 3


def test_me_too_on_a_duplicate_counts_for_the_original_and_rejected_reports_refuse(client, personas, db):
    flow = Flow(client, personas, db)
    original = flow.submit()
    duplicate = flow.submit(location=NEAR)
    flow.act(duplicate, "ioc_operator", "mark_duplicate", duplicate_of_id=original["id"])
    added = client.post(f"/api/v1/reports/{duplicate['code']}/me-too", headers={"X-Device-Id": "device-dddddddd"})
    assert added.json() == {"code": original["code"], "count": 2, "added": True}  # the duplicate + this one
    rejected = flow.to_state("rejected")
    refused = client.post(f"/api/v1/reports/{rejected['id']}/me-too", headers={"X-Device-Id": "device-dddddddd"})
    assert refused.status_code == 409
    assert client.get(f"/api/v1/public/reports/{rejected['code']}/me-too").status_code == 404
