"""Report routes: list (filters, keyset pages), detail, timeline, actions offered, rating, notifications."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from paht.clock import set_now
from paht.config import Settings
from paht.jobs.worker import run_pending
from paht.models import Category, Event, Report
from paht.reports.serialize import report_out
from tests.flow import Flow

REPORTS = "/api/v1/reports"
MONDAY_9AM = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 in Huế


@pytest.fixture
def flow(client, personas, db) -> Flow:
    return Flow(client, personas, db)


def _category(db, code: str) -> int:
    with db.read() as session:
        found = session.scalar(select(Category.id).where(Category.code == code))
    assert found is not None
    return found


def _list(client, personas, persona="ioc_operator", **params):
    response = client.get(REPORTS, params=params, headers=personas[persona])
    assert response.status_code == 200, response.text
    return response.json()


def _ids(page) -> set[str]:
    return {item["id"] for item in page["items"]}


# ---- list filters -------------------------------------------------------------------------------


def test_state_filter_is_repeatable(client, personas, flow):
    received = flow.to_state("received")
    dispatched = flow.to_state("dispatched")
    processing = flow.to_state("processing")
    assert _ids(_list(client, personas, state="received")) == {received["id"]}
    both = _list(client, personas, state=["received", "dispatched"])
    assert _ids(both) == {received["id"], dispatched["id"]}
    assert _ids(_list(client, personas)) == {received["id"], dispatched["id"], processing["id"]}
    bad = client.get(REPORTS, params={"state": "lost"}, headers=personas["ioc_operator"])
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["query", "state", "0"]


def test_organization_filter_is_the_body_holding_the_report_now(client, personas, flow):
    at_a = flow.to_state("dispatched")
    at_b = flow.act(flow.submit(), "ioc_operator", "dispatch", organization_id=flow.orgs["PHUHOI"])
    flow.to_state("received")
    assert _ids(_list(client, personas, organization_id=flow.orgs["SXD"])) == {at_a["id"]}
    assert _ids(_list(client, personas, organization_id=flow.orgs["PHUHOI"])) == {at_b["id"]}
    # handler A sees only body A's reports whatever filter it asks for
    assert _ids(_list(client, personas, "handler_a", organization_id=flow.orgs["PHUHOI"])) == set()


def test_category_and_channel_filters(client, personas, flow, db):
    lights = _category(db, "CHIEU_SANG")
    rubbish = _category(db, "RAC_THAI")
    a = flow.submit(category_id=lights)
    b = flow.submit(category_id=rubbish, channel="web")
    c = flow.submit("ioc_operator", category_id=lights, channel="hotline")
    assert _ids(_list(client, personas, category_id=lights)) == {a["id"], c["id"]}
    assert _ids(_list(client, personas, channel="web")) == {b["id"]}
    assert _ids(_list(client, personas, channel="hotline", category_id=lights)) == {c["id"]}
    assert _ids(_list(client, personas, channel="app")) == {a["id"]}
    assert client.get(REPORTS, params={"channel": "fax"}, headers=personas["ioc_operator"]).status_code == 422


def test_overdue_filter_follows_the_running_clocks(client, personas, flow):
    set_now(MONDAY_9AM)
    waiting = flow.submit()
    unacknowledged = flow.act(flow.submit(), "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    set_now(MONDAY_9AM + timedelta(days=5))
    fresh = flow.submit()
    closed = flow.act(flow.submit(), "ioc_operator", "reject", reason="Không phải phản ánh hiện trường")
    overdue = _ids(_list(client, personas, overdue="true"))
    assert overdue == {waiting["id"], unacknowledged["id"]}
    assert _ids(_list(client, personas, overdue="false")) == {fresh["id"], closed["id"]}


def test_created_from_and_to_take_offsets_and_treat_naive_times_as_utc(client, personas, flow):
    set_now(MONDAY_9AM)
    early = flow.submit()
    set_now(MONDAY_9AM + timedelta(hours=2))
    middle = flow.submit()
    set_now(MONDAY_9AM + timedelta(hours=4))
    late = flow.submit()
    window = {"created_from": "2026-03-02T03:00:00Z", "created_to": "2026-03-02T05:00:00Z"}
    assert _ids(_list(client, personas, **window)) == {middle["id"]}
    local = {"created_from": "2026-03-02T10:00:00+07:00", "created_to": "2026-03-02T12:00:00+07:00"}
    assert _ids(_list(client, personas, **local)) == {middle["id"]}
    naive = {"created_from": "2026-03-02T03:00:00", "created_to": "2026-03-02T05:00:00"}
    assert _ids(_list(client, personas, **naive)) == {middle["id"]}
    assert _ids(_list(client, personas, created_from="2026-03-02T04:00:00Z")) == {middle["id"], late["id"]}
    assert _ids(_list(client, personas, created_to="2026-03-02T04:00:00Z")) == {early["id"]}  # the end is exclusive
    bad = client.get(REPORTS, params={"created_from": "yesterday"}, headers=personas["ioc_operator"])
    assert bad.status_code == 422


def test_the_list_needs_a_token_and_never_carries_reporter_contact(client, personas, flow):
    flow.submit()
    assert client.get(REPORTS).status_code == 401
    page = _list(client, personas)
    assert page["items"][0].get("reporter") is None
    assert "Planted" not in json.dumps(page)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_list_item_is_the_report_as_report_out_shows_it_without_detail(client, personas, flow, db, lang):
    """The list writes its items from the listed columns (paht.reports.listing); they must stay ReportOut."""
    flow.submit(location={"lat": 16.46, "lon": 107.59})
    flow.submit(location=None)
    for state in ("dispatched", "processing", "published", "duplicate"):  # duplicate: one more report
        flow.to_state(state)
    newest = _list(client, personas, lang=lang)
    ranked = _list(client, personas, lang=lang, q="đèn đường", sort="relevance")  # loads whole reports instead
    for page in (newest, ranked):
        assert len(page["items"]) == 7
        with db.read() as session:
            shown = [session.get(Report, uuid.UUID(item["id"])) for item in page["items"]]
            expected = [report_out(session, r, with_contact=False, detail=False, lang=lang) for r in shown]
        assert page["items"] == [e.model_dump(mode="json") for e in expected]
    locations = [item["location"] for item in newest["items"]]
    assert None in locations and {"lat": 16.46, "lon": 107.59, "address": None} in locations


# ---- keyset pagination --------------------------------------------------------------------------


def _walk(client, personas, limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        page = _list(client, personas, **params)
        pages.append([item["id"] for item in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages


def test_keyset_pages_cover_every_report_once_newest_first_even_with_equal_times(client, personas, flow):
    created: list[dict] = []
    for offset in (0, 0, 0, 1, 1, 120, 120, 120):  # ties on created_at are broken by id
        set_now(MONDAY_9AM + timedelta(seconds=offset))
        created.append(flow.submit())
    pages = _walk(client, personas, limit=3)
    assert [len(p) for p in pages] == [3, 3, 2]
    flat = [report_id for page in pages for report_id in page]
    expected = sorted(created, key=lambda r: (r["created_at"], uuid.UUID(r["id"])), reverse=True)
    assert flat == [r["id"] for r in expected]


def test_a_report_arriving_between_pages_causes_no_duplicate_or_gap(client, personas, flow):
    set_now(MONDAY_9AM)
    older = [flow.submit()["id"] for _ in range(5)]
    first = _list(client, personas, limit=2)
    set_now(MONDAY_9AM + timedelta(minutes=5))
    newcomer = flow.submit()["id"]
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = _list(client, personas, limit=2, cursor=cursor)
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert sorted(seen) == sorted(older)
    assert newcomer not in seen


def test_exactly_one_full_page_has_no_next_cursor(client, personas, flow):
    for _ in range(2):
        flow.submit()
    assert _list(client, personas, limit=2)["next_cursor"] is None


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "bm90LWpzb24",  # "not-json"
        _b64([1, 2, 3]),
        _b64(["not a time", "not an id"]),
        _b64(["2026-03-02T02:00:00+00:00", "not-an-id"]),
        _b64({"created_at": "2026-03-02T02:00:00+00:00"}),
        _b64(42),
    ],
)
def test_a_bad_cursor_gets_422(client, personas, flow, cursor):
    flow.submit()
    response = client.get(REPORTS, params={"cursor": cursor}, headers=personas["ioc_operator"])
    assert response.status_code == 422, response.text
    assert "cursor" in response.json()["detail"]


@pytest.mark.parametrize("limit", [0, -1, 201, "many"])
def test_the_page_size_is_bounded(client, personas, limit):
    assert client.get(REPORTS, params={"limit": limit}, headers=personas["ioc_operator"]).status_code == 422


# ---- one report ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "/events", "/actions"])
def test_a_malformed_id_gets_422_and_an_unknown_id_404(client, personas, suffix):
    malformed = client.get(f"{REPORTS}/not-a-uuid{suffix}", headers=personas["ioc_operator"])
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["loc"] == ["path", "report_id"]
    unknown = client.get(f"{REPORTS}/{uuid.uuid4()}{suffix}", headers=personas["ioc_operator"])
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"


def test_detail_shows_the_assignment_and_the_running_clock(client, personas, flow):
    set_now(MONDAY_9AM)
    report = flow.to_state("dispatched")
    detail = client.get(f"{REPORTS}/{report['id']}", headers=personas["handler_a"]).json()
    assert detail["state"] == "dispatched"
    assert detail["state_label"] == "Đã chuyển xử lý"
    assert detail["assignment"]["organization_id"] == flow.orgs["SXD"]
    assert detail["clock"]["stage"] == "acknowledge"
    assert detail["clock"]["due_at"] == "2026-03-02T02:30:00Z"
    assert detail["reporter"] is None
    english = client.get(f"{REPORTS}/{report['id']}", params={"lang": "en"}, headers=personas["handler_a"]).json()
    assert english["state_label"] == "Dispatched"


def test_events_are_the_timeline_in_order(client, personas, flow):
    report = flow.to_state("processing")
    events = client.get(f"{REPORTS}/{report['id']}/events", headers=personas["handler_a"]).json()
    assert [(e["kind"], e["action"], e["from_state"], e["to_state"]) for e in events] == [
        ("created", None, None, "received"),
        ("transition", "dispatch", "received", "dispatched"),
        ("transition", "acknowledge", "dispatched", "processing"),
    ]
    assert events[1]["actor_role"] == "ioc_operator"
    assert events[1]["payload"]["organization_id"] == flow.orgs["SXD"]
    assert events[2]["organization_id"] == flow.orgs["SXD"]
    assert client.get(f"{REPORTS}/{report['id']}/events", headers=personas["handler_b"]).status_code == 404
    assert client.get(f"{REPORTS}/{report['id']}/events").status_code == 401


# ---- the actions offered ------------------------------------------------------------------------

OFFERED = {
    # state → persona → the actions the caller may take now (None: the report is invisible → 404)
    "received": {
        "ioc_operator": ["dispatch", "reject", "mark_duplicate"],
        "ioc_editor": [],
        "admin": [],
        "handler_a": None,
        "citizen_b": None,
    },
    "dispatched": {
        "ioc_operator": ["dispatch"],
        "handler_a": ["acknowledge", "return"],
        "leader_a": [],
        "handler_b": None,
        "ioc_editor": [],
    },
    "processing": {"handler_a": ["return", "submit_result"], "leader_a": [], "ioc_operator": []},
    "awaiting_approval": {"leader_a": ["approve", "send_back"], "handler_a": [], "leader_b": None},
    "approved": {"ioc_editor": ["send_back", "publish"], "leader_a": [], "ioc_operator": []},
    "published": {"ioc_operator": ["reopen"], "ioc_editor": [], "handler_a": []},
    "returned": {"ioc_operator": ["dispatch", "reject", "mark_duplicate"], "handler_a": [], "handler_b": None},
    "rejected": {"ioc_operator": [], "admin": []},
}


@pytest.mark.parametrize("state", list(OFFERED))
def test_actions_lists_exactly_what_the_caller_may_do_now(client, personas, flow, state):
    report = flow.to_state(state)
    for persona, expected in OFFERED[state].items():
        response = client.get(f"{REPORTS}/{report['id']}/actions", headers=personas[persona])
        if expected is None:
            assert response.status_code == 404, (state, persona)
            continue
        assert response.status_code == 200, (state, persona, response.text)
        assert [a["action"] for a in response.json()] == expected, (state, persona)


def test_each_action_offered_says_what_it_requires(client, personas, flow):
    report = flow.to_state("dispatched")
    offered = {
        a["action"]: a for a in client.get(f"{REPORTS}/{report['id']}/actions", headers=personas["handler_a"]).json()
    }
    assert offered["return"]["requires"] == ["reason", "suggested_organization_id"]
    assert offered["return"]["label"] == "Trả lại IOC"
    assert offered["acknowledge"]["requires"] == []
    assert offered["acknowledge"]["label_en"] == "Acknowledge"


def test_the_reporter_citizen_may_read_but_is_offered_no_action(client, personas, flow):
    report = flow.to_state("dispatched", persona="citizen")
    assert client.get(f"{REPORTS}/{report['id']}/actions", headers=personas["citizen"]).json() == []
    assert client.get(f"{REPORTS}/{report['id']}/actions", headers=personas["citizen_b"]).status_code == 404


# ---- rating -------------------------------------------------------------------------------------

HAPPY_PATH = [
    ("dispatched", "ioc_operator", "dispatch", {"organization_id": "SXD"}),
    ("processing", "handler_a", "acknowledge", {}),
    ("awaiting_approval", "handler_a", "submit_result", {"result": "Đã thay bóng đèn."}),
    ("approved", "leader_a", "approve", {}),
    ("published", "ioc_editor", "publish", {}),
]


def _submitted_to(flow: Flow, state: str, persona: str = "anonymous") -> tuple[dict, str]:
    """A new report driven to `state`, with the reporter token its submission returned."""
    report = flow.submit(persona)
    token = report["reporter_token"]
    if state == "rejected":
        return flow.act(report, "ioc_operator", "reject", reason="Không đủ thông tin"), token
    for target, actor, action, payload in HAPPY_PATH:
        if report["state"] == state:
            break
        payload = {k: flow.orgs[v] if k == "organization_id" else v for k, v in payload.items()}
        report = flow.act(report, actor, action, **payload)
        assert report["state"] == target
    return report, token


def _rate(client, report_id, body, headers=None):
    return client.post(f"{REPORTS}/{report_id}/rating", json=body, headers=headers or {})


def test_a_signed_in_reporter_rates_without_the_token(client, personas, flow, db):
    report, _ = _submitted_to(flow, "published", persona="citizen")
    rated = _rate(client, report["id"], {"rating": 5, "comment": "Cảm ơn\x00 IOC"}, personas["citizen"])
    assert rated.status_code == 200, rated.text
    assert rated.json()["rating"] == 5
    with db.read() as session:
        events = session.scalars(select(Event).where(Event.report_id == uuid.UUID(report["id"]), Event.kind == "rated"))
        assert [e.payload for e in events] == [{"rating": 5}]
    assert _rate(client, report["id"], {"rating": 1}, personas["citizen"]).status_code == 409


def test_only_the_reporter_may_rate(client, personas, flow):
    report, token = _submitted_to(flow, "published", persona="citizen")
    assert _rate(client, report["id"], {"rating": 1}).status_code == 404  # anonymous, no token
    assert _rate(client, report["id"], {"rating": 1}, personas["citizen_b"]).status_code == 404
    assert _rate(client, report["id"], {"rating": 1}, personas["ioc_operator"]).status_code == 403
    assert _rate(client, report["id"], {"rating": 1}, personas["handler_a"]).status_code == 403
    other_token = flow.submit()["reporter_token"]
    assert _rate(client, report["id"], {"rating": 1}, {"X-Reporter-Token": other_token}).status_code == 404
    assert _rate(client, uuid.uuid4(), {"rating": 1}, {"X-Reporter-Token": token}).status_code == 404
    assert _rate(client, report["id"], {"rating": 4}, {"X-Reporter-Token": token}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": "five"},
        {"rating": 4.5},
        {},
        {"rating": 4, "stars": 4},
        {"rating": 4, "comment": "x" * 2001},
    ],
)
def test_a_rating_must_be_1_to_5_with_an_optional_comment(client, flow, body):
    report, token = _submitted_to(flow, "published")
    response = _rate(client, report["id"], body, {"X-Reporter-Token": token})
    assert response.status_code == 422, response.text
    assert _rate(client, report["id"], {"rating": 3}, {"X-Reporter-Token": token}).status_code == 200


@pytest.mark.parametrize("state", ["received", "processing", "approved", "rejected"])
def test_only_a_published_result_can_be_rated(client, flow, state):
    report, token = _submitted_to(flow, state)
    response = _rate(client, report["id"], {"rating": 3}, {"X-Reporter-Token": token})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_a_reopened_result_cannot_be_rated_until_published_again(client, flow):
    report, token = _submitted_to(flow, "published")
    flow.act(report, "ioc_operator", "reopen", reason="Người dân chưa hài lòng")
    assert _rate(client, report["id"], {"rating": 2}, {"X-Reporter-Token": token}).status_code == 409


# ---- notifications ------------------------------------------------------------------------------


def _notifications(client, personas, persona, **params):
    response = client.get("/api/v1/notifications", params=params, headers=personas[persona])
    assert response.status_code == 200, response.text
    return response.json()


def test_staff_see_their_notifications_and_mark_them_read(client, personas, flow, db, settings: Settings):
    report = flow.to_state("dispatched")
    run_pending(db, settings)
    mine = _notifications(client, personas, "handler_a")
    assert [(n["kind"], n["report_code"]) for n in mine] == [("dispatched", report["code"])]
    assert mine[0]["read_at"] is None
    assert "30 phút" in mine[0]["message"]
    assert _notifications(client, personas, "handler_b") == []

    notification_id = mine[0]["id"]
    set_now(MONDAY_9AM)
    assert (
        client.post(f"/api/v1/notifications/{notification_id}/read", headers=personas["handler_a"]).status_code == 204
    )
    set_now(MONDAY_9AM + timedelta(hours=1))
    assert (
        client.post(f"/api/v1/notifications/{notification_id}/read", headers=personas["handler_a"]).status_code == 204
    )
    assert _notifications(client, personas, "handler_a", unread="true") == []
    assert _notifications(client, personas, "handler_a")[0]["read_at"] == "2026-03-02T02:00:00Z"


def test_a_notification_of_someone_else_cannot_be_marked(client, personas, flow, db, settings: Settings):
    flow.to_state("dispatched")
    run_pending(db, settings)
    notification_id = _notifications(client, personas, "handler_a")[0]["id"]
    assert (
        client.post(f"/api/v1/notifications/{notification_id}/read", headers=personas["handler_b"]).status_code == 404
    )
    assert client.post(f"/api/v1/notifications/{notification_id}/read").status_code == 401
    assert client.post("/api/v1/notifications/999999/read", headers=personas["handler_a"]).status_code == 404
    assert client.post("/api/v1/notifications/abc/read", headers=personas["handler_a"]).status_code == 422
    assert _notifications(client, personas, "handler_a", unread="true")[0]["id"] == notification_id


def test_notifications_are_newest_first_and_limited(client, personas, flow, db, settings: Settings):
    for _ in range(3):
        flow.to_state("dispatched")
    run_pending(db, settings)
    everything = _notifications(client, personas, "handler_a")
    assert len(everything) == 3
    assert [n["id"] for n in everything] == sorted((n["id"] for n in everything), reverse=True)
    assert len(_notifications(client, personas, "handler_a", limit=2)) == 2
    assert client.get("/api/v1/notifications", params={"limit": 0}, headers=personas["handler_a"]).status_code == 422
    assert client.get("/api/v1/notifications").status_code == 401
