"""Sessions and tokens of staff accounts (reliability-anchors row 19; ASVS 5.0 chapter 7).

Traceability, ASVS id → test:
- 7.2.3 reference tokens of ≥ 128 bits from a CSPRNG, stored hashed
    → tests/api/test_auth.py::test_login_gives_an_opaque_bearer_token_that_is_stored_hashed (256 bits, SHA-256)
- 7.2.4 a new token at every login; the pre-login session is dropped
    → test_each_api_login_gives_a_new_token, test_the_web_session_id_rotates_at_login_and_after_the_second_factor
- 7.3.1 inactivity timeout (default 30 min, setting; 15 min for TCVN level 3)
    → test_an_api_token_idle_for_more_than_its_timeout_gets_401, test_a_15_minute_idle_timeout_is_one_setting_away,
      tests/web/test_sessions.py::test_a_session_ends_after_the_idle_timeout_but_activity_keeps_it_alive
- 7.3.1 without a write per request → test_a_token_records_its_use_at_most_once_a_minute
- 7.3.2 absolute timeout 12 h → test_an_api_token_ends_after_12_hours_however_active,
    tests/web/test_sessions.py::test_a_session_ends_at_the_absolute_timeout_however_active
- 7.4.1 logout revokes → tests/api/test_auth.py::test_logout_revokes_the_token_and_only_that_token,
    tests/web/test_sessions.py::test_signing_out_revokes_the_session_even_for_a_copied_cookie
- 7.4.2 disabling an account or changing its password ends every session and token at once
    → test_disabling_an_account_kills_its_live_token_and_web_session,
      test_a_password_change_ends_every_other_sign_in_and_keeps_this_one_on_a_new_session
- a half-finished sign-in (password without code) opens nothing → test_a_sign_in_waiting_for_its_code_opens_no_page
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paht.auth import totp
from paht.clock import set_now, utc_now
from paht.demo.load import DEMO_TOTP_SECRET
from paht.main import create_app
from paht.models import ApiToken, User, WebSession
from paht.web.auth import PENDING_COOKIE
from tests.factories import PASSWORD
from tests.web.helpers import Browser

# The web runs on SQLite only in the suite (as tests/web does): its database work is the API's, tested on both.
WEB_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _token(client, username: str = "sxd.handler") -> str:  # type: ignore[no-untyped-def]
    body = {"username": username, "password": PASSWORD}
    if username.startswith(("ioc.", "admin")):
        body["totp_code"] = totp.code_at(DEMO_TOTP_SECRET, utc_now())
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def _me(client, token: str) -> int:  # type: ignore[no-untyped-def]
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_each_api_login_gives_a_new_token(client):
    first, second = _token(client), _token(client)
    assert first != second and _me(client, first) == _me(client, second) == 200


def test_an_api_token_idle_for_more_than_its_timeout_gets_401(client, settings):
    start = utc_now()
    token = _token(client)
    set_now(start + timedelta(minutes=settings.token_idle_minutes - 1))
    assert _me(client, token) == 200  # used: the idle clock starts again
    set_now(start + timedelta(minutes=2 * settings.token_idle_minutes - 2))
    assert _me(client, token) == 200
    set_now(start + timedelta(minutes=3 * settings.token_idle_minutes))
    expired = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert expired.status_code == 401 and "không hoạt động" in expired.json()["detail"]


def test_a_15_minute_idle_timeout_is_one_setting_away(settings, db):
    app = create_app(settings.model_copy(update={"token_idle_minutes": 15}), db, worker=False)
    with TestClient(app) as client:
        start = utc_now()
        token = _token(client)
        set_now(start + timedelta(minutes=14))
        assert _me(client, token) == 200
        set_now(start + timedelta(minutes=29, seconds=1))
        assert _me(client, token) == 401


def test_a_token_records_its_use_at_most_once_a_minute(client, db):
    start = utc_now()
    set_now(start)
    token = _token(client)

    def last_used():  # type: ignore[no-untyped-def]
        with db.read() as session:
            return session.scalar(select(ApiToken.last_used_at).order_by(ApiToken.id.desc()).limit(1))

    for seconds in (10, 30, 59):
        set_now(start + timedelta(seconds=seconds))
        assert _me(client, token) == 200
    assert last_used() == start  # no write for these three requests
    set_now(start + timedelta(seconds=61))
    assert _me(client, token) == 200
    assert last_used() == start + timedelta(seconds=61)


def test_an_api_token_ends_after_12_hours_however_active(client, settings):
    start = utc_now()
    token = _token(client)
    moment = start
    while moment < start + timedelta(hours=settings.token_ttl_hours) - timedelta(minutes=25):
        moment += timedelta(minutes=25)
        set_now(moment)
        assert _me(client, token) == 200
    set_now(start + timedelta(hours=settings.token_ttl_hours, seconds=1))
    assert _me(client, token) == 401


def test_disabling_an_account_kills_its_live_token_and_web_session(client, browser, db):
    token = _token(client, "ioc.operator")
    operator = browser("ioc.operator")
    assert operator.get("/console/ioc/triage").status_code == 200 and _me(client, token) == 200
    with db.read() as session:
        user_id = session.scalar(select(User.id).where(User.username == "ioc.operator"))
    admin = browser("admin")
    admin.get("/console/admin/users?q=ioc.operator")
    assert admin.post(f"/console/admin/users/{user_id}/active", {"active": "0"}).status_code == 303
    assert _me(client, token) == 401  # the very next request
    assert operator.get("/console/ioc/triage").status_code == 303
    with db.read() as session:
        assert all(t.revoked_at for t in session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)))


@WEB_ONLY
def test_the_web_session_id_rotates_at_login_and_after_the_second_factor(app, db):
    visitor = Browser(app)
    visitor.login("sxd.handler")
    before = visitor.client.cookies.get("paht_session")
    visitor.get("/console/body/inbox")  # signed in, the page's form token is the session's
    pending = visitor.post("/dang-nhap", {"username": "ioc.editor", "password": PASSWORD})
    waiting = visitor.client.cookies.get(PENDING_COOKIE)
    assert waiting and waiting != before
    done = visitor.second_factor(pending)
    after = visitor.client.cookies.get("paht_session")
    assert done.status_code == 303 and after not in (before, waiting)
    with db.read() as session:
        rows = list(session.scalars(select(WebSession).order_by(WebSession.id)))
    assert [(r.pending_step, r.revoked_at is not None) for r in rows] == [(None, True), ("verify", True), (None, False)]
    for old in (before, waiting):  # neither the pre-login session nor the half-way one opens a page
        stale = TestClient(app, follow_redirects=False, cookies={"paht_session": old})
        assert stale.get("/console").status_code == 303
        stale.close()
    visitor.close()


@WEB_ONLY
def test_a_sign_in_waiting_for_its_code_opens_no_page(app):
    visitor = Browser(app)
    visitor.get("/dang-nhap")
    visitor.post("/dang-nhap", {"username": "admin", "password": PASSWORD})
    waiting = visitor.client.cookies.get(PENDING_COOKIE)
    thief = TestClient(app, follow_redirects=False, cookies={"paht_session": waiting})
    assert thief.get("/console/admin/users").status_code == 303
    wrong = visitor.post("/dang-nhap/xac-thuc", {"code": "12345"})
    assert wrong.status_code == 401 and "Mã xác thực không đúng hoặc đã được dùng" in wrong.text
    assert visitor.get("/console/admin/users").status_code == 303
    thief.close()
    visitor.close()


@WEB_ONLY
def test_a_password_change_ends_every_other_sign_in_and_keeps_this_one_on_a_new_session(client, browser, db):
    token = _token(client)
    elsewhere = browser("sxd.handler")
    here = browser("sxd.handler")
    before = here.client.cookies.get("paht_session")
    here.get("/tai-khoan")
    weak = here.post("/tai-khoan/mat-khau", {"current": PASSWORD, "new": "sxd.handler2026"})
    assert weak.status_code == 422 and "không được chứa tên đăng nhập" in weak.text
    wrong = here.post("/tai-khoan/mat-khau", {"current": "not-it", "new": "chiều tím trên sông Hương"})
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng" in wrong.text
    changed = here.post("/tai-khoan/mat-khau", {"current": PASSWORD, "new": "chiều tím trên sông Hương"})
    assert changed.status_code == 303
    assert here.client.cookies.get("paht_session") != before
    assert here.get("/console/body/inbox").status_code == 200
    assert elsewhere.get("/console/body/inbox").status_code == 303
    assert _me(client, token) == 401
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == "sxd.handler"))
        from paht.auth.events import events_of

        assert [e.kind for e in events_of(session, user.id)] == ["password_changed"]
