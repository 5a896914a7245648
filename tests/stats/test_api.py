"""The statistics routes: validation, the staff overdue list and live clocks, scoping by role."""

from __future__ import annotations

import pytest

from paht.clock import set_now
from tests.stats import scenario
from tests.stats.world import World

PERIOD = {"from": "2026-04-20", "to": "2026-05-10"}


@pytest.fixture
def built(db, settings):
    reports = scenario.build(World(db, settings))
    set_now(scenario.NOW)
    return reports


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"from": "2026-05-10", "to": "2026-05-01"}, 422),
        ({"period": "decade"}, 422),
        ({"period": "week", "from": "2026-05-01"}, 422),
        ({"from": "2000-01-01", "to": "2026-05-01"}, 422),
        ({"from": "yesterday"}, 422),
        ({"group_by": "colour"}, 422),
        ({"organization_id": 999999}, 404),
        ({"category_id": 999999}, 404),
        ({"area": 999999}, 404),
    ],
)
def test_bad_filters_get_a_clear_error(client, params, status):
    response = client.get("/api/v1/public/stats", params=params)
    assert response.status_code == status, response.text
    assert response.json()["detail"]


def test_the_iocs_own_organisation_is_not_a_handling_body(client, world_orgs):
    response = client.get("/api/v1/public/stats", params={"organization_id": world_orgs["IOC"]})
    assert response.status_code == 404


def test_default_period_is_the_last_30_days(client):
    set_now(scenario.NOW)
    body = client.get("/api/v1/public/stats").json()
    assert body["period"] == {"from": "2026-04-08", "to": "2026-05-07", "preset": "month", "days": 30}
    week = client.get("/api/v1/public/stats", params={"period": "week", "lang": "en"}).json()
    assert week["period"]["from"] == "2026-05-01" and week["total"]["name"] == "All bodies"
    sxd = next(g for g in week["groups"] if g["code"] == "SXD")
    assert sxd["name"] == "Department of Construction"


def test_the_public_sees_no_personal_data(built, client):
    text = client.get("/api/v1/public/stats", params=PERIOD).text
    ranking = client.get("/api/v1/public/stats/ranking", params=PERIOD).text
    for secret in ("Lê Văn Thử", "0905111222", "+84905111222", "thu@example.vn"):
        assert secret not in text and secret not in ranking


OVERDUE_SEEN = {
    # persona → (status, stages seen): now is 7 May 09:00 and four clocks are overdue.
    "anonymous": (401, None),
    "citizen": (403, None),
    "handler_a": (403, None),
    "leader_a": (200, {"resolve": 1}),  # R1, reopened, at SXD
    "leader_b": (200, {"acknowledge": 1}),  # R6 at PHUHOI
    "parent_leader_b": (200, {"acknowledge": 1}),  # PHUHOI is a child of UBNDTP
    "viewer_parent_b": (200, {"acknowledge": 1}),
    "ioc_operator": (200, {"dispatch": 1, "publish": 1, "acknowledge": 1, "resolve": 1}),
    "ioc_editor": (200, {"dispatch": 1, "publish": 1, "acknowledge": 1, "resolve": 1}),
}


def test_overdue_list_is_scoped_to_what_the_caller_may_see(built, client, personas):
    for persona, (status, stages) in OVERDUE_SEEN.items():
        response = client.get("/api/v1/stats/overdue", headers=personas[persona])
        assert response.status_code == status, (persona, response.text)
        if status != 200:
            continue
        body = response.json()
        assert body["by_stage"] == stages and body["total"] == sum(stages.values()), persona
        assert len(body["items"]) == body["total"]
        assert all(item["overdue_seconds"] > 0 for item in body["items"])
        assert [i["due_at"] for i in body["items"]] == sorted(i["due_at"] for i in body["items"])


def test_overdue_list_pages_and_filters(built, client, personas, world_orgs):
    headers = personas["ioc_operator"]
    seen, cursor = [], None
    for _ in range(10):
        params = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/stats/overdue", params=params, headers=headers).json()
        seen += [item["code"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 4 and len(set(seen)) == 4
    # R3 (publish, due 28 Apr 09:10) is the most overdue; the IOC's clocks carry no body.
    first = client.get("/api/v1/stats/overdue", headers=headers).json()["items"][0]
    assert (first["stage"], first["organization_id"]) == ("publish", None)
    only = client.get("/api/v1/stats/overdue", params={"stage": "acknowledge"}, headers=headers).json()
    assert [i["organization_id"] for i in only["items"]] == [world_orgs["PHUHOI"]]
    body = client.get("/api/v1/stats/overdue", params={"organization_id": world_orgs["SXD"]}, headers=headers).json()
    assert body["by_stage"] == {"resolve": 1}
    assert client.get("/api/v1/stats/overdue", params={"stage": "lunch"}, headers=headers).status_code == 422
    assert client.get("/api/v1/stats/overdue", params={"cursor": "!!"}, headers=headers).status_code == 422


def test_live_clocks_per_party(built, client, personas, world_orgs):
    sxd, phuhoi = str(world_orgs["SXD"]), str(world_orgs["PHUHOI"])
    body = client.get("/api/v1/stats/live", headers=personas["ioc_operator"]).json()
    # Running: R1 resolve (SXD), R6 acknowledge (PHUHOI), R3 publish and R7 dispatch (IOC).
    assert body["running"] == {"0": {"dispatch": 1, "publish": 1}, sxd: {"resolve": 1}, phuhoi: {"acknowledge": 1}}
    assert body["overdue"] == body["running"]
    leader = client.get("/api/v1/stats/live", headers=personas["leader_a"]).json()
    assert leader["running"] == {sxd: {"resolve": 1}}
    assert client.get("/api/v1/stats/live", headers=personas["citizen"]).status_code == 403


def test_intake_mix_is_for_the_ioc(built, client, personas):
    body = client.get("/api/v1/stats/mix", params=PERIOD, headers=personas["ioc_operator"]).json()
    assert body["channels"] == {"app": 2, "web": 1, "hotline": 1, "email": 1, "facebook": 1, "zalo": 1}
    assert body["hours"]["08"] == 2 and body["hours"]["06"] == 1 and body["hours"]["22"] == 1
    assert sum(body["hours"].values()) == 7
    assert client.get("/api/v1/stats/mix", params=PERIOD, headers=personas["leader_a"]).status_code == 403
    assert client.get("/api/v1/stats/mix", params=PERIOD).status_code == 401


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_overdue_now_reads_only_the_running_clocks_index(db):
    from datetime import UTC, datetime

    from sqlalchemy import func, select, text

    from paht.models import SlaClock

    query = (
        select(SlaClock.organization_id, SlaClock.stage, func.count())
        .where(SlaClock.stopped_at.is_(None), SlaClock.due_at < datetime(2026, 5, 7, tzinfo=UTC))
        .group_by(SlaClock.organization_id, SlaClock.stage)
    )
    with db.read() as session:
        sql = str(query.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        plan = " ".join(row[3] for row in session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert "USING INDEX ix_sla_clocks_running_overdue" in plan and "SCAN sla_clocks " not in plan + " "
