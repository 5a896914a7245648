"""Open311 GET calls in XML and JSON: discovery, services, definitions, requests (filters, window, pages),
one request, updates — the JSON checked against the official GeoReport v2 schemas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from paht.channels.open311 import queries as open311_queries
from paht.clock import set_now, utc_now
from paht.models import Category, Report
from tests.channels.open311 import BASE, errors_of, post, validate, xml
from tests.channels.test_open311_post import created_id
from tests.factories import idem
from tests.flow import Flow

FORMATS = ["json", "xml"]
PRIVATE = ["Trần Văn Bình", "binh.tran@example.vn", "905222333", "12 Lê Lợi"]


def new_request(client, **overrides) -> str:
    answer = post(client, **overrides)
    assert answer.status_code == 200, answer.text
    return created_id(answer)


def items(response) -> list[dict]:
    if response.headers["content-type"].startswith("application/json"):
        return response.json()
    root = xml(response)
    assert root.tag == "service_requests"
    return [{child.tag: child.text for child in request} for request in root.findall("request")]


def get(client, path: str, fmt: str, **params):
    answer = client.get(f"{BASE}/{path}.{fmt}", params=params)
    assert answer.status_code == 200, answer.text
    return answer


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_v2_endpoint_and_both_formats(client, fmt):
    answer = get(client, "discovery", fmt)
    # Every text answer names its charset (ASVS 4.1.1); the media type is the format asked for.
    expected = "application/json" if fmt == "json" else "text/xml"
    assert answer.headers["content-type"] == f"{expected}; charset=utf-8"
    if fmt == "json":
        document = answer.json()
        endpoint = document["endpoints"][0]
    else:
        root = xml(answer)
        assert root.tag == "discovery"
        document = {child.tag: child.text for child in root}
        node = root.find("endpoints/endpoint")
        endpoint = {child.tag: child.text for child in node} | {"formats": [f.text for f in node.iter("format")]}
    assert document["contact"] and document["key_service"]
    assert datetime.fromisoformat(document["changeset"]) <= datetime.now(UTC)
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] in ("production", "test")
    assert endpoint["formats"] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_active_categories(client, db, fmt):
    answer = get(client, "services", fmt)
    with db.read() as session:
        active = session.scalar(select(func.count()).select_from(Category).where(Category.active))
    if fmt == "json":
        validate(answer.json(), "services.json")
        services = answer.json()
    else:
        root = xml(answer)
        services = [{c.tag: c.text for c in s} for s in root.findall("service")]
        assert {s["metadata"] for s in services} == {"true"}
    assert len(services) == active
    lighting = next(s for s in services if s["service_code"] == "CHIEU_SANG")
    assert lighting["service_name"] == "Chiếu sáng công cộng" and lighting["type"] == "realtime"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_lists_its_attributes(client, fmt):
    answer = get(client, "services/NGAP_UNG", fmt)
    if fmt == "json":
        validate(answer.json(), "service-definition.json")
        attributes = answer.json()["attributes"]
        assert [a["order"] for a in attributes] == [1, 2, 3]
        urgent = next(a for a in attributes if a["code"] == "khan_cap")
        assert [v["key"] for v in urgent["values"]] == ["khong", "co"] and "Có" in urgent["datatype_description"]
    else:
        root = xml(answer)
        assert root.tag == "service_definition" and root.findtext("service_code") == "NGAP_UNG"
        keys = [v.findtext("key") for v in root.iterfind("attributes/attribute/values/value")]
        assert keys == ["khong", "co"]
    missing = client.get(f"{BASE}/services/KHONG_CO.{fmt}")
    assert missing.status_code == 404 and errors_of(missing)[0][0] == "404"


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_show_status_and_service_but_text_and_place_only_once_published(client, db, personas, fmt):
    code = new_request(client)
    [before] = items(get(client, "requests", fmt, service_request_id=code))
    assert before["status"] == "open" and before["service_code"] == "CHIEU_SANG"
    assert before["description"] in (None, "") and before["lat"] in (None, "") and before["media_url"] in (None, "")
    assert before["requested_datetime"].endswith("Z")
    flow = Flow(client, personas, db)
    report = client.get("/api/v1/reports?channel=open311", headers=personas["ioc_operator"]).json()["items"][0]
    photo = client.post(
        f"/api/v1/reports/{report['id']}/attachments",
        files={"file": ("den.jpg", _jpeg(), "image/jpeg")},
        headers=personas["ioc_operator"],
    )
    assert photo.status_code == 201
    flow.act(report["id"], "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    assert items(get(client, f"requests/{code}", fmt))[0]["expected_datetime"] in (None, "")
    flow.act(report["id"], "handler_a", "acknowledge")
    [handling] = items(get(client, f"requests/{code}", fmt))
    assert handling["expected_datetime"].endswith("Z")  # the body's handling deadline
    assert handling["agency_responsible"] == "Sở Xây dựng" and handling["description"] in (None, "")
    flow.act(report["id"], "handler_a", "submit_result", result="Đã thay bóng đèn.")
    flow.act(report["id"], "leader_a", "approve")
    flow.act(report["id"], "ioc_editor", "publish", description="Đèn chiếu sáng đường Lê Lợi không sáng.")
    answer = get(client, "requests", fmt, service_request_id=code)
    [after] = items(answer)
    assert after["status"] == "closed" and after["status_notes"] == "Đã thay bóng đèn."
    assert after["description"] == "Đèn chiếu sáng đường Lê Lợi không sáng."  # the IOC's edited version
    assert float(after["lat"]) == 16.464 and float(after["long"]) == 107.591  # the public, rounded place
    public_photo = f"/api/v1/public/attachments/{photo.json()['id']}"
    assert after["media_url"] == f"http://127.0.0.1:8000{public_photo}"  # PAHT_PUBLIC_URL + the public copy
    assert client.get(public_photo).headers["content-type"] == "image/jpeg"
    assert after["agency_responsible"] == "Sở Xây dựng"
    if fmt == "json":
        validate(answer.json(), "requests.json")
    for private in PRIVATE:
        assert private not in answer.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_by_id_and_a_rejection_with_its_reason(client, db, personas, fmt):
    code = new_request(client)
    report = client.get("/api/v1/reports?channel=open311", headers=personas["ioc_operator"]).json()["items"][0]
    Flow(client, personas, db).act(report["id"], "ioc_operator", "reject", reason="Không đủ thông tin để xác minh.")
    answer = get(client, f"requests/{code}", fmt)
    [item] = items(answer)
    assert item["service_request_id"] == code and item["status"] == "closed"
    assert item["status_notes"] == "Không tiếp nhận: Không đủ thông tin để xác minh."
    assert item["extended_status"] == "no_further_action"
    if fmt == "json":
        validate(answer.json(), "requests.json")
    missing = client.get(f"{BASE}/requests/PA-00000000.{fmt}")
    assert missing.status_code == 404 and errors_of(missing)[0][0] == "404"


def test_the_filters_the_default_window_and_pages(client, db, personas):
    set_now(utc_now() - timedelta(days=100))
    old = new_request(client)
    set_now(None)
    lights = [new_request(client) for _ in range(3)]
    flood = new_request(client, service_code="NGAP_UNG")

    def codes(**params: str) -> list[str]:
        return [i["service_request_id"] for i in get(client, "requests", "json", **params).json()]

    assert codes() == [flood, *reversed(lights)]  # newest first, the last 90 days only
    assert old not in codes()
    assert codes(service_code="NGAP_UNG") == [flood]
    assert codes(service_code="NGAP_UNG,CHIEU_SANG", status="open") == [flood, *reversed(lights)]
    assert codes(service_code="KHONG_CO") == [] and codes(service_code="KHONG_CO,NGAP_UNG") == [flood]
    names = {i["service_code"]: i["service_name"] for i in get(client, "requests", "json").json()}
    assert names == {"NGAP_UNG": "Ngập úng, thoát nước", "CHIEU_SANG": "Chiếu sáng công cộng"}  # each its own
    assert codes(status="closed") == []
    assert codes(service_request_id=f"{old},{flood}", status="closed") == [flood, old]  # ids override the rest
    start = (utc_now() - timedelta(days=120)).isoformat()
    assert codes(start_date=start) == [old]  # 90 days from start_date
    assert codes(end_date=(utc_now() - timedelta(days=99)).isoformat()) == [old]
    assert codes(page_size="2") == [flood, lights[2]]
    assert codes(page_size="2", page="2") == [lights[1], lights[0]]
    assert codes(status="", service_code="") == codes()  # empty means absent
    [item] = get(client, "requests", "json", service_request_id=flood, extensions="true").json()
    assert item["extended_status"] == "for_triage"
    validate(get(client, "requests", "json").json(), "requests.json")


def test_one_services_list_is_read_in_order_from_its_index_on_sqlite(db):
    if not db.sqlite:
        pytest.skip("PostgreSQL chooses by its own statistics")
    # The statement the list runs for one service and one status (kept by shape, run on the driver).
    compiled = open311_queries._list_statement(1, "closed").compile(dialect=db.read_engine.dialect)
    values = compiled.construct_params(
        open311_queries.CONSTANTS
        | {"window_start": utc_now() - timedelta(days=90), "window_end": utc_now(), "category_0": 1}
        | {f"closed_{i}": state for i, state in enumerate(open311_queries._CLOSED_STATES)}
        | {"limit": 1000, "offset": 0}
    )
    arguments = [values[name] for name in compiled.positiontup or ()]
    with db.read_engine.connect() as connection:
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled.string, tuple(arguments))
        plan = [row[-1] for row in rows]
    # The first step reads the category's rows newest first; the only sort is the photo subquery's (per row).
    assert "ix_reports_category_created (category_id=?" in plan[0], plan
    assert sum("TEMP B-TREE" in step for step in plan) == 1, plan


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start_date": "hôm qua"}, "W3C"),
        ({"start_date": "2026-05-01T08:00:00"}, "múi giờ"),
        ({"start_date": "2026-05-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"}, "90"),
        ({"status": "pending"}, "status"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "1001"}, "page_size"),
        ({"page": "-1"}, "page"),
    ],
)
def test_bad_request_filters_get_400_in_the_specs_format(client, fmt, params, words):
    answer = client.get(f"{BASE}/requests.{fmt}", params=params)
    assert answer.status_code == 400
    [(code, description)] = errors_of(answer)
    assert code == "400" and words in description


@pytest.mark.parametrize("path", ["discovery", "services", "services/CHIEU_SANG", "requests", "servicerequestupdates"])
def test_an_unknown_jurisdiction_is_404_on_every_call(client, path):
    for fmt in FORMATS:
        answer = client.get(f"{BASE}/{path}.{fmt}", params={"jurisdiction_id": "danang.gov.vn"})
        assert answer.status_code == 404 and errors_of(answer)[0][0] == "404"
        assert client.get(f"{BASE}/{path}.{fmt}", params={"jurisdiction_id": "hue.gov.vn"}).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_updates_carry_extended_statuses_and_never_internal_notes(client, db, personas, fmt):
    code = new_request(client)
    report = client.get("/api/v1/reports?channel=open311", headers=personas["ioc_operator"]).json()["items"][0]
    flow = Flow(client, personas, db)
    flow.act(report["id"], "ioc_operator", "dispatch", organization_id=flow.orgs["PHUHOI"])
    flow.act(
        report["id"], "handler_b", "return", reason="Ghi chú nội bộ: bí mật", suggested_organization_id=flow.orgs["SXD"]
    )
    answer = get(client, "servicerequestupdates", fmt)
    if fmt == "json":
        updates = answer.json()
    else:
        root = xml(answer)
        assert root.tag == "service_request_updates"
        updates = [{c.tag: c.text for c in u} for u in root.findall("request_update")]
    assert [(u["service_request_id"], u["extended_status"]) for u in updates] == [
        (code, "action_scheduled"),
        (code, "for_triage"),
    ]
    assert "bí mật" not in answer.text


def test_a_report_made_elsewhere_shows_without_personal_data(client, personas):
    made = client.post(
        "/api/v1/reports",
        json={
            "description": "Ổ gà lớn trên đường Hùng Vương.",
            "reporter": {"name": "Phạm Thị Riêng", "phone": "0905 999 888"},
            "consent": True,
        },
        headers=idem(),
    ).json()
    answer = get(client, "requests", "xml", service_request_id=made["code"])
    [item] = items(answer)
    assert item["service_code"] == "chua-phan-loai" and item["status"] == "open"
    assert "Phạm Thị Riêng" not in answer.text and "905999888" not in answer.text


def _jpeg() -> bytes:
    from tests.channels.fakes import jpeg

    return jpeg(800, 600)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_duplicate_names_the_report_it_duplicates(client, db, personas, fmt):
    original = Flow(client, personas, db).submit()
    code = new_request(client)
    report = client.get("/api/v1/reports?channel=open311", headers=personas["ioc_operator"]).json()["items"][0]
    Flow(client, personas, db).act(report["id"], "ioc_operator", "mark_duplicate", duplicate_of_id=original["id"])
    [item] = items(get(client, f"requests/{code}", fmt))
    assert item["status"] == "closed" and item["status_notes"] == f"Trùng với phản ánh {original['code']}"
    [listed] = [i for i in items(get(client, "requests", fmt, status="closed")) if i["service_request_id"] == code]
    assert listed == {name: item[name] for name in listed}  # the one request also has the extensions


def test_times_are_utc_seconds_truncated_as_stored(client, db):
    """The database writes a request's times as text (paht.sqltext): the same text as the report's time
    formatted in Python, a second's fraction cut (never rounded up), whatever zone it was written in."""
    code = new_request(client)
    created = datetime(2026, 3, 1, 17, 0, 59, 999_999, tzinfo=timezone(timedelta(hours=7)))
    with db.write() as session:
        session.execute(
            update(Report).where(Report.code == code).values(created_at=created, updated_at=created + timedelta(days=1))
        )
        session.commit()
    [item] = get(client, f"requests/{code}", "json").json()
    assert item["requested_datetime"] == "2026-03-01T10:00:59Z"
    assert item["updated_datetime"] == "2026-03-02T10:00:59Z"
    if db.sqlite:  # text some other writer stored: no fraction, or an offset of its own
        for stored, shown in [
            ("2026-03-01 10:00:59", "2026-03-01T10:00:59Z"),
            ("2026-03-01T17:00:59.5+07:00", "2026-03-01T10:00:59Z"),
            ("2026-03-01 17:00:59.1+0700", "2026-03-01T10:00:59Z"),  # 26 characters, as the stored form
        ]:
            with db.write() as session:
                session.connection().exec_driver_sql("UPDATE reports SET created_at = ? WHERE code = ?", (stored, code))
                session.commit()
            assert get(client, f"requests/{code}", "json").json()[0]["requested_datetime"] == shown
