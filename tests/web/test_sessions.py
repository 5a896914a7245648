"""Browser sessions: cookie flags, CSRF on every form, idle and absolute timeouts, sign-out, fixation, redirects."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from paht.clock import set_now, utc_now
from paht.main import create_app
from tests.web.helpers import Browser, csrf_of


def _cookie_header(response, name: str) -> str:  # type: ignore[no-untyped-def]
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}="))


def test_signing_in_sets_an_http_only_same_site_cookie_and_lands_on_the_role_home(browser):
    visitor = browser(None)
    visitor.get("/dang-nhap")
    response = visitor.post("/dang-nhap", {"username": "ioc.operator", "password": "demo12345"})
    assert response.status_code == 303
    assert response.headers["location"] == "/dang-nhap/xac-thuc"  # the IOC's second factor comes next
    assert "paht_session=" not in response.headers.get("set-cookie", "")
    response = visitor.second_factor(response)
    assert response.headers["location"] == "/console/ioc/triage"
    cookie = _cookie_header(response, "paht_session").lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # development: plain http on loopback
    page = visitor.get("/console/ioc/triage")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_in_production_the_session_cookie_is_secure(settings, db):
    app = create_app(settings.model_copy(update={"environment": "production"}), db, worker=False)
    visitor = Browser(app, base_url="https://testserver")  # secure cookies travel over https only
    visitor.get("/dang-nhap")
    response = visitor.second_factor(visitor.post("/dang-nhap", {"username": "admin", "password": "demo12345"}))
    assert response.status_code == 303
    assert "secure" in _cookie_header(response, "paht_session").lower()
    visitor.close()


def test_a_wrong_password_is_refused_and_the_username_kept(browser):
    visitor = browser(None)
    visitor.get("/dang-nhap")
    response = visitor.post("/dang-nhap", {"username": "ioc.operator", "password": "wrong-password"})
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.text
    assert 'value="ioc.operator"' in response.text
    assert "paht_session" not in response.headers.get("set-cookie", "")


def test_every_form_needs_its_csrf_token(browser):
    visitor = browser(None)
    visitor.get("/dang-nhap")
    creds = {"username": "ioc.operator", "password": "demo12345"}
    assert visitor.post("/dang-nhap", creds, csrf=False).status_code == 403
    assert visitor.post("/dang-nhap", creds | {"csrf_token": "x" * 43}).status_code == 403
    foreign = visitor.post("/dang-nhap", creds, headers={"Origin": "https://attacker.example"})
    assert foreign.status_code == 403
    assert "hết hạn" in foreign.text
    visitor.second_factor(visitor.post("/dang-nhap", creds))
    # Signed in, the token is the session's: the anonymous one no longer works.
    old = visitor.csrf
    page = visitor.get("/console/ioc/hotline")
    assert csrf_of(page.text) != old
    refused = visitor.post("/console/ioc/hotline", {"description": "x", "phone": "0905000000", "csrf_token": old})
    assert refused.status_code == 403


def test_a_session_ends_after_the_idle_timeout_but_activity_keeps_it_alive(browser, settings):
    visitor = browser("ioc.editor")
    start = utc_now()
    set_now(start + timedelta(minutes=settings.session_idle_minutes - 5))
    assert visitor.get("/console/ioc/editor").status_code == 200
    set_now(start + timedelta(minutes=2 * settings.session_idle_minutes - 10))
    assert visitor.get("/console/ioc/editor").status_code == 200  # idle time counts from the last request
    set_now(start + timedelta(minutes=3 * settings.session_idle_minutes))
    response = visitor.get("/console/ioc/editor")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/dang-nhap?next=%2Fconsole%2Fioc%2Feditor")


def test_a_session_ends_at_the_absolute_timeout_however_active(browser, settings):
    visitor = browser("ioc.editor")
    start = utc_now()
    step = timedelta(minutes=settings.session_idle_minutes - 5)
    moment = start
    while moment + step < start + timedelta(hours=settings.session_absolute_hours):
        moment += step
        set_now(moment)
        assert visitor.get("/console/ioc/editor").status_code == 200
    set_now(start + timedelta(hours=settings.session_absolute_hours, minutes=1))
    assert visitor.get("/console/ioc/editor").status_code == 303


def test_signing_out_revokes_the_session_even_for_a_copied_cookie(browser, app):
    visitor = browser("sxd.leader")
    cookie = visitor.client.cookies.get("paht_session")
    visitor.get("/console/body/approvals")
    response = visitor.post("/dang-xuat")
    assert response.status_code == 303
    thief = TestClient(app, follow_redirects=False, cookies={"paht_session": cookie})
    assert thief.get("/console/body/approvals").status_code == 303
    thief.close()


def test_signing_in_again_replaces_the_previous_session(browser, app):
    visitor = browser("sxd.handler")
    first = visitor.client.cookies.get("paht_session")
    visitor.get("/console/body/inbox")
    response = visitor.post("/dang-nhap", {"username": "sxd.leader", "password": "demo12345"})
    assert response.status_code == 303
    assert visitor.client.cookies.get("paht_session") != first
    stale = TestClient(app, follow_redirects=False, cookies={"paht_session": first})
    assert stale.get("/console/body/inbox").status_code == 303  # the old session id is dead (no fixation)
    stale.close()


def test_the_next_parameter_only_leads_within_the_site(browser):
    visitor = browser(None)
    visitor.get("/dang-nhap?next=//attacker.example/x")
    response = visitor.post(
        "/dang-nhap", {"username": "admin", "password": "demo12345", "next": "//attacker.example/x"}
    )
    response = visitor.second_factor(response)
    assert response.headers["location"] == "/console/admin/organizations"
    switch = visitor.get("/ngon-ngu/en?next=https://attacker.example")
    assert switch.headers["location"] == "/"


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(browser):
    visitor = browser(None)
    response = visitor.get("/console/ioc/deadlines?status=overdue")
    assert response.status_code == 303
    target = response.headers["location"]
    assert target == "/dang-nhap?next=%2Fconsole%2Fioc%2Fdeadlines%3Fstatus%3Doverdue"
    page = visitor.get(target)
    signed = visitor.post(
        "/dang-nhap",
        {"username": "ioc.operator", "password": "demo12345", "next": "/console/ioc/deadlines?status=overdue"},
    )
    signed = visitor.second_factor(signed)
    assert signed.headers["location"] == "/console/ioc/deadlines?status=overdue"
    assert page.status_code == 200


def test_a_disabled_account_is_signed_out_at_once(browser, db):
    from sqlalchemy import select

    from paht.models import User
    from paht.users.service import set_active

    visitor = browser("phuhoi.handler")
    assert visitor.get("/console/body/inbox").status_code == 200
    with db.write() as session:
        user = session.scalar(select(User).where(User.username == "phuhoi.handler"))
        set_active(session, user.id, active=False)
    assert visitor.get("/console/body/inbox").status_code == 303
