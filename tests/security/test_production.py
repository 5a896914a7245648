"""The production profile: no API docs, HSTS, Secure cookies; CORS only for allowed origins; generic 500s."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from paht.main import create_app
from tests.security.test_headers import assert_hardened
from tests.web.helpers import Browser

ALLOWED = "https://app.hue.gov.vn"


@pytest.fixture
def production(settings, db) -> Iterator[TestClient]:
    settings.environment = "production"
    app = create_app(settings, db, worker=False)
    with TestClient(app, base_url="https://testserver") as client:
        yield client


def test_production_hides_the_api_docs_and_sends_hsts(production):
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        response = production.get(path)
        assert response.status_code == 404, path
        assert_hardened(response, production=True)
    assert production.get("/healthz").headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_the_docs_can_be_switched_back_on_in_production(settings, db):
    settings.environment, settings.api_docs = "production", True
    with TestClient(create_app(settings, db, worker=False)) as client:
        assert client.get("/openapi.json").status_code == 200
        docs = client.get("/docs")
    assert docs.status_code == 200
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]


def test_development_serves_the_docs_without_hsts(client):
    assert client.get("/openapi.json").status_code == 200
    assert "strict-transport-security" not in client.get("/healthz").headers


def _set_cookies(response) -> list[str]:
    return response.headers.get_list("set-cookie")


def test_production_cookies_are_secure_httponly_and_samesite(settings, db):
    settings.environment = "production"
    visitor = Browser(create_app(settings, db, worker=False), base_url="https://testserver")
    try:
        cookies = _set_cookies(visitor.get("/dang-nhap"))  # the anonymous CSRF cookie
        cookies += _set_cookies(visitor.post("/dang-nhap", {"username": "citizen.demo", "password": "demo12345"}))
        cookies += _set_cookies(visitor.get("/ngon-ngu/en"))  # the language choice
    finally:
        visitor.close()
    names = {cookie.split("=", 1)[0] for cookie in cookies}
    assert {"paht_csrf", "lang"} <= names and any("session" in name for name in names), cookies
    for cookie in cookies:
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert {"secure", "httponly"} <= flags, cookie
        assert {"samesite=lax", "samesite=strict"} & flags, cookie


def test_development_cookies_are_httponly_but_not_secure(client):
    for cookie in _set_cookies(client.get("/dang-nhap")):
        assert "HttpOnly" in cookie and "Secure" not in cookie


# ---- CORS -------------------------------------------------------------------------------------------


def _preflight(client: TestClient, origin: str):
    return client.options(
        "/api/v1/reports",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,idempotency-key",
        },
    )


def test_no_cors_headers_by_default(client):
    response = client.get("/api/v1/categories", headers={"Origin": ALLOWED})
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-origin" not in _preflight(client, ALLOWED).headers


def test_an_allowed_origin_passes_the_preflight_and_others_do_not(settings, db):
    settings.cors_allowed_origins = [ALLOWED]
    with TestClient(create_app(settings, db, worker=False)) as client:
        allowed = _preflight(client, ALLOWED)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ALLOWED
        assert "idempotency-key" in allowed.headers["access-control-allow-headers"].lower()
        assert_hardened(allowed)
        simple = client.get("/api/v1/categories", headers={"Origin": ALLOWED})
        assert simple.headers["access-control-allow-origin"] == ALLOWED
        assert "X-Request-ID" in simple.headers["access-control-expose-headers"]

        for stranger in ("https://evil.example", "https://app.hue.gov.vn.evil.example", "null"):
            refused = _preflight(client, stranger)
            assert refused.status_code == 400
            assert "access-control-allow-origin" not in refused.headers
            answered = client.get("/api/v1/categories", headers={"Origin": stranger})
            assert "access-control-allow-origin" not in answered.headers


# ---- unhandled exceptions ---------------------------------------------------------------------------


class Boom(RuntimeError):
    pass


@pytest.fixture
def failing(settings, db) -> Iterator[TestClient]:
    """The app with two routes that raise an exception nothing handles (a bug, as far as the client knows)."""
    app = create_app(settings, db, worker=False)
    broken = APIRouter()

    @broken.get("/api/v1/boom")
    def api_boom() -> None:
        raise Boom("secret internals: /srv/paht/db.py line 42, password=hunter2")

    @broken.get("/trang-loi")
    def page_boom() -> None:
        raise Boom("secret internals: /srv/paht/db.py line 42, password=hunter2")

    app.include_router(broken)
    with TestClient(app) as client:
        yield client


def test_an_unhandled_api_error_is_a_generic_json_with_the_request_id(failing, caplog):
    with caplog.at_level(logging.ERROR, logger="paht.errors"):
        response = failing.get("/api/v1/boom")
    assert response.status_code == 500
    assert_hardened(response)
    request_id = response.headers["x-request-id"]
    assert response.json() == {
        "detail": "Đã có lỗi xảy ra; vui lòng thử lại sau (something went wrong; please try again later).",
        "code": "server_error",
        "request_id": request_id,
    }
    assert "secret" not in response.text and "Traceback" not in response.text
    [record] = [r for r in caplog.records if r.name == "paht.errors"]
    assert request_id in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is Boom  # the traceback is in the log, with the id


def test_an_unhandled_page_error_is_a_generic_html_page(failing):
    response = failing.get("/trang-loi", headers={"Accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["x-request-id"] in response.text
    assert "secret" not in response.text and "Traceback" not in response.text
    assert failing.get("/healthz").status_code == 200  # the server still answers


REQUEST_IDS = [
    ("req-2026-11-28-abcdef", True),
    ("3f2b9c1e-8a7d-4e21-9b0c-5d6e7f809a1b", True),
    ("short", False),
    ("x" * 65, False),
    ("<script>alert(1)</script>", False),
    ("id with spaces 123", False),
]


def test_a_sane_incoming_request_id_is_kept_and_anything_else_replaced(client):
    for sent, kept in REQUEST_IDS:
        response = client.get("/healthz", headers={"X-Request-ID": sent})
        answered = response.headers.get_list("x-request-id")
        assert len(answered) == 1 and (answered[0] == sent) is kept, (sent, answered)
        assert re.fullmatch(r"[A-Za-z0-9._:-]{8,64}", answered[0])
