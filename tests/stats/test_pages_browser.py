"""The statistics pages in a real browser (Chromium via Playwright) on a live server: charts drawn, no errors.

SQLite only (explicitly, as the web's browser tests): the pages read the same functions the API tests
cover on both databases. Screenshots go to tests/artifacts/web/<test>/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from paht.clock import set_now
from tests.stats import scenario
from tests.stats.world import World

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
PERIOD = "from=2026-04-20&to=2026-05-10"


@pytest.fixture
def built(db, settings):
    reports = scenario.build(World(db, settings))
    set_now(scenario.NOW)
    return reports


def charts_drawn(page) -> int:  # type: ignore[no-untyped-def]
    return page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-stats-chart]')).filter(c => Chart.getChart(c)).length"
    )


def test_statistics_pages_in_a_browser(built, people):
    citizen = people("public")
    page = citizen.go(f"/thong-ke?{PERIOD}", shot="statistics-public")
    expect(page.locator("h1")).to_have_text("Kết quả xử lý phản ánh của các cơ quan, đơn vị")
    expect(page.locator('#stats-table tr[data-code="SXD"]')).to_contain_text("40%")
    assert charts_drawn(page) == 3  # weeks, months, satisfaction
    page.select_option("#f-group", "category")
    page.click("form.filters button[type=submit]")
    expect(page.locator("#stats-table")).to_contain_text("Chiếu sáng công cộng")
    page = citizen.go(f"/thong-ke?{PERIOD}&lang=en", shot="statistics-public-en")
    expect(page.locator("h1")).to_have_text("How every body handles what it is sent")

    operator = people("ioc")
    operator.login("ioc.operator")
    page = operator.go(f"/thong-ke/dieu-hanh?{PERIOD}", shot="statistics-ioc-dashboard")
    expect(page.locator("#overdue-table a.code")).to_have_count(4)
    assert charts_drawn(page) == 3  # clocks, channels, hours

    leader = people("leader")
    leader.login("sxd.leader")
    page = leader.go(f"/thong-ke/don-vi?{PERIOD}", shot="statistics-body-dashboard")
    expect(page.locator("#overdue-table a.code")).to_have_count(1)
    assert charts_drawn(page) == 3  # clocks, weeks, months

    phone = people("phone", phone=True)
    phone.go(f"/thong-ke?{PERIOD}", shot="statistics-public-phone")
    expect(phone.page.locator("#stats-table")).to_be_attached()
