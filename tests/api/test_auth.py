"""Token login, logout, expiry, disabled accounts and the caller's profile."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from paht.clock import set_now, utc_now
from paht.models import ApiToken, User
from tests.factories import PASSWORD


def _login(client, username: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_login_gives_an_opaque_bearer_token_that_is_stored_hashed(client, db):
    response = _login(client, "sxd.handler")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 12 * 3600
    token = body["access_token"]
    assert len(token) >= 32
    with db.read() as session:
        stored = list(session.scalars(select(ApiToken.token_hash)))
    assert token not in stored
    me = client.get("/api/v1/me", headers=_bearer(token))
    assert me.status_code == 200
    assert me.json()["username"] == "sxd.handler"


def test_username_is_matched_case_insensitively(client):
    assert _login(client, "  SXD.Handler ").status_code == 200


def test_bad_password_and_unknown_user_get_the_same_401(client):
    wrong = _login(client, "sxd.handler", "not-the-password")
    unknown = _login(client, "nobody.here", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.json()["code"] == "not_authenticated"
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_a_disabled_user_cannot_log_in_and_their_tokens_stop_working(client, db):
    token = _login(client, "sxd.handler").json()["access_token"]
    with db.write() as session:
        session.scalar(select(User).where(User.username == "sxd.handler")).active = False
    assert _login(client, "sxd.handler").status_code == 401
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401


def test_login_body_is_validated(client):
    assert client.post("/api/v1/auth/token", json={"username": "sxd.handler"}).status_code == 422
    assert client.post("/api/v1/auth/token", json={"username": "", "password": "x"}).status_code == 422
    assert client.post("/api/v1/auth/token", content=b"username=a&password=b").status_code == 422


def test_logout_revokes_the_token_and_only_that_token(client):
    first = _login(client, "sxd.leader").json()["access_token"]
    second = _login(client, "sxd.leader").json()["access_token"]
    assert client.post("/api/v1/auth/logout", headers=_bearer(first)).status_code == 204
    assert client.get("/api/v1/me", headers=_bearer(first)).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=_bearer(first)).status_code == 401
    assert client.get("/api/v1/me", headers=_bearer(second)).status_code == 200


def test_logout_needs_a_token(client):
    assert client.post("/api/v1/auth/logout").status_code == 401


def test_an_expired_token_gets_401(client):
    token = _login(client, "sxd.handler").json()["access_token"]
    start = utc_now()
    for minutes in range(20, 12 * 60, 20):  # used every 20 minutes, so the 30-minute idle timeout never ends it
        set_now(start + timedelta(minutes=minutes))
        assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    set_now(start + timedelta(hours=11, minutes=59))
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    set_now(start + timedelta(hours=12, seconds=1))
    expired = client.get("/api/v1/me", headers=_bearer(token))
    assert expired.status_code == 401
    assert expired.headers["www-authenticate"] == "Bearer"


def test_a_made_up_or_malformed_token_gets_401(client):
    assert client.get("/api/v1/me", headers=_bearer("made-up")).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic c3hkOmRlbW8="}).status_code == 401


def test_me_needs_a_token(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_me_describes_a_staff_member_and_their_body(client, personas):
    me = client.get("/api/v1/me", headers=personas["leader_b"]).json()
    assert me["username"] == "phuhoi.leader"
    assert me["roles"] == ["leader"]
    assert me["organization_code"] == "PHUHOI"
    assert me["organization_name"] == "UBND phường Phú Hội"
    assert "password_hash" not in me


def test_me_describes_a_citizen_without_an_organisation(client, personas):
    me = client.get("/api/v1/me", headers=personas["citizen_b"]).json()
    assert me["username"] == "citizen.b"
    assert me["roles"] == ["citizen"]
    assert me["organization_id"] is None
    assert me["email"] == "citizen.b@example.vn"
