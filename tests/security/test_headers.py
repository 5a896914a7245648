"""Every response carries the security header set: each route of the app, static files, errors (row 20)."""

from __future__ import annotations

import re
import uuid

import pytest
from starlette.routing import Mount

from paht.main import create_app
from tests.api.test_permissions import walk_routes
from tests.web.helpers import Browser

EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
PARAM = re.compile(r"{([^}:]+)(:[^}]+)?}")


def assert_hardened(response, *, production: bool = False) -> None:
    where = f"{response.request.method} {response.request.url.path} → {response.status_code}"
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, f"{where}: {name} is {response.headers.get(name)!r}"
    csp = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, where
    if not response.request.url.path.startswith(("/docs", "/redoc")):
        assert "'unsafe-inline'" not in csp and "script-src 'self'" in csp, f"{where}: {csp}"
    assert ("strict-transport-security" in response.headers) is production, where
    assert re.fullmatch(r"[A-Za-z0-9._:-]{8,64}", response.headers.get("x-request-id", "")), where
    content_type = response.headers.get("content-type", "")
    if content_type.startswith(("text/", "application/json")):
        assert "charset=utf-8" in content_type, f"{where}: {content_type}"


def _fill(path: str, known: dict[str, str]) -> str:
    """A concrete URL for a route path: real ids where the test has them, a fresh UUID or 1 elsewhere."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return known.get(name, "1" if name.endswith(("_id", "id")) and name != "report_id" else str(uuid.uuid4()))

    return PARAM.sub(value, path)


def _urls(app, known: dict[str, str]) -> dict[str, set[str]]:
    """URL → the methods its routes declare, for every route (through included routers), plus static files."""
    urls: dict[str, set[str]] = {}
    for method, path, _ in walk_routes(app.routes):
        urls.setdefault(_fill(path, known), set()).add(method)
    for route in app.routes:
        if isinstance(route, Mount) and route.path.startswith("/static/"):
            urls[f"{route.path}/app.css" if route.path == "/static/app" else f"{route.path}/missing.js"] = {"GET"}
    return urls


def test_every_route_answers_with_the_security_headers(app, flow, personas):
    report = flow.to_state("published")
    known = {"report_id": report["id"], "code": report["code"], "lang": "en", "kind": "facebook"}
    urls = _urls(app, known)
    assert len(urls) > 60  # the walk really covers the app, not a handful of routes
    staff = Browser(app)
    staff.login("ioc.operator")
    statuses = set()
    try:
        for url, methods in sorted(urls.items()):
            responses = [staff.get(url, headers=personas["ioc_operator"] | {"Accept": "text/html"})]
            if methods - {"GET"}:  # a bodiless POST: 405s, 422s and CSRF refusals are responses too
                responses.append(staff.client.post(url, headers=personas["ioc_operator"]))
            for response in responses:
                assert_hardened(response)
                assert response.status_code < 500, f"{url}: {response.status_code} {response.text[:300]}"
                statuses.add(response.status_code)
    finally:
        staff.close()
    assert {200, 404, 405, 422} <= statuses  # pages, error answers and refusals were all checked


def test_static_files_and_unknown_paths_carry_the_headers(client):
    for url in ("/static/app/app.js", "/static/app/app.css", "/static/app/missing.js", "/no-such-page", "/healthz"):
        assert_hardened(client.get(url))
    assert client.get("/static/app/app.js").headers["content-type"].startswith("text/javascript")


def test_a_browser_gets_an_html_404_page_and_the_api_gets_json(client):
    page = client.get("/khong-co-trang-nay", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "<html" in page.text and "Không tìm thấy" in page.text
    api = client.get("/api/v1/khong-co", headers={"Accept": "text/html"})
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/json; charset=utf-8"
    assert api.json()["code"] == "not_found"


def test_the_map_page_keeps_working_under_the_policy(client):
    page = client.get("/ban-do")
    assert page.status_code == 200
    assert "<script>" not in page.text  # no inline script: the CSP would block it
    for src in re.findall(r'<script[^>]* src="([^"]+)"', page.text):
        assert src.startswith("/") and not src.startswith("//"), src  # our own origin only (script-src 'self')
        assert client.get(src).status_code == 200, src


def test_the_tile_server_is_allowed_for_images_when_configured(settings, db):
    settings.map_tiles_url = "https://tile.example.vn/{z}/{x}/{y}.png"
    from fastapi.testclient import TestClient

    with TestClient(create_app(settings, db, worker=False)) as client:
        csp = client.get("/ban-do").headers["content-security-policy"]
    assert "img-src 'self' data: blob: https://tile.example.vn;" in csp


def test_a_routes_own_copies_of_the_set_are_replaced_not_doubled(settings, db):
    from fastapi import Response
    from fastapi.testclient import TestClient

    app = create_app(settings, db, worker=False)

    @app.get("/own-headers")
    def own_headers() -> Response:
        own = {
            "X-Frame-Options": "ALLOWALL",
            "Content-Security-Policy": "default-src *",
            "X-Request-ID": "forged-by-the-route",
            "Content-Type": "text/plain",
        }
        return Response("ok", headers=own | {"Set-Cookie": "theme=dark; Path=/"})

    with TestClient(app) as client:
        response = client.get("/own-headers", headers={"X-Request-ID": "from-the-proxy-1"})
    assert response.headers.get_list("x-frame-options") == ["DENY"]
    assert response.headers.get_list("x-request-id") == ["from-the-proxy-1"]
    [csp] = response.headers.get_list("content-security-policy")
    assert "frame-ancestors 'none'" in csp and "default-src *" not in csp
    assert response.headers.get_list("content-type") == ["text/plain; charset=utf-8"]
    assert response.headers["set-cookie"] == "theme=dark; Path=/; HttpOnly; SameSite=lax"


@pytest.fixture
def flow(client, personas, db):
    from tests.flow import Flow

    return Flow(client, personas, db)
