"""Every metric of docs/statistics.md on the hand-built fortnight of tests/stats/scenario.py.

The expected numbers are worked out by hand in the comments. Percentiles follow the documented rule:
rank = q × n, interpolated linearly inside the fixed bucket that holds the rank.
"""

from __future__ import annotations

import pytest

from paht.clock import set_now
from paht.stats import aggregates, bulk
from tests.stats import scenario
from tests.stats.compare import maintained, recomputed
from tests.stats.world import World

PERIOD = {"from": "2026-04-20", "to": "2026-05-10"}


@pytest.fixture
def built(db, settings):
    reports = scenario.build(World(db, settings))
    set_now(scenario.NOW)
    return reports


def stats(client, **params):
    response = client.get("/api/v1/public/stats", params=PERIOD | params)
    assert response.status_code == 200, response.text
    return response.json()


def group(body, code):
    return next(g for g in body["groups"] if g["code"] == code)


def timing(count, on_time, average, median, p90):
    return {
        "count": count,
        "on_time": on_time,
        "on_time_rate": on_time / count,
        "average_seconds": average,
        "median_seconds": median,
        "p90_seconds": p90,
    }


def test_the_iocs_intake_figures(built, client):
    body = stats(client)
    assert body["period"] == {"from": "2026-04-20", "to": "2026-05-10", "preset": None, "days": 21}
    intake = body["ioc"]["intake"]
    assert intake["received"] == 7
    assert intake["dispatched"] == 6  # R1, R2 twice, R3, R6, R7
    assert intake["reopened"] == 1
    assert intake["rejected"] == 1 and intake["duplicates"] == 1
    # Dispatches that came back: R2's first (to PHUHOI) and R7's (returned from processing).
    assert intake["misrouted"] == 2
    assert intake["misroute_rate"] == pytest.approx(2 / 6)
    # 10, 60 (late), 30 (exactly due: on time), 20, 10, 15 minutes. Sorted 600 600 900 1200 1800 3600 s;
    # median rank 3 ends in bucket [900, 1200) → 900 + 300·(3−2)/1 = 1200; p90 rank 5.4 in [3600, 4500)
    # → 3600 + 900·0.4 = 3960; average 8700/6 = 1450.
    assert intake["dispatch"] == timing(6, 5, 1450, 1200, 3960)
    assert intake["published"] == 2
    # Editor decisions: R2 sent back after 1 h, R2 published after 30 min, R1 published after 97 h
    # (approved on a holiday, due Monday 17:00): median rank 1.5 in [3600, 4500) → 4050;
    # p90 rank 2.7 in [96 h, 120 h) → 345600 + 86400·0.7 = 406080; average 354600/3 = 118200.
    assert intake["publish"] == timing(3, 3, 118200, 4050, 406080)
    assert intake["editor_send_backs"] == 1
    assert intake["editor_send_back_rate"] == pytest.approx(1 / 3)
    # Now (7 May 09:00): R7 waits for a new dispatch since 2 May, R3 waits to be published since 28 Apr.
    assert body["ioc"]["overdue_now"] == {"total": 2, "by_stage": {"dispatch": 1, "publish": 1}}


def test_body_a_handling_figures(built, client):
    sxd = group(stats(client), "SXD")
    handling = sxd["handling"]
    assert handling["received"] == 5  # R1, R3, R2 (second dispatch), R7, R1 again after the reopen
    assert handling["acknowledged"] == 5
    assert handling["returned"] == 1 and handling["return_rate"] == pytest.approx(0.2)
    assert handling["resolved"] == 3  # first results of R3, R2, R1
    assert handling["resubmitted"] == 2  # R2 after each send-back
    assert handling["published"] == 2 and handling["sent_back_by_editor"] == 1
    # 15 (on time), 50, 45, 15 (on time), 40 minutes: median rank 2.5 in [40 min, 45 min) → 2550;
    # p90 rank 4.5 in [50 min, 60 min) → 3300; average 9900/5 = 1980.
    assert handling["acknowledge"] == timing(5, 2, 1980, 2550, 3300)
    # R3 33 h (urgent, 24 h: late); R2 29 h 25 min (due Wednesday 17:00 — Monday is a holiday: on time);
    # R1 118 h 35 min across the long weekend (due Wednesday 16:25: on time).
    # Median rank 1.5 in [30 h, 36 h) → 118800; p90 rank 2.7 in [96 h, 120 h) → 406080; average 217200.
    assert handling["resolve"] == timing(3, 2, 217200, 118800, 406080)
    # Leader decisions: 1 h, 30 min (send-back), 1 h, 30 min, 18 h — all on time.
    # Median rank 2.5 in [1 h, 1 h 15) → 3600 + 900·0.5/2 = 3825; p90 rank 4.5 in [16 h, 20 h) → 64800.
    assert handling["approve"] == timing(5, 5, 15120, 3825, 64800)
    assert handling["approvals"] == 4
    assert handling["send_backs"] == 1 and handling["send_back_rate"] == pytest.approx(0.2)
    assert sxd["satisfaction"] == {
        "count": 2,
        "average": 3.5,
        "share_4_5": 0.5,
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1},
    }
    # R1, reopened and acknowledged on Monday 13:40, was due Wednesday 13:40.
    assert sxd["overdue_now"] == {"total": 1, "by_stage": {"resolve": 1}}
    assert sxd["intake"] is None


def test_body_b_and_the_total(built, client):
    body = stats(client)
    phuhoi = group(body, "PHUHOI")["handling"]
    assert phuhoi["received"] == 2 and phuhoi["acknowledged"] == 0
    assert phuhoi["returned"] == 1 and phuhoi["return_rate"] == 0.5
    # The return answers the acknowledgement clock: 20 minutes, in bucket [20 min, 25 min).
    assert phuhoi["acknowledge"] == timing(1, 1, 1200, 1350, 1470)
    assert group(body, "PHUHOI")["overdue_now"] == {"total": 1, "by_stage": {"acknowledge": 1}}
    quiet = group(body, "SYT")
    assert quiet["handling"]["received"] == 0 and quiet["handling"]["acknowledge"]["on_time_rate"] is None
    total = body["total"]
    assert total["handling"]["received"] == 7
    assert total["handling"]["acknowledge"]["count"] == 6 and total["handling"]["acknowledge"]["on_time"] == 3
    assert total["intake"]["received"] == 7
    assert total["overdue_now"]["total"] == 4
    assert total["satisfaction"]["count"] == 2


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # R2's first dispatch came back the same morning: a misroute on 27 April.
        ("2026-04-27", {"received": 1, "dispatched": 2, "misrouted": 1, "sxd": (1, 1, 1, 0), "phuhoi": (1, 0, 0, 1)}),
        # R7 arrived at 06:50 local (23:50 UTC on the 29th) and its dispatch came back two days later:
        # both count on 30 April.
        ("2026-04-30", {"received": 1, "dispatched": 1, "misrouted": 1, "sxd": (1, 1, 0, 0), "phuhoi": (0, 0, 0, 0)}),
        ("2026-04-29", {"received": 1, "dispatched": 1, "misrouted": 0, "sxd": (0, 0, 1, 0), "phuhoi": (1, 0, 0, 0)}),
        # The body's return itself counts on the day it happened.
        ("2026-05-02", {"received": 0, "dispatched": 0, "misrouted": 0, "sxd": (0, 0, 0, 1), "phuhoi": (0, 0, 0, 0)}),
    ],
)
def test_events_count_on_their_local_day(built, client, day, expected):
    body = stats(client, **{"from": day, "to": day})
    intake = body["ioc"]["intake"]
    assert (intake["received"], intake["dispatched"], intake["misrouted"]) == (
        expected["received"],
        expected["dispatched"],
        expected["misrouted"],
    )
    for code in ("sxd", "phuhoi"):
        h = group(body, code.upper())["handling"]
        assert (h["received"], h["acknowledged"], h["resolved"], h["returned"]) == expected[code], code


def test_grouped_by_category(built, client):
    body = stats(client, group_by="category")
    lights = next(g for g in body["groups"] if g["code"] == "CHIEU_SANG")
    assert lights["intake"]["received"] == 3  # R1, R2, R5
    assert lights["intake"]["duplicates"] == 1
    assert lights["handling"]["resolved"] == 2 and lights["satisfaction"]["count"] == 2
    uncategorised = next(g for g in body["groups"] if g["id"] is None)
    assert uncategorised["name"] == "Chưa phân loại"
    assert uncategorised["intake"]["received"] == 1 and uncategorised["intake"]["rejected"] == 1
    flooding = next(g for g in body["groups"] if g["code"] == "NGAP_UNG")
    assert flooding["overdue_now"] == {"total": 1, "by_stage": {"publish": 1}}
    filtered = stats(client, category_id=lights["id"])
    assert filtered["ioc"]["intake"]["received"] == 3
    assert group(filtered, "SXD")["handling"]["resolved"] == 2


def test_filtered_to_one_body(built, client, world_orgs):
    body = stats(client, organization_id=world_orgs["PHUHOI"])
    assert body["ioc"] is None and body["total"]["intake"] is None
    assert [g["code"] for g in body["groups"]] == ["PHUHOI"]
    assert body["total"]["handling"]["received"] == 2


def test_ranking_with_a_minimum_volume(built, settings, db):
    from fastapi.testclient import TestClient

    from paht.main import create_app

    app = create_app(settings.model_copy(update={"stats_ranking_min_volume": 3}), db, worker=False)
    with TestClient(app) as client:
        body = client.get("/api/v1/public/stats/ranking", params=PERIOD).json()
    assert body["weights"] == {"acknowledge": 0.2, "resolve": 0.4, "approve": 0.1, "satisfaction": 0.3}
    first = body["entries"][0]
    assert (first["rank"], first["code"], first["volume"]) == (1, "SXD", 5)
    # 100 × (0.2·2/5 + 0.4·2/3 + 0.1·5/5 + 0.3·(3.5−1)/4) = 63.4166… → 63.42
    assert first["score"] == 63.42
    phuhoi = next(e for e in body["entries"] if e["code"] == "PHUHOI")
    assert phuhoi["rank"] is None and not phuhoi["ranked"] and phuhoi["volume"] == 2
    assert phuhoi["reason"] == "Nhận dưới 3 phản ánh trong kỳ (2)"
    assert [e["code"] for e in body["entries"] if e["ranked"]] == ["SXD"]


def test_trend_by_week_and_month(built, client):
    weeks = client.get("/api/v1/public/stats/trend", params=PERIOD | {"granularity": "week"}).json()["points"]
    assert [p["start"] for p in weeks] == ["2026-04-20", "2026-04-27", "2026-05-04"]
    assert [(p["received"], p["assigned"], p["resolved"], p["published"]) for p in weeks] == [
        (2, 2, 0, 0),
        (5, 4, 3, 1),
        (0, 1, 0, 1),
    ]
    assert [p["acknowledge_on_time_rate"] for p in weeks] == [0.5, pytest.approx(2 / 3), 0.0]
    assert weeks[1]["resolve_on_time_rate"] == pytest.approx(2 / 3)
    assert [p["satisfaction_average"] for p in weeks] == [None, 2.0, 5.0]
    months = client.get("/api/v1/public/stats/trend", params=PERIOD | {"granularity": "month"}).json()["points"]
    assert [(p["start"], p["received"], p["assigned"], p["published"]) for p in months] == [
        ("2026-04-01", 7, 6, 1),
        ("2026-05-01", 0, 1, 1),
    ]


def test_rebuild_gives_exactly_the_same_numbers(built, db):
    with db.read() as session:
        before = maintained(session)
        assert before == recomputed(session)
    with db.write() as session:
        assert bulk.rebuild(session, batch_size=3) == 7
    with db.read() as session:
        assert maintained(session) == before


def test_grouped_by_area_and_moved_when_an_area_changes(built, client, db):
    from sqlalchemy import select

    from paht.models import Area, ReportPlace
    from paht.places.service import area_for_point

    with db.read() as session:
        home = area_for_point(session, 16.4637, 107.5909)  # every scenario report has this point
        assert home is not None
        other = session.scalar(select(Area).where(Area.id != home.id).order_by(Area.code).limit(1))
    groups = {g["code"]: g for g in stats(client, group_by="area")["groups"]}
    assert groups[home.code]["intake"]["received"] == 7
    assert groups[home.code]["handling"]["received"] == 7
    assert stats(client, area=home.id)["ioc"]["intake"]["received"] == 7

    # The areas are re-imported and R1's point now falls in another ward: its whole history moves.
    with db.write() as session:
        session.get(ReportPlace, built.r1).area_id = other.id
        session.flush()
        assert aggregates.refresh_dims(session) == 1
    groups = {g["code"]: g for g in stats(client, group_by="area")["groups"]}
    assert groups[home.code]["intake"]["received"] == 6
    assert groups[other.code]["intake"]["received"] == 1
    assert groups[other.code]["handling"]["received"] == 2  # R1's dispatch and its reopening
    assert groups[other.code]["satisfaction"]["count"] == 1
    assert groups[other.code]["overdue_now"]["total"] == 1  # R1's resolve clock
    with db.read() as session:
        assert maintained(session) == recomputed(session)
