"""Who sees which reports (lists and details), who may act on what they see, and who sees who reported."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from paht.models import User
from tests.api.test_permissions import ACTIONS, BODY_B, World, by_persona, check_actions, parse_table
from tests.api.test_public_privacy import CONTACT, NAME, SUBMISSION, crawl, find_leaks, readable
from tests.factories import PERSONAS as USERNAMES

# a:         the citizen's report, handled by body A (SXD)
# b:         citizen B's report, handled by body B (PHUHOI)
# moved:     dispatched to body B, returned by it, re-dispatched to body A
# new:       received, not yet dispatched
# sibling:   handled by VINHNINH, body B's sibling under UBNDTP
# elsewhere: handled by HEPCO
VISIBILITY = """
report     anon cit  citB hA   lA   hB   lB   plB  vpB  op   ed   adm
a          401  200  404  200  200  404  404  404  404  200  200  200
b          401  404  200  404  404  200  200  200  200  200  200  200
moved      401  404  404  200  200  200  200  200  200  200  200  200
new        401  404  404  404  404  404  404  404  404  200  200  200
sibling    401  404  404  404  404  404  404  200  200  200  200  200
elsewhere  401  404  404  404  404  404  404  404  404  200  200  200
"""

CITIZEN_B_CONTACT = {
    "name": ["Trần Thị Bê"],
    "phone": ["+84905000002", "0905000002"],
    "email": ["citizen.b@example.vn"],
}
OUTSIDE_THE_IOC = ["handler_a", "leader_a", "handler_b", "leader_b", "parent_leader_b", "viewer_parent_b"]


def city(world: World) -> dict[str, dict[str, Any]]:
    flow, orgs = world.flow, world.flow.orgs
    # Handling bodies read the description, so here it holds no contact details of its own.
    planted = SUBMISSION | {"description": "Cống thoát nước trước nhà bị tắc ba ngày nay."}
    moved = flow.act(flow.submit(**planted), "ioc_operator", "dispatch", organization_id=orgs["PHUHOI"])
    moved = flow.act(moved, "handler_b", "return", reason="Thuộc Sở Xây dựng", suggested_organization_id=orgs["SXD"])
    return {
        "a": world.report("processing", by="citizen", submission=planted),
        "b": world.report("processing", BODY_B, by="citizen_b", submission={"reporter": None}),
        "moved": flow.act(moved, "ioc_operator", "dispatch", organization_id=orgs["SXD"]),
        "new": flow.submit(**planted),
        "sibling": flow.act(flow.submit(**planted), "ioc_operator", "dispatch", organization_id=orgs["VINHNINH"]),
        "elsewhere": flow.act(flow.submit(**planted), "ioc_operator", "dispatch", organization_id=orgs["HEPCO"]),
    }


def expected_visibility() -> dict[str, dict[str, int]]:
    columns, rows = parse_table(VISIBILITY, keys=1)
    return {name: by_persona(columns, statuses) for (name,), statuses in rows.items()}


def listed(world: World, persona: str, **filters: Any) -> set[str]:
    """Every id the list returns, page by page (two per page, so the cursor is exercised)."""
    ids: set[str] = set()
    params: dict[str, Any] = {"limit": 2, **filters}
    while True:
        page = world.client.get("/api/v1/reports", params=params, headers=world.headers(persona))
        assert page.status_code == 200, page.text
        ids |= {item["id"] for item in page.json()["items"]}
        if not page.json()["next_cursor"]:
            return ids
        params["cursor"] = page.json()["next_cursor"]


def test_each_persona_lists_exactly_the_reports_it_may_see(client, personas, db):
    world = World(client, personas, db)
    reports, expected = city(world), expected_visibility()
    assert client.get("/api/v1/reports").status_code == 401
    for persona in expected["a"]:
        if persona == "anonymous":
            continue
        visible = {reports[name]["id"] for name, by in expected.items() if by[persona] == 200}
        assert listed(world, persona) == visible, persona


def test_each_persona_reads_a_report_and_its_timeline_only_when_it_may_see_it(client, personas, db):
    world = World(client, personas, db)
    reports, wrong = city(world), []
    for name, statuses in expected_visibility().items():
        for persona, status in statuses.items():
            for suffix in ("", "/events", "/actions", "/attachments"):
                got = client.get(f"/api/v1/reports/{reports[name]['id']}{suffix}", headers=personas[persona])
                if got.status_code != status:
                    wrong.append(f"{name} {suffix or 'detail'} as {persona}: expected {status}, got {got.status_code}")
    assert not wrong, "\n" + "\n".join(wrong)


def test_a_report_returned_by_body_b_and_redispatched_to_body_a_stays_visible_to_both(client, personas, db):
    world = World(client, personas, db)
    moved = city(world)["moved"]
    sxd = world.flow.orgs["SXD"]
    for persona in ("handler_b", "leader_b", "handler_a", "leader_a"):
        detail = client.get(f"/api/v1/reports/{moved['id']}", headers=personas[persona]).json()
        assert (detail["state"], detail["organization_id"]) == ("dispatched", sxd), persona
    # Body B keeps reading it, filters included, but no longer acts on it; body A does.
    assert listed(world, "handler_b", organization_id=sxd) == {moved["id"]}
    events = client.get(f"/api/v1/reports/{moved['id']}/events", headers=personas["handler_b"]).json()
    assert [e["action"] for e in events if e["kind"] == "transition"] == ["dispatch", "return", "dispatch"]
    assert world.flow.act(moved, "handler_b", "acknowledge", expect=403)["code"] == "forbidden"
    world.flow.act(moved, "handler_a", "acknowledge")
    world.flow.act(moved, "handler_a", "submit_result", result="Đã xử lý.")
    assert client.get(f"/api/v1/reports/{moved['id']}", headers=personas["leader_b"]).status_code == 200


# Body B's oversight: its parent's leader and viewer read its reports but never act on them.
# Columns are the actions: dispatch, acknowledge, return, submit_result, approve, send_back, publish, reject,
# mark_duplicate, reopen. The citizen, body A's staff (404) and citizen B (403) are checked alongside.
BODY_B_GRIDS = {
    "handler_b": """
        state              disp ack  ret  subm appr back publ rej  dup  reop  rel
        dispatched         403  200  200  409  403  403  403  403  403  403  403
        processing         403  409  200  200  403  403  403  403  403  403  403
        returned           403  409  409  409  403  403  403  403  403  403  403
        awaiting_approval  403  409  409  409  403  403  403  403  403  403  403
        approved           403  409  409  409  403  403  403  403  403  403  403
        published          403  409  409  409  403  403  403  403  403  403  403
        rejected           403  409  409  409  403  403  403  403  403  403  403
        duplicate          403  409  409  409  403  403  403  403  403  403  403
    """,
    "leader_b": """
        state              disp ack  ret  subm appr back publ rej  dup  reop  rel
        dispatched         403  403  403  403  409  409  403  403  403  403  403
        processing         403  403  403  403  409  409  403  403  403  403  403
        returned           403  403  403  403  409  409  403  403  403  403  403
        awaiting_approval  403  403  403  403  200  200  403  403  403  403  403
        approved           403  403  403  403  409  409  403  403  403  403  403
        published          403  403  403  403  409  409  403  403  403  403  403
        rejected           403  403  403  403  409  409  403  403  403  403  403
        duplicate          403  403  403  403  409  409  403  403  403  403  403
    """,
    "parent_leader_b": """
        state              disp ack  ret  subm appr back publ rej  dup  reop  rel
        dispatched         403  403  403  403  409  409  403  403  403  403  403
        processing         403  403  403  403  409  409  403  403  403  403  403
        returned           403  403  403  403  409  409  403  403  403  403  403
        awaiting_approval  403  403  403  403  403  403  403  403  403  403  403
        approved           403  403  403  403  409  409  403  403  403  403  403
        published          403  403  403  403  409  409  403  403  403  403  403
        rejected           403  403  403  403  409  409  403  403  403  403  403
        duplicate          403  403  403  403  409  409  403  403  403  403  403
    """,
    "viewer_parent_b": """
        state              disp ack  ret  subm appr back publ rej  dup  reop  rel
        dispatched         403  403  403  403  403  403  403  403  403  403  403
        processing         403  403  403  403  403  403  403  403  403  403  403
        returned           403  403  403  403  403  403  403  403  403  403  403
        awaiting_approval  403  403  403  403  403  403  403  403  403  403  403
        approved           403  403  403  403  403  403  403  403  403  403  403
        published          403  403  403  403  403  403  403  403  403  403  403
        rejected           403  403  403  403  403  403  403  403  403  403  403
        duplicate          403  403  403  403  403  403  403  403  403  403  403
    """,
}
OUTSIDERS_OF_B = {"citizen": 404, "handler_a": 404, "leader_a": 404, "citizen_b": 403}


@pytest.mark.parametrize("state", [line.split()[0] for line in BODY_B_GRIDS["handler_b"].strip().splitlines()[1:]])
def test_body_b_reports_are_read_only_for_its_parent_and_invisible_to_body_a(state, client, personas, db):
    expected: dict[str, dict[str, int]] = {action: dict.fromkeys(OUTSIDERS_OF_B) for action in ACTIONS}
    for persona, grid in BODY_B_GRIDS.items():
        _, rows = parse_table(grid, keys=1)
        for action, status in zip(ACTIONS, rows[(state,)], strict=True):
            expected[action][persona] = status
    for action in ACTIONS:
        expected[action] |= OUTSIDERS_OF_B
    wrong = check_actions(World(client, personas, db), state, BODY_B, expected)
    assert not wrong, "\n" + "\n".join(wrong)


# ---------------------------------------------------------------------------------------------------------------
# Reporter contact details: only the IOC sees them, and every such read is in the report's timeline.
# ---------------------------------------------------------------------------------------------------------------


def everything_seen_by(app: Any, world: World, persona: str, reports: dict[str, dict[str, Any]]) -> list[Any]:
    """Every GET of the JSON API, on every report of the city, as `persona`."""
    values = {
        "report_id": [r["id"] for r in reports.values()],
        "code": [r["code"] for r in reports.values()],
        "fmt": ["csv", "xlsx"],
        "attachment_id": [],
        "rule_id": ["1"],
    }
    # One language: who may read a contact does not depend on the language of the answer, and the public
    # crawl (test_public_privacy) already reads every page in both.
    return list(crawl(app, values, headers=world.headers(persona), under="/api/", english=False).values())


def test_contact_details_reach_no_one_outside_the_ioc(client, personas, db, app):
    world = World(client, personas, db)
    reports = city(world)
    leaks = []
    for persona in [*OUTSIDE_THE_IOC, "citizen_b"]:
        # Citizen B may see her own details on her own report; no one else's.
        groups = CONTACT if persona == "citizen_b" else CONTACT | CITIZEN_B_CONTACT
        for response in everything_seen_by(app, world, persona, reports):
            assert response.status_code < 500, f"{response.request.url}: {response.text[:200]}"
            if found := find_leaks(readable(response), groups):
                leaks.append(f"{persona} {response.request.url}: {found}")
    ioc_view = client.get(f"/api/v1/reports/{reports['a']['id']}", headers=personas["ioc_operator"])
    assert "name «Lưu Quỳnh Khuê»" in find_leaks(ioc_view.text, CONTACT)  # what a leak would look like
    # The responses to their own actions carry no contact details either.
    fresh = world.report("dispatched", by="anonymous", submission=SUBMISSION | {"description": "Cống bị tắc."})
    for persona, action, payload in [
        ("handler_a", "acknowledge", {}),
        ("handler_a", "submit_result", {"result": "Xong"}),
    ]:
        response = world.flow.act(fresh, persona, action, **payload)
        leaks += [f"{persona} {action}: {f}" for f in find_leaks(json.dumps(response, ensure_ascii=False), CONTACT)]
    assert not leaks, "\n" + "\n".join(leaks)


def contact_views(world: World, report_id: str) -> list[dict[str, Any]]:
    events = world.client.get(f"/api/v1/reports/{report_id}/events", headers=world.headers("ioc_operator")).json()
    return [e for e in events if e["kind"] == "contact_viewed"]


def test_the_ioc_sees_contact_details_and_each_read_is_audited_once(client, personas, db):
    world = World(client, personas, db)
    report = city(world)["a"]
    with db.read() as session:
        ids = {p: session.scalar(select(User.id).where(User.username == USERNAMES[p])) for p in USERNAMES}
    # Reading without contact details is not audited: lists, other staff, the reporter.
    client.get("/api/v1/reports", headers=personas["ioc_operator"])
    for persona in [*OUTSIDE_THE_IOC[:2], "citizen"]:
        client.get(f"/api/v1/reports/{report['id']}", headers=personas[persona])
    assert contact_views(world, report["id"]) == []
    for count, persona in enumerate(("ioc_operator", "ioc_editor", "admin"), start=1):
        detail = client.get(f"/api/v1/reports/{report['id']}", headers=personas[persona])
        assert detail.status_code == 200
        reporter = detail.json()["reporter"]
        assert (reporter["name"], reporter["phone"]) == (NAME, "+84905111222")
        assert reporter["email"].lower() == "khue.planted@example.vn"
        views = contact_views(world, report["id"])
        assert len(views) == count, f"one read by {persona} must write exactly one event"
        assert views[-1]["actor_id"] == ids[persona]
        assert views[-1]["actor_role"] in ("ioc_operator", "ioc_editor", "admin")
    timeline = client.get(f"/api/v1/reports/{report['id']}/events", headers=personas["handler_a"])
    assert timeline.status_code == 200
    assert find_leaks(timeline.text, CONTACT) == []


def test_exporting_contact_details_is_audited_on_each_report(client, personas, db):
    world = World(client, personas, db)
    report = world.report("processing", by="anonymous", submission=SUBMISSION)
    export = client.get("/api/v1/exports/reports.csv", params={"contacts": "true"}, headers=personas["ioc_operator"])
    assert export.status_code == 200
    assert NAME in export.text
    assert len(contact_views(world, report["id"])) == 1
