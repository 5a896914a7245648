"""The public map in a real browser: markers of the visible box, clustered, and narrowed by a search.

Runs on SQLite only (explicitly): the data path is covered on both databases by the API tests.
"""

from __future__ import annotations

import pytest

from tests.flow import Flow
from tests.live_server import serve
from tests.web.browser import ARTIFACTS, launch, open_session

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _publish(flow: Flow, title: str, description: str, location: dict) -> dict:
    report = flow.submit(title=title, description=description, location=location)
    flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    flow.act(report, "handler_a", "acknowledge")
    flow.act(report, "handler_a", "submit_result", result="Đã khắc phục xong.")
    flow.act(report, "leader_a", "approve")
    return flow.act(report, "ioc_editor", "publish")


def test_the_public_map_shows_and_searches_published_reports(app, client, personas, db):
    flow = Flow(client, personas, db)
    _publish(flow, "Đèn đường hỏng", "Đèn đường Lê Lợi không sáng.", {"lat": 16.4637, "lon": 107.5909})
    _publish(flow, "Ngập sâu", "Đường Hùng Vương ngập sâu.", {"lat": 16.4600, "lon": 107.5950})
    with serve(app) as base:
        for browser in launch():
            visitor = open_session(browser, base, "places")
            page = visitor.go("/ban-do")
            map_box = page.locator("#public-map")
            map_box.and_(page.locator("[data-count='2']")).wait_for()
            assert page.locator("#public-map-count").inner_text() == "2"
            assert page.locator(".leaflet-marker-icon").count() >= 1  # markers or clusters drawn
            visitor.shot("ban-do")
            page.fill("#map-q", "den duong")
            page.click("form[action='/ban-do'] button[type=submit]")
            page.locator("#public-map[data-count='1']").wait_for()
            visitor.shot("ban-do-search")
            assert visitor.errors == []
    assert (ARTIFACTS / "places" / "ban-do.png").exists()
