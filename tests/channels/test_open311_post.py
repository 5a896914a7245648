"""Open311 POST requests, tokens and API keys — every call in XML and JSON, with every error case."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from paht.models import Open311Key, Report
from tests.channels.open311 import BASE, KEY, errors_of, form, post, xml

FORMATS = ["json", "xml"]


def created_id(response) -> str:
    if response.headers["content-type"].startswith("application/json"):
        [item] = response.json()
        return item["service_request_id"]
    root = xml(response)
    assert root.tag == "service_requests"
    [item] = root.findall("request")
    return item.findtext("service_request_id")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_posted_request_becomes_a_report_of_the_open311_channel(client, db, fmt):
    answer = post(client, fmt, **{"attribute[khan_cap]": "co", "attribute[tieu_de]": "Đèn Lê Lợi tắt"})
    assert answer.status_code == 200, answer.text
    code = created_id(answer)
    with db.read() as session:
        report = session.scalar(select(Report).where(Report.code == code))
    assert report.channel == "open311" and report.state == "received"
    assert report.title == "Đèn Lê Lợi tắt" and report.urgent is True
    assert (report.lat, report.lon, report.address) == (16.46371, 107.59088, "12 Lê Lợi, phường Phú Hội, Huế")
    assert (report.reporter_name, report.reporter_email, report.reporter_phone) == (
        "Trần Văn Bình",
        "binh.tran@example.vn",
        "+84905222333",
    )
    if fmt == "json":
        [item] = answer.json()
        assert set(item) == {"service_request_id", "service_notice", "account_id"}  # an id or a token, never both


def test_an_address_alone_is_a_location_and_contact_details_are_optional(client, db):
    answer = post(client, lat=None, long=None, first_name=None, last_name=None, email=None, phone=None)
    assert answer.status_code == 200, answer.text
    with db.read() as session:
        report = session.scalar(select(Report).where(Report.code == created_id(answer)))
    assert report.lat is None and "Địa chỉ (address): 12 Lê Lợi" in report.description
    assert report.reporter_email is None and report.category_id is not None


def test_empty_arguments_count_as_absent(client):
    assert post(client, lat="", long="", address_string="", address_id="A-42", email="").status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("overrides", "status", "words"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "not-a-key"}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "KHONG_CO"}, 404, "KHONG_CO"),
        ({"lat": None, "long": None, "address_string": None}, 400, "vị trí"),
        ({"long": None}, 400, "lat và long"),
        ({"lat": "north", "long": "east"}, 400, "lat/long"),
        ({"lat": "95", "long": "107"}, 400, "lat/long"),
        ({"description": "x" * 4001}, 400, "4000"),
        ({"attribute[khan_cap]": "rat-gap"}, 400, "khan_cap"),
        ({"email": "khong-phai-email"}, 400, "email"),
        ({"phone": "12"}, 400, "điện thoại"),
        ({"jurisdiction_id": "danang.gov.vn"}, 404, "jurisdiction"),
    ],
)
def test_every_post_error_has_the_specs_document_and_status(client, db, fmt, overrides, status, words):
    answer = post(client, fmt, **overrides)
    assert answer.status_code == status, answer.text
    [(code, description)] = errors_of(answer)
    assert code == str(status)
    assert words.lower() in description.lower()
    with db.read() as session:
        assert session.scalars(select(Report)).all() == []  # nothing half-made


def test_an_unknown_format_is_a_missing_resource_answered_in_xml(client):
    answer = client.post(f"{BASE}/requests.csv", data=form())
    assert answer.status_code == 404
    [(code, description)] = errors_of(answer)
    assert code == "404" and ".xml" in description


def test_a_revoked_key_is_refused(client, db):
    with db.write() as session:
        session.scalar(select(Open311Key)).revoked_at = session.scalar(select(Open311Key)).created_at
    assert post(client).status_code == 403


@pytest.mark.parametrize("fmt", FORMATS)
def test_batch_mode_answers_a_token_that_resolves_to_the_request(db, settings, fmt):
    from fastapi.testclient import TestClient

    from paht.main import create_app

    with TestClient(create_app(settings.model_copy(update={"open311_service_type": "batch"}), db, worker=False)) as c:
        answer = post(c, fmt)
        assert answer.status_code == 200
        if fmt == "json":
            [item] = answer.json()
            assert "service_request_id" not in item
            token = item["token"]
        else:
            [item] = xml(answer).findall("request")
            assert item.find("service_request_id") is None
            token = item.findtext("token")
        resolved = c.get(f"{BASE}/tokens/{token}.{fmt}")
        assert resolved.status_code == 200
        if fmt == "json":
            [found] = resolved.json()
            pair = (found["service_request_id"], found["token"])
        else:
            [found] = xml(resolved).findall("request")
            pair = (found.findtext("service_request_id"), found.findtext("token"))
        with db.read() as session:
            assert pair == (session.scalar(select(Report.code)), token)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_token_is_404(client, fmt):
    answer = client.get(f"{BASE}/tokens/khong-co-token.{fmt}")
    assert answer.status_code == 404
    assert errors_of(answer)[0][0] == "404"


def test_administrators_manage_keys_and_a_new_key_works_until_revoked(client, personas):
    assert client.get("/api/v1/admin/open311-keys").status_code == 401
    assert client.get("/api/v1/admin/open311-keys", headers=personas["ioc_operator"]).status_code == 403
    listed = client.get("/api/v1/admin/open311-keys", headers=personas["admin"]).json()
    assert [k["key_prefix"] for k in listed] == [KEY[:8]] and "api_key" not in listed[0]
    created = client.post("/api/v1/admin/open311-keys", json={"name": "Ứng dụng Hue-S"}, headers=personas["admin"])
    assert created.status_code == 201
    key = created.json()["api_key"]
    assert post(client, api_key=key).status_code == 200
    revoked = client.post(f"/api/v1/admin/open311-keys/{created.json()['id']}/revoke", headers=personas["admin"])
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert post(client, api_key=key).status_code == 403
    assert post(client).status_code == 200  # the other key is untouched
    assert client.post("/api/v1/admin/open311-keys", json={"name": ""}, headers=personas["admin"]).status_code == 422
    assert client.post("/api/v1/admin/open311-keys/999/revoke", headers=personas["admin"]).status_code == 404


def test_the_cli_creates_lists_and_revokes_keys(database_url, tmp_path):
    import os
    import subprocess
    import sys

    env = os.environ | {"PAHT_DATABASE_URL": database_url, "PAHT_DATA_DIR": str(tmp_path)}

    def paht(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "paht.cli", "open311-key", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    created = paht("create", "Cổng dịch vụ công")
    key_id, secret = created.split()[1], created.split()[-1]
    assert secret.startswith("o311_")
    assert "Cổng dịch vụ công" in paht("list")
    assert "revoked" in paht("revoke", key_id)
    assert "revoked" in paht("list")
