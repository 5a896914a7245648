"""Exports: CSV and XLSX content, who gets which rows and columns, and no personal data unless IOC asks."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from paht.clock import set_now
from paht.enums import Channel
from tests.stats import scenario
from tests.stats.world import World

PII = ("Lê Văn Thử", "+84905111222", "thu@example.vn")


@pytest.fixture
def built(db, settings):
    world = World(db, settings)
    reports = scenario.build(world)
    set_now(scenario.NOW)
    return world, reports


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_anonymous_export_holds_published_reports_public_text_only(built, client):
    rows = rows_of(client.get("/api/v1/exports/reports.csv"))
    assert rows[0][:3] == ["Mã phản ánh", "Trạng thái", "Lĩnh vực"]
    assert len(rows) == 2  # only R2 is published now (R1 was reopened)
    assert rows[1][1] == "Đã công khai"
    assert "Địa chỉ" not in rows[0] and "Kênh" not in rows[0]
    assert not any(secret in cell for row in rows for cell in row for secret in PII)
    english = rows_of(client.get("/api/v1/exports/reports.csv", params={"lang": "en"}))
    assert english[0][:3] == ["Tracking code", "State", "Category"] and english[1][1] == "Published"


def test_a_body_exports_the_reports_it_may_see_without_contacts(built, client, personas):
    rows = rows_of(client.get("/api/v1/exports/reports.csv", headers=personas["handler_a"]))
    assert len(rows) - 1 == 4  # R1, R2, R3 and R7 were assigned to SXD; R4, R5 and R6 never were
    assert "Kênh" in rows[0] and "Người phản ánh" not in rows[0]
    assert not any(secret in cell for row in rows for cell in row for secret in PII)
    other = rows_of(client.get("/api/v1/exports/reports.csv", headers=personas["handler_b"]))
    assert len(other) - 1 == 2  # R2 (returned by PHUHOI) and R6
    refused = client.get("/api/v1/exports/reports.csv", params={"contacts": "true"}, headers=personas["leader_a"])
    assert refused.status_code == 403


def test_only_the_ioc_gets_contacts_and_only_when_it_asks(built, client, personas):
    plain = rows_of(client.get("/api/v1/exports/reports.csv", headers=personas["ioc_operator"]))
    assert len(plain) - 1 == 7
    assert not any(secret in cell for row in plain for cell in row for secret in PII)
    rows = rows_of(
        client.get("/api/v1/exports/reports.csv", params={"contacts": "true"}, headers=personas["ioc_operator"])
    )
    header = rows[0]
    assert header[-4:] == ["Người phản ánh", "Điện thoại", "Email", "Ẩn danh"]
    assert rows[1][header.index("Điện thoại")] == "+84905111222"
    assert rows[1][header.index("Người phản ánh")] == "Lê Văn Thử"
    # Local time, oldest first: R1 was received on Friday 24 April at 16:00 in Huế.
    assert rows[1][header.index("Thời điểm tiếp nhận")] == "2026-04-24 16:00:00"
    assert client.get("/api/v1/exports/reports.csv", params={"contacts": "true"}).status_code == 403


def test_report_export_filters(built, client, personas):
    headers = personas["ioc_operator"]
    day = rows_of(
        client.get(
            "/api/v1/exports/reports.csv",
            params={"created_from": "2026-04-28", "created_to": "2026-04-28"},
            headers=headers,
        )
    )
    assert len(day) - 1 == 2  # R4 and R5
    # R7 arrived at 06:50 on 30 April local time, 23:50 UTC on the 29th: it is a 30 April report.
    thirtieth = rows_of(
        client.get(
            "/api/v1/exports/reports.csv",
            params={"created_from": "2026-04-30", "created_to": "2026-04-30"},
            headers=headers,
        )
    )
    assert len(thirtieth) - 1 == 1
    states = rows_of(
        client.get("/api/v1/exports/reports.csv", params={"state": ["rejected", "duplicate"]}, headers=headers)
    )
    assert sorted(row[1] for row in states[1:]) == ["Không tiếp nhận", "Trùng lặp"]


def test_xlsx_export_and_formula_injection(built, client, personas):
    world, _ = built
    world.submit("2026-05-06 10:00", "KHAC", Channel.web, description='=HYPERLINK("http://evil","x")')
    response = client.get("/api/v1/exports/reports.xlsx", headers=personas["ioc_operator"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Mã phản ánh" and len(rows) - 1 == 8
    description = rows[0].index("Nội dung")
    cell = next(row for row in sheet.iter_rows(min_row=2) if str(row[description].value).startswith("=HYPER"))
    assert cell[description].data_type == "s"  # kept as text, never a formula
    text = client.get("/api/v1/exports/reports.csv", headers=personas["ioc_operator"]).content.decode()
    assert "'=HYPERLINK" in text


def test_statistics_export(built, client):
    params = {"from": "2026-04-20", "to": "2026-05-10"}
    rows = rows_of(client.get("/api/v1/public/stats/export.csv", params=params))
    header = rows[0]
    by_code = {row[0]: row for row in rows[1:]}
    assert rows[1][0] == "IOC" and rows[2][1] == "Toàn tỉnh"
    assert by_code["IOC"][header.index("IOC: phản ánh tiếp nhận")] == "7"
    assert by_code["IOC"][header.index("Nhận xử lý")] == ""
    sxd = by_code["SXD"]
    assert sxd[header.index("Nhận xử lý")] == "5"
    assert sxd[header.index("Tiếp nhận đúng hạn (%)")] == "40.0"
    assert sxd[header.index("Thời gian tiếp nhận, trung vị (phút)")] == "42.5"  # 2550 s
    assert sxd[header.index("Điểm hài lòng trung bình")] == "3.5"
    xlsx = client.get("/api/v1/public/stats/export.xlsx", params=params | {"lang": "en"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("Code", "Name", "Received")
    sxd_row = next(row for row in values if row[0] == "SXD")
    assert sxd_row[2] == 5 and sxd_row[4] == 40.0
