"""The public API: published results, tracking by code, and the directory lists — no login, no personal data."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from paht.clock import set_now
from paht.models import Category, Organization, Report
from tests.flow import Flow

PUBLIC = "/api/v1/public/reports"
MONDAY_9AM = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
BODY_PERSONAS = {"SXD": ("handler_a", "leader_a"), "PHUHOI": ("handler_b", "leader_b")}


@pytest.fixture
def flow(client, personas, db) -> Flow:
    return Flow(client, personas, db)


def _category(db, code: str) -> int:
    with db.read() as session:
        found = session.scalar(select(Category.id).where(Category.code == code))
    assert found is not None
    return found


def _publish(flow: Flow, body: str = "SXD", *, at: datetime | None = None, **overrides) -> dict:
    """Submit, drive through the five steps at `body` and publish at `at`."""
    handler, leader = BODY_PERSONAS[body]
    report = flow.submit(**overrides)
    report = flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs[body])
    report = flow.act(report, handler, "acknowledge")
    report = flow.act(report, handler, "submit_result", result="Đã khắc phục xong.")
    report = flow.act(report, leader, "approve")
    if at is not None:
        set_now(at)
    return flow.act(report, "ioc_editor", "publish", title=f"Kết quả {report['code']}")


def _codes(page) -> set[str]:
    return {item["code"] for item in page["items"]}


def _public(client, **params):
    response = client.get(PUBLIC, params=params)
    assert response.status_code == 200, response.text
    return response.json()


# ---- published reports --------------------------------------------------------------------------


def test_only_published_reports_are_listed_with_their_public_text(client, flow):
    published = _publish(flow)
    for state in ("received", "processing", "approved", "rejected"):
        flow.to_state(state)
    page = _public(client)
    assert _codes(page) == {published["code"]}
    item = page["items"][0]
    assert item["title"] == f"Kết quả {published['code']}"
    assert item["result"] == "Đã khắc phục xong."
    assert item["organization"]["code"] == "SXD"
    assert item["steps"]["published_at"] is not None
    assert item["rating"] == {"count": 0, "average": None}
    assert (item["lat"], item["lon"]) == (16.464, 107.591)  # coarse: three decimals
    assert not {"reporter", "id", "address", "version"} & set(item)


def test_public_list_filters_by_category_and_body(client, flow, db):
    lights, rubbish = _category(db, "CHIEU_SANG"), _category(db, "RAC_THAI")
    a = _publish(flow, "SXD", category_id=lights)
    b = _publish(flow, "PHUHOI", category_id=lights)
    c = _publish(flow, "PHUHOI", category_id=rubbish)
    assert _codes(_public(client, category_id=lights)) == {a["code"], b["code"]}
    assert _codes(_public(client, organization_id=flow.orgs["PHUHOI"])) == {b["code"], c["code"]}
    assert _codes(_public(client, organization_id=flow.orgs["PHUHOI"], category_id=rubbish)) == {c["code"]}
    assert _codes(_public(client, organization_id=flow.orgs["HEPCO"])) == set()
    english = _public(client, category_id=rubbish, lang="en")["items"][0]
    assert english["category"]["name"] == "Rubbish and street cleaning"
    assert english["organization"]["name"] == "Phú Hội Ward People's Committee"


def test_public_list_filters_by_publication_time(client, flow):
    first = _publish(flow, at=MONDAY_9AM)
    second = _publish(flow, at=MONDAY_9AM + timedelta(days=1))
    third = _publish(flow, at=MONDAY_9AM + timedelta(days=2))
    day_two = {"published_from": "2026-03-03T00:00:00Z", "published_to": "2026-03-04T00:00:00Z"}
    assert _codes(_public(client, **day_two)) == {second["code"]}
    assert _codes(_public(client, published_from="2026-03-03T09:00:00+07:00")) == {second["code"], third["code"]}
    assert _codes(_public(client, published_to="2026-03-03T02:00:00Z")) == {first["code"]}  # the end is exclusive
    assert client.get(PUBLIC, params={"published_from": "last week"}).status_code == 422


def test_public_pages_are_newest_first_without_duplicates_or_gaps(client, flow):
    codes = []
    for offset in (0, 0, 60, 60, 120):  # equal publication times are ordered by id
        codes.append(_publish(flow, at=MONDAY_9AM + timedelta(seconds=offset))["code"])
    seen, cursor, pages = [], None, 0
    while True:
        page = _public(client, limit=2, **({"cursor": cursor} if cursor else {}))
        pages += 1
        seen += [item["code"] for item in page["items"]]
        published = [item["steps"]["published_at"] for item in page["items"]]
        assert published == sorted(published, reverse=True)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(codes)
    assert len(seen) == len(set(seen))


def test_every_page_size_shows_each_report_as_its_own_page_does(client, flow, db):
    """A page's documents come from one statement kept per number of reports: each item is the document read
    by its code (its own category, body and steps), whichever size of page it came in."""
    lights, rubbish = _category(db, "CHIEU_SANG"), _category(db, "RAC_THAI")
    for offset, (body, category) in enumerate([("SXD", lights), ("PHUHOI", rubbish), ("PHUHOI", lights)]):
        _publish(flow, body, at=MONDAY_9AM + timedelta(minutes=offset), category_id=category)
    by_code = {}
    for limit in (1, 2, 3):
        items = _public(client, limit=limit)["items"]
        assert len(items) == limit
        for item in items:
            by_code.setdefault(item["code"], client.get(f"{PUBLIC}/{item['code']}").json())
            assert item == by_code[item["code"]]
    assert len({(d["category"]["code"], d["organization"]["code"]) for d in by_code.values()}) == 3


@pytest.mark.parametrize("params", [{"cursor": "garbage!"}, {"cursor": "WzEsMl0"}, {"limit": 0}, {"limit": 201}])
def test_bad_public_paging_gets_422(client, params):
    assert client.get(PUBLIC, params=params).status_code == 422


def test_a_published_report_is_read_by_its_code_however_it_is_typed(client, flow):
    published = _publish(flow)
    code = published["code"]
    for typed in (code, code.lower(), code.replace("-", ""), f" {code[:2]} {code[3:7]} {code[7:]} ".lower()):
        response = client.get(f"{PUBLIC}/{typed}")
        assert response.status_code == 200, typed
        assert response.json()["code"] == code


@pytest.mark.parametrize(
    "state", ["received", "dispatched", "processing", "returned", "awaiting_approval", "approved", "rejected"]
)
def test_a_report_not_published_is_not_found_publicly(client, flow, state):
    report = flow.to_state(state)
    response = client.get(f"{PUBLIC}/{report['code']}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_reopened_report_leaves_the_public_list(client, flow):
    published = _publish(flow)
    flow.act(published, "ioc_operator", "reopen", reason="Người dân báo chưa khắc phục")
    assert client.get(f"{PUBLIC}/{published['code']}").status_code == 404
    assert _codes(_public(client)) == set()


@pytest.mark.parametrize("code", ["PA-00000000", "nonsense", "PA-ÀÁÂÃ1234", "x" * 300])
def test_an_unknown_or_impossible_code_is_not_found(client, code):
    assert client.get(f"{PUBLIC}/{code}").status_code == 404
    assert client.get(f"/api/v1/track/{code}").status_code == 404


# ---- tracking -----------------------------------------------------------------------------------

TRACKED = {
    # state → (label, body holding it, a step time that must be set)
    "received": ("Mới tiếp nhận", None, "received_at"),
    "dispatched": ("Đã chuyển xử lý", "SXD", "dispatched_at"),
    "processing": ("Đang xử lý", "SXD", "acknowledged_at"),
    "returned": ("Trả lại IOC", None, "dispatched_at"),
    "awaiting_approval": ("Chờ phê duyệt", "SXD", "result_submitted_at"),
    "approved": ("Đã phê duyệt", "SXD", "approved_at"),
    "published": ("Đã công khai", "SXD", "published_at"),
    "rejected": ("Không tiếp nhận", None, "closed_at"),
    "duplicate": ("Trùng lặp", None, "closed_at"),
}


@pytest.mark.parametrize("state", list(TRACKED))
def test_track_shows_progress_in_every_state_without_personal_data(client, flow, state):
    report = flow.to_state(state)
    response = client.get(f"/api/v1/track/{report['code']}")
    assert response.status_code == 200
    tracked = response.json()
    label, body, step = TRACKED[state]
    assert tracked["state"] == state
    assert tracked["state_label"] == label
    assert (tracked["organization"] or {}).get("code") == body
    assert tracked["steps"][step] is not None
    assert tracked["close_reason"] == ("Không đủ thông tin" if state == "rejected" else None)
    assert (tracked["duplicate_of_code"] is not None) == (state == "duplicate")
    assert (tracked["public_result"] is not None) == (state == "published")
    text = response.text
    for private in ("Planted", "905111222", "planted@example.vn", "12 Lê Lợi", "Đèn đường trên đường Lê Lợi"):
        assert private not in text


def test_track_tells_a_duplicate_which_report_to_follow(client, flow):
    original = flow.submit()
    duplicate = flow.act(flow.submit(), "ioc_operator", "mark_duplicate", duplicate_of_id=original["id"])
    assert client.get(f"/api/v1/track/{duplicate['code']}").json()["duplicate_of_code"] == original["code"]


def test_track_accepts_sloppy_input(client, flow, db):
    report = flow.submit()
    with db.write() as session:
        session.execute(update(Report).where(Report.id == uuid.UUID(report["id"])).values(code="PA-7K3M9Q10"))
    for typed in ("pa 7k3m 9q10", "PA7K3M9Q10", "pa-7k3m-9qlo", " Pa 7K3M 9QIO ", "pa%097k3m9q10"):
        response = client.get(f"/api/v1/track/{typed}")
        assert response.status_code == 200, typed
        assert response.json()["code"] == "PA-7K3M9Q10"
    assert client.get("/api/v1/track/pa 7k3m 9q1").status_code == 404


def test_track_speaks_english_on_request(client, flow):
    report = flow.to_state("dispatched")
    tracked = client.get(f"/api/v1/track/{report['code']}", headers={"Accept-Language": "en-GB,en;q=0.8"}).json()
    assert tracked["state_label"] == "Dispatched"
    assert tracked["organization"]["name"] == "Department of Construction"


# ---- the directory ------------------------------------------------------------------------------


def test_organizations_are_listed_as_a_tree_without_login(client, db):
    response = client.get("/api/v1/organizations")
    assert response.status_code == 200
    rows = {o["code"]: o for o in response.json()}
    assert len(rows) == 20
    assert rows["PHUHOI"]["parent_id"] == rows["UBNDTP"]["id"]
    assert rows["PHUHOI"]["kind"] == "commune"
    assert rows["IOC"]["kind"] == "ioc"
    assert rows["SXD"]["name"] == "Sở Xây dựng"
    assert rows["SXD"]["name_en"] == "Department of Construction"
    assert list(rows) == sorted(rows)
    with db.write() as session:
        session.execute(update(Organization).where(Organization.code == "BHXH").values(active=False))
    assert "BHXH" not in {o["code"] for o in client.get("/api/v1/organizations").json()}


def test_categories_are_listed_with_their_default_body_and_deadline(client, db):
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    rows = {c["code"]: c for c in response.json()}
    assert len(rows) == 15
    orgs = {o["code"]: o["id"] for o in client.get("/api/v1/organizations").json()}
    flooding = rows["NGAP_UNG"]
    assert flooding["name"] == "Ngập úng, thoát nước"
    assert flooding["name_en"] == "Flooding and drainage"
    assert flooding["default_organization_id"] == orgs["SXD"]
    assert flooding["urgent_by_default"] is True
    assert flooding["resolve_working_days"] == 2
    assert rows["KHAC"]["default_organization_id"] is None
    with db.write() as session:
        session.execute(update(Category).where(Category.code == "KHAC").values(active=False))
    assert "KHAC" not in {c["code"] for c in client.get("/api/v1/categories").json()}
