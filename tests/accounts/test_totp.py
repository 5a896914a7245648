"""TOTP second factor for staff (reliability-anchors row 19; ASVS 5.0 6.3.3 MFA at L2, 6.5.x one-time codes).

Traceability, ASVS id → test:
- 6.3.3 an IOC or admin login without its second factor is denied
    → test_an_ioc_login_without_the_code_is_denied_with_totp_required
- 6.3.3 a required second factor not yet set up: no token, set it up on the web first
    → test_a_required_second_factor_must_be_set_up_before_any_token
- 6.5.1 a code is accepted once → test_a_code_is_refused_when_replayed
- 6.5.x drift: one step either side accepted, older refused → test_the_code_of_the_previous_step_is_accepted_once
- 6.3.1/6.5.x brute force of codes limited → test_wrong_codes_are_limited_per_account_with_retry_after
- optional for other staff; once set up it is always asked → test_other_staff_sign_in_with_the_password_alone,
  test_staff_who_chose_totp_must_give_it
- admin reset of a lost factor, audited, ends sign-ins → test_an_admin_reset_is_audited_and_signs_the_user_out
- demo: `paht demo-totp` prints the demo code, refused outside demo accounts and in production
    → test_the_demo_code_command_prints_only_demo_codes
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from paht.auth import totp
from paht.auth.events import events_of
from paht.clock import set_now, utc_now
from paht.demo.load import DEMO_TOTP_SECRET
from paht.main import create_app
from paht.models import User
from tests.factories import PASSWORD

# The web runs on SQLite only in the suite (as tests/web does): its database work is the API's, tested on both.
WEB_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _login(client, username: str, code: str | None = None, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    body = {"username": username, "password": password} | ({"totp_code": code} if code is not None else {})
    return client.post("/api/v1/auth/token", json=body)


def _code(secret: str = DEMO_TOTP_SECRET, *, steps: int = 0) -> str:
    return totp.code_at(secret, utc_now() + timedelta(seconds=30 * steps))


def _user(db, username: str) -> User:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.scalar(select(User).where(User.username == username))


def test_an_ioc_login_without_the_code_is_denied_with_totp_required(client):
    missing = _login(client, "ioc.operator")  # ioc.editor and admin: the tests below
    assert missing.status_code == 401
    assert missing.json()["code"] == "totp_required"
    assert "mã xác thực" in missing.json()["detail"].lower()
    wrong = _login(client, "ioc.operator", "000000" if _code() != "000000" else "111111")
    assert wrong.status_code == 401 and wrong.json()["code"] == "totp_invalid"
    assert "access_token" not in wrong.json()
    ok = _login(client, "ioc.operator", _code())
    assert ok.status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {ok.json()['access_token']}"}).json()[
        "roles"
    ] == ["ioc_operator"]


def test_a_code_is_refused_when_replayed(client):
    set_now(utc_now())  # both attempts inside the same 30-second step
    code = _code()
    assert _login(client, "ioc.editor", code).status_code == 200
    replay = _login(client, "ioc.editor", code)
    assert replay.status_code == 401 and replay.json()["code"] == "totp_invalid"
    assert _login(client, "ioc.editor", _code(steps=1)).status_code == 200  # the next step's code is new


def test_the_code_of_the_previous_step_is_accepted_once(client):
    set_now(utc_now())
    assert _login(client, "admin", _code(steps=-2)).json()["code"] == "totp_invalid"  # 60 s old: too old
    assert _login(client, "admin", _code(steps=-1)).status_code == 200  # 30 s drift is allowed
    assert _login(client, "admin", _code(steps=-1)).status_code == 401


def test_wrong_codes_are_limited_per_account_with_retry_after(settings, db):
    settings = settings.model_copy(update={"totp_attempts": 2})  # fewer Argon2 logins; the rule is the same
    client = TestClient(create_app(settings, db, worker=False))
    set_now(utc_now())
    good = _code()
    wrong = next(c for c in ("000000", "111111", "222222") if c not in {good, _code(steps=-1), _code(steps=1)})
    statuses = [_login(client, "ioc.operator", wrong).status_code for _ in range(settings.totp_attempts)]
    assert statuses == [401] * settings.totp_attempts
    limited = _login(client, "ioc.operator", good)  # even the right code waits: the account is being guessed at
    assert limited.status_code == 429
    assert 0 < int(limited.headers["retry-after"]) <= settings.totp_attempt_window_seconds
    assert _login(client, "ioc.editor", _code()).status_code == 200  # another account is not affected
    set_now(utc_now() + timedelta(seconds=settings.totp_attempt_window_seconds + 1))
    assert _login(client, "ioc.operator", _code()).status_code == 200


def test_other_staff_sign_in_with_the_password_alone(client):
    assert _login(client, "sxd.handler", "").status_code == 200  # an empty code is no code


def test_a_required_second_factor_must_be_set_up_before_any_token(client, db):
    from paht.users.service import create_user

    with db.write() as session:
        create_user(session, username="new.admin", full_name="Quản trị mới", roles=["admin"],
                    organization_code="IOC", password="k7#vQ2mz-admin")  # fmt: skip
    refused = _login(client, "new.admin", password="k7#vQ2mz-admin")
    assert refused.status_code == 401 and refused.json()["code"] == "totp_enrolment_required"
    assert "trên web" in refused.json()["detail"]


def test_staff_who_chose_totp_must_give_it(client, db):
    from paht.auth.policy import AccountPolicy

    with db.write() as session:
        user = session.scalar(select(User).where(User.username == "sxd.handler"))
        secret = totp.start_enrolment(session, user)
        totp.confirm_enrolment(session, user, totp.code_at(secret, utc_now()), policy=AccountPolicy())
    assert _login(client, "sxd.handler").json()["code"] == "totp_required"
    assert _login(client, "sxd.handler", _code(secret, steps=1)).status_code == 200
    assert [e.kind for e in events_of_user(db, "sxd.handler")] == ["totp_enrolled"]


def events_of_user(db, username: str):  # type: ignore[no-untyped-def]
    with db.read() as session:
        return events_of(session, _user(db, username).id)


@WEB_ONLY
def test_an_admin_reset_is_audited_and_signs_the_user_out(client, db, browser):
    token = _login(client, "ioc.operator", _code()).json()["access_token"]
    operator = _user(db, "ioc.operator")
    admin = browser("admin")
    admin.get("/console/admin/users?q=ioc.operator")
    reset = admin.post(f"/console/admin/users/{operator.id}/totp")
    assert reset.status_code == 303 and "done=totp_reset" in reset.headers["location"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    after = _user(db, "ioc.operator")
    assert after.totp_secret is None and after.totp_last_step is None
    events = events_of_user(db, "ioc.operator")
    assert [(e.kind, e.by_user_id) for e in events] == [("totp_reset", _user(db, "admin").id)]
    assert _login(client, "ioc.operator").json()["code"] == "totp_enrolment_required"


def test_the_demo_code_command_prints_only_demo_codes(settings, monkeypatch):
    from paht.cli import app
    from paht.config import get_settings

    monkeypatch.setenv("PAHT_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        set_now(utc_now())
        shown = runner.invoke(app, ["demo-totp", "ioc.operator"])
        assert shown.exit_code == 0 and shown.output.strip() == _code()
        handler = runner.invoke(app, ["demo-totp", "sxd.handler"])
        assert handler.exit_code != 0 and "không phải tài khoản demo" in str(handler.exception)
        monkeypatch.setenv("PAHT_ENVIRONMENT", "production")
        get_settings.cache_clear()
        production = runner.invoke(app, ["demo-totp", "ioc.operator"])
        assert production.exit_code != 0 and "production" in str(production.exception)
    finally:
        get_settings.cache_clear()
