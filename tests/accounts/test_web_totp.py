"""Setting up TOTP on the web: at the first sign-in of a role that requires it, and by choice on the account page.

Traceability (ASVS 5.0): 6.3.3 MFA required for admin/IOC → test_a_new_admin_sets_up_totp_before_the_first_page;
6.4.x/6.6.x enrolment shows the secret once and only a confirmed code turns it on
→ test_a_handler_turns_on_totp_from_the_account_page.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from paht.auth import totp
from paht.auth.events import events_of
from paht.clock import utc_now
from paht.models import User
from paht.users.service import create_user
from tests.web.helpers import Browser

SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')

# The web runs on SQLite only in the suite (as tests/web does): its database work is the API's, tested on both.
WEB_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@WEB_ONLY
def test_a_new_admin_sets_up_totp_before_the_first_page(app, db):
    with db.write() as session:
        create_user(session, username="new.admin", full_name="Quản trị mới", roles=["admin"],
                    organization_code="IOC", password="k7#vQ2mz-admin")  # fmt: skip
    visitor = Browser(app)
    visitor.get("/dang-nhap")
    password_ok = visitor.post("/dang-nhap", {"username": "new.admin", "password": "k7#vQ2mz-admin"})
    assert password_ok.headers["location"] == "/dang-nhap/xac-thuc"
    page = visitor.follow(password_ok)
    assert page.status_code == 200 and "<svg" in page.text and "Xác thực hai bước" in page.text
    secret = SECRET.search(page.text).group(1)
    assert visitor.get("/console/admin/users").status_code == 303  # nothing opens before the code
    wrong = visitor.post("/dang-nhap/xac-thuc", {"code": "abcdef"})
    assert wrong.status_code == 401 and SECRET.search(wrong.text).group(1) == secret  # the same key, still pending
    done = visitor.post("/dang-nhap/xac-thuc", {"code": totp.code_at(secret, utc_now())})
    assert done.status_code == 303 and done.headers["location"] == "/console/admin/organizations"
    assert visitor.get("/console/admin/users").status_code == 200
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == "new.admin"))
        assert (user.totp_secret, user.totp_pending_secret) == (secret, None)
        assert [e.kind for e in events_of(session, user.id)] == ["totp_enrolled"]
    visitor.close()


@WEB_ONLY
def test_a_handler_turns_on_totp_from_the_account_page(browser, db):
    handler = browser("hepco.handler")
    page = handler.get("/tai-khoan")
    assert "Không bắt buộc với vai trò của bạn" in page.text
    started = handler.post("/tai-khoan/xac-thuc")
    secret = SECRET.search(started.text).group(1)
    with db.read() as session:
        assert session.scalar(select(User.totp_secret).where(User.username == "hepco.handler")) is None
    wrong = handler.post("/tai-khoan/xac-thuc/xac-nhan", {"code": "000000"})
    assert wrong.status_code == 401 and "Mã xác thực không đúng" in wrong.text
    confirmed = handler.post("/tai-khoan/xac-thuc/xac-nhan", {"code": totp.code_at(secret, utc_now())})
    assert confirmed.headers["location"] == "/tai-khoan?done=totp"
    assert "Đã bật xác thực hai bước" in handler.get("/tai-khoan?done=totp").text
    again = browser(None)
    again.get("/dang-nhap")
    asked = again.post("/dang-nhap", {"username": "hepco.handler", "password": "demo12345"})
    assert asked.headers["location"] == "/dang-nhap/xac-thuc"
