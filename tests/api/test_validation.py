"""Bad input gets a clear 4xx — never a 500 — and good input is stored clean (NFC, no control characters)."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import func, select

from paht.models import Category, Event, Organization, Report
from tests.factories import idem, new_report_body
from tests.flow import Flow

REPORTS = "/api/v1/reports"


def _submit(client, headers=None, **overrides):
    return client.post(REPORTS, json=new_report_body(**overrides), headers=(headers or {}) | idem())


def _fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def _report_count(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Report)) or 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": None}, "description"),
        ({"description": ""}, "description"),
        ({"description": " \t\n "}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"title": "x" * 201}, "title"),
        ({"consent": False}, "body"),
        ({"reporter": {"phone": "not a phone"}}, "reporter.phone"),
        ({"reporter": {"phone": "123"}}, "reporter.phone"),
        ({"reporter": {"email": "no-at-sign.example.vn"}}, "reporter.email"),
        ({"reporter": {"email": "a@b"}}, "reporter.email"),
        ({"location": {"lat": 91, "lon": 107.59}}, "location.lat"),
        ({"location": {"lat": 16.46, "lon": -181}}, "location.lon"),
        ({"location": {"lat": "north", "lon": 107.59}}, "location.lat"),
        ({"location": {"lon": 107.59}}, "location"),
        ({"location": {}}, "location"),
        ({"urgent": "maybe"}, "urgent"),
        ({"urgent": 1}, "urgent"),  # JSON booleans only: pydantic's lax mode would read 0/1 and "yes"
        ({"anonymous": "true"}, "anonymous"),
        ({"consent": 1}, "consent"),
        ({"category_id": "roads"}, "category_id"),
        ({"channel": "carrier-pigeon"}, "channel"),
        ({"priority": "high"}, "priority"),
        ({"reporter": {"name": "A", "phone": "0905111222", "address": "x"}}, "reporter.address"),
        ({"location": {"lat": 16.46, "lon": 107.59, "ward": "Phú Hội"}}, "location.ward"),
    ],
)
def test_an_invalid_report_gets_422_naming_the_field(client, db, overrides, field):
    body = new_report_body()
    for name, value in overrides.items():
        if value is None:
            body.pop(name)
        else:
            body[name] = value
    response = client.post(REPORTS, json=body, headers=idem())
    assert response.status_code == 422, response.text
    payload = response.json()
    assert payload["code"] == "invalid"
    assert payload["detail"].startswith("Dữ liệu không hợp lệ")
    assert field in _fields(response)
    assert _report_count(db) == 0


def test_field_errors_speak_vietnamese_first_and_do_not_echo_the_input(client):
    response = _submit(client, reporter={"phone": "not a phone 0905"}, location={"lat": 95, "lon": 107})
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert errors["reporter.phone"]["msg"] == "số điện thoại không hợp lệ (invalid phone number)"
    assert errors["location.lat"]["msg"].startswith("lớn hơn giá trị cho phép (")
    assert errors["location.lat"]["loc"] == ["body", "location", "lat"]
    assert "not a phone 0905" not in response.text


def test_consent_must_be_given(client):
    response = _submit(client, consent=False)
    assert response.status_code == 422
    assert "consent" in response.json()["detail"]


def test_an_anonymous_caller_must_leave_a_phone_or_an_email(client, db):
    for reporter in ({"name": "Chỉ có tên"}, {"name": "A", "phone": "", "email": ""}, None):
        body = new_report_body(reporter=reporter)
        if reporter is None:
            body.pop("reporter")
        response = client.post(REPORTS, json=body, headers=idem())
        assert response.status_code == 422, response.text
        assert "số điện thoại hoặc email" in response.json()["detail"]
    assert _submit(client, reporter={"email": "Nguoi.Dan@Example.VN"}).status_code == 201
    assert _submit(client, reporter={"phone": "0905 111 222"}).status_code == 201
    assert _report_count(db) == 2


def test_a_signed_in_citizen_needs_no_contact_in_the_body(client, personas):
    body = new_report_body()
    body.pop("reporter")
    response = client.post(REPORTS, json=body, headers=personas["citizen"] | idem())
    assert response.status_code == 201, response.text


def test_phone_numbers_are_stored_in_e164_and_emails_normalised(client, personas):
    created = _submit(
        client, headers=personas["ioc_operator"], reporter={"phone": "0905 111 222", "email": "A@Example.VN"}
    )
    assert created.status_code == 201
    assert created.json()["reporter"]["phone"] == "+84905111222"
    assert created.json()["reporter"]["email"] == "A@example.vn"


def test_an_unknown_or_inactive_category_is_refused(client, db):
    response = _submit(client, category_id=999_999)
    assert response.status_code == 422
    assert "999999" in response.json()["detail"]
    with db.write() as session:
        category = session.scalars(select(Category)).first()
        category.active = False
        category_id = category.id
    assert _submit(client, category_id=category_id).status_code == 422
    assert _report_count(db) == 0


def test_only_an_ioc_operator_may_enter_a_hotline_call(client, personas, db):
    for persona in ("anonymous", "citizen", "handler_a", "ioc_editor"):
        response = _submit(client, headers=personas[persona], channel="hotline")
        assert response.status_code == 403, (persona, response.text)
    created = _submit(client, headers=personas["ioc_operator"], channel="hotline")
    assert created.status_code == 201
    assert created.json()["channel"] == "hotline"
    assert _report_count(db) == 1


def test_a_hotline_call_needs_the_callers_phone(client, personas):
    response = _submit(client, headers=personas["ioc_operator"], channel="hotline", reporter={"name": "Ông Ba"})
    assert response.status_code == 422
    assert "điện thoại" in response.json()["detail"]


@pytest.mark.parametrize("channel", ["facebook", "zalo", "email", "open311"])
def test_adapter_channels_cannot_be_claimed_through_the_json_api(client, personas, channel):
    response = _submit(client, headers=personas["ioc_operator"], channel=channel)
    assert response.status_code == 422
    assert channel in response.json()["detail"]


@pytest.mark.parametrize("channel", ["app", "web"])
def test_app_and_web_channels_are_accepted(client, channel):
    response = _submit(client, channel=channel)
    assert response.status_code == 201
    assert response.json()["channel"] == channel


def test_nfd_input_is_stored_as_nfc(client, personas, db):
    description = unicodedata.normalize("NFD", "Nước ngập sâu ở đường Hùng Vương, xe máy chết máy")
    title = unicodedata.normalize("NFD", "Ngập úng")
    name = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")
    address = unicodedata.normalize("NFD", "Phường Phú Hội")
    assert description != unicodedata.normalize("NFC", description)
    created = _submit(
        client,
        headers=personas["ioc_operator"],
        description=description,
        title=title,
        reporter={"name": name, "phone": "0905111222"},
        location={"lat": 16.46, "lon": 107.59, "address": address},
    ).json()
    with db.read() as session:
        report = session.get(Report, __import__("uuid").UUID(created["id"]))
        stored = [report.description, report.title, report.reporter_name, report.address]
    assert stored == [unicodedata.normalize("NFC", v) for v in (description, title, name, address)]
    assert created["description"] == "Nước ngập sâu ở đường Hùng Vương, xe máy chết máy"


def test_control_characters_are_stripped_but_line_breaks_kept(client):
    description = "Rác\x00 thải\x07 ứ đọng\r\ntrước chợ\u200b\x1b[31m Đông Ba\u202e\t(gấp)"
    created = _submit(client, description=description, title="\x08Rác\x7f").json()
    assert created["description"] == "Rác thải ứ đọng\ntrước chợ[31m Đông Ba\t(gấp)"
    assert created["title"] == "Rác"


def test_optional_text_that_is_blank_after_cleaning_is_absent(client, personas):
    created = _submit(
        client,
        headers=personas["ioc_operator"],
        title=" \x00 ",
        reporter={"name": "\t", "phone": "0905111222"},
        location={"lat": 16.46, "lon": 107.59, "address": "  "},
    ).json()
    assert created["title"] is None
    assert created["reporter"]["name"] is None
    assert created["location"]["address"] is None


def test_a_body_that_is_not_json_gets_422(client):
    response = client.post(REPORTS, content=b"{not json", headers={"Content-Type": "application/json"} | idem())
    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "json_invalid"


# ---- workflow action payloads -------------------------------------------------------------------


@pytest.fixture
def flow(client, personas, db) -> Flow:
    return Flow(client, personas, db)


def _act(client, personas, report_id, action, persona, payload=None, **headers):
    return client.post(f"{REPORTS}/{report_id}/actions/{action}", json=payload, headers=personas[persona] | headers)


def _transitions(db, report_id) -> int:
    with db.read() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.report_id == __import__("uuid").UUID(report_id), Event.kind == "transition")
            )
            or 0
        )


def test_an_unknown_action_gets_422(client, personas, flow):
    report = flow.submit()
    response = _act(client, personas, report["id"], "teleport", "ioc_operator", {})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "action"]


@pytest.mark.parametrize(
    ("action", "payload", "field"),
    [
        ("reject", {}, "reason"),
        ("reject", {"reason": ""}, "reason"),
        ("reject", {"reason": "   \n"}, "reason"),
        ("reject", {"reason": "Spam", "notify": False}, "notify"),
        ("reject", {"reason": "x" * 2001}, "reason"),
        ("dispatch", {}, "organization_id"),
        ("dispatch", {"organization_id": "SXD"}, "organization_id"),
        ("dispatch", {"organization_id": 1, "deadline": "tomorrow"}, "deadline"),
        ("mark_duplicate", {"duplicate_of_id": "PA-1234"}, "duplicate_of_id"),
        ("mark_duplicate", {}, "duplicate_of_id"),
    ],
)
def test_an_invalid_action_payload_gets_422_with_field_errors(client, personas, flow, db, action, payload, field):
    report = flow.submit()
    response = _act(client, personas, report["id"], action, "ioc_operator", payload)
    assert response.status_code == 422, response.text
    assert field in _fields(response)
    assert response.json()["errors"][0]["loc"][0] == "body"
    assert _transitions(db, report["id"]) == 0


def test_a_payload_that_is_not_an_object_gets_422(client, personas, flow):
    report = flow.submit()
    assert _act(client, personas, report["id"], "reject", "ioc_operator", ["Spam"]).status_code == 422
    assert _act(client, personas, report["id"], "reject", "ioc_operator", "Spam").status_code == 422


def test_the_return_payload_needs_a_reason_and_another_body(client, personas, flow, db):
    report = flow.act(flow.submit(), "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    missing_reason = _act(client, personas, report["id"], "return", "handler_a", {"suggested_organization_id": 1})
    assert "reason" in _fields(missing_reason)
    missing_body = _act(client, personas, report["id"], "return", "handler_a", {"reason": "Không thuộc thẩm quyền"})
    assert "suggested_organization_id" in _fields(missing_body)
    same_body = _act(
        client,
        personas,
        report["id"],
        "return",
        "handler_a",
        {"reason": "Không thuộc thẩm quyền", "suggested_organization_id": flow.orgs["SXD"]},
    )
    assert same_body.status_code == 422
    assert same_body.json()["detail"].startswith("suggested_organization_id")
    to_ioc = _act(
        client,
        personas,
        report["id"],
        "return",
        "handler_a",
        {"reason": "Không thuộc thẩm quyền", "suggested_organization_id": flow.orgs["IOC"]},
    )
    assert to_ioc.status_code == 422
    assert all(r.status_code == 422 for r in (missing_reason, missing_body))
    assert _transitions(db, report["id"]) == 1  # the dispatch only


def test_dispatch_to_an_unknown_inactive_or_ioc_body_gets_422(client, personas, flow, db):
    report = flow.submit()
    unknown = _act(client, personas, report["id"], "dispatch", "ioc_operator", {"organization_id": 999_999})
    assert unknown.status_code == 422
    assert unknown.json()["detail"].startswith("organization_id")
    to_ioc = _act(client, personas, report["id"], "dispatch", "ioc_operator", {"organization_id": flow.orgs["IOC"]})
    assert to_ioc.status_code == 422
    assert "IOC" in to_ioc.json()["detail"]
    with db.write() as session:
        session.get(Organization, flow.orgs["HEPCO"]).active = False
    inactive = _act(client, personas, report["id"], "dispatch", "ioc_operator", {"organization_id": flow.orgs["HEPCO"]})
    assert inactive.status_code == 422
    assert _transitions(db, report["id"]) == 0


def test_mark_duplicate_of_itself_or_of_an_unknown_report_is_refused(client, personas, flow):
    report = flow.submit()
    itself = _act(client, personas, report["id"], "mark_duplicate", "ioc_operator", {"duplicate_of_id": report["id"]})
    assert itself.status_code == 422
    unknown = _act(
        client,
        personas,
        report["id"],
        "mark_duplicate",
        "ioc_operator",
        {"duplicate_of_id": "00000000-0000-4000-8000-000000000000"},
    )
    assert unknown.status_code == 404


def test_if_match_with_the_current_version_is_accepted(client, personas, flow):
    report = flow.submit()
    current = client.get(f"{REPORTS}/{report['id']}", headers=personas["ioc_operator"])
    assert current.headers["etag"] == f'"{report["version"]}"'
    done = _act(
        client,
        personas,
        report["id"],
        "dispatch",
        "ioc_operator",
        {"organization_id": flow.orgs["SXD"]},
        **{"If-Match": current.headers["etag"]},
    )
    assert done.status_code == 200, done.text
    assert done.json()["version"] == report["version"] + 1
    assert done.headers["etag"] == f'"{report["version"] + 1}"'
    plain = _act(
        client, personas, report["id"], "acknowledge", "handler_a", {}, **{"If-Match": str(report["version"] + 1)}
    )
    assert plain.status_code == 200, plain.text
    weak = _act(
        client,
        personas,
        report["id"],
        "submit_result",
        "handler_a",
        {"result": "Đã xử lý"},
        **{"If-Match": f'W/"{report["version"] + 2}"'},
    )
    assert weak.status_code == 200, weak.text


def test_if_match_with_a_stale_version_gets_412_and_changes_nothing(client, personas, flow, db):
    report = flow.submit()
    stale = str(report["version"])
    flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    response = _act(
        client,
        personas,
        report["id"],
        "dispatch",
        "ioc_operator",
        {"organization_id": flow.orgs["PHUHOI"]},
        **{"If-Match": stale},
    )
    assert response.status_code == 412
    assert response.json()["code"] == "stale_version"
    assert _transitions(db, report["id"]) == 1
    now = client.get(f"{REPORTS}/{report['id']}", headers=personas["ioc_operator"]).json()
    assert now["organization_id"] == flow.orgs["SXD"]


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "", "v2", "1, 2"])
def test_if_match_that_is_not_a_version_gets_422(client, personas, flow, db, value):
    report = flow.submit()
    response = _act(
        client,
        personas,
        report["id"],
        "dispatch",
        "ioc_operator",
        {"organization_id": flow.orgs["SXD"]},
        **{"If-Match": value},
    )
    assert response.status_code == 422, response.text
    assert "If-Match" in response.json()["detail"]
    assert _transitions(db, report["id"]) == 0


def test_a_typed_address_without_a_point_is_a_location(client):
    """A hotline caller who names a street but not a point on the map."""
    response = _submit(client, location={"address": "12 Lê Lợi, Huế"})
    assert response.status_code == 201, response.text
    assert response.json()["location"] == {"lat": None, "lon": None, "address": "12 Lê Lợi, Huế"}
