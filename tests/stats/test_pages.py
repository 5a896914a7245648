"""The statistics pages, read as a browser would (cookies, sign-in), on the hand-built fortnight."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from paht.clock import set_now
from tests.stats import scenario
from tests.stats.world import World

PERIOD = "from=2026-04-20&to=2026-05-10"


@pytest.fixture
def built(db, settings):
    reports = scenario.build(World(db, settings))
    set_now(scenario.NOW)
    return reports


def row_of(html: str, table_id: str, code: str) -> str:
    table = html[html.index(f'id="{table_id}"') :]
    start = table.index(f'data-code="{code}"')
    return table[start : table.index("</tr>", start)]


def chart_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="stats-data">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def test_public_statistics_page(built, browser):
    visitor = browser(None)
    page = visitor.get(f"/thong-ke?{PERIOD}")
    assert page.status_code == 200
    html = page.text
    assert "Kết quả xử lý phản ánh của các cơ quan, đơn vị" in html
    sxd = row_of(html, "stats-table", "SXD")
    assert "Sở Xây dựng" in sxd and "40%" in sxd and "(2/5)" in sxd and "67%" in sxd
    # Nobody reaches the default minimum volume (10) in this small city: the unranked list says why.
    assert "Chưa đơn vị nào đủ số phản ánh trong kỳ để xếp hạng." in html
    assert "Sở Xây dựng — Nhận dưới 10 phản ánh trong kỳ (5)" in html
    assert "Tỷ lệ chuyển nhầm" in html and "33%" in html  # 2 of 6 dispatches came back
    data = chart_data(html)
    assert data["satisfaction"] == [0, 1, 0, 0, 1]
    assert len(data["weeks"]["labels"]) >= 12 and len(data["months"]["labels"]) == 12
    # No inline script (the pages' CSP forbids it): only src= scripts and the JSON data block.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for secret in ("Lê Văn Thử", "0905111222", "thu@example.vn"):
        assert secret not in html


def test_public_page_in_english_and_grouped_by_category(built, browser):
    visitor = browser(None)
    html = visitor.get(f"/thong-ke?{PERIOD}&lang=en&group_by=category").text
    assert "How every body handles what it is sent" in html
    assert "Street lighting" in html and "No category" in html
    assert "Acknowledged on time" in html


def test_bad_filters_show_an_error_and_the_default_period(built, browser):
    html = browser(None).get("/thong-ke?from=2026-05-10&to=2026-05-01").text
    assert 'role="alert"' in html and "from phải trước hoặc bằng to" in html
    assert "08/04/2026 – 07/05/2026" in html


def test_ioc_dashboard(built, browser):
    assert browser(None).get("/thong-ke/dieu-hanh").status_code == 303  # to the sign-in page
    assert browser("sxd.leader").get("/thong-ke/dieu-hanh").status_code == 403
    html = browser("ioc.operator").get(f"/thong-ke/dieu-hanh?{PERIOD}").text
    overdue = html[html.index('id="overdue-table"') :]
    assert overdue.count('class="code"') == 4
    assert "/console/reports/" in overdue
    assert 'data-party="0"' in html  # the IOC's own clocks
    data = chart_data(html)
    assert dict(zip(data["channels"]["labels"], data["channels"]["values"], strict=True))["Ứng dụng Hue-S"] == 2
    assert sum(data["hours"]["values"]) == 7
    returns = html[html.index('id="returns-table"') :]
    assert 'data-code="SXD"' in returns and 'data-code="PHUHOI"' in returns


def test_body_dashboards_for_a_leader_and_a_viewer(built, browser):
    html = browser("sxd.leader").get(f"/thong-ke/don-vi?{PERIOD}").text
    table = html[html.index('id="stats-table"') : html.index("</table>", html.index('id="stats-table"'))]
    assert 'data-code="SXD"' in table and 'data-code="PHUHOI"' not in table
    assert html[html.index('id="overdue-table"') :].count('class="code"') == 1  # R1's resolve clock
    viewer = browser("ubndtp.viewer").get(f"/thong-ke/don-vi?{PERIOD}").text
    assert "Chỉ xem: giám sát." in viewer
    table = viewer[viewer.index('id="stats-table"') : viewer.index("</table>", viewer.index('id="stats-table"'))]
    assert 'data-code="PHUHOI"' in table and 'data-code="SXD"' not in table
    assert browser("ioc.operator").get("/thong-ke/don-vi").status_code == 403


def test_web_report_export_uses_the_session(built, browser):
    response = browser("sxd.leader").get("/thong-ke/xuat/phan-anh.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert len(rows) - 1 == 4
    assert browser(None).get("/thong-ke/xuat/phan-anh.csv?contacts=true").status_code == 403


def test_chart_script_is_served(browser):
    response = browser(None).get("/thong-ke/stats.js")
    assert response.status_code == 200 and "javascript" in response.headers["content-type"]
    assert "data-stats-chart" in response.text
