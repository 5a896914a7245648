"""The test world: a small city with two handling bodies (A = SXD, B = PHUHOI) and every persona."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.auth.passwords import hash_password
from paht.auth.service import issue_token, token_digest
from paht.demo.load import load_directory
from paht.models import ApiToken, Organization, User
from paht.users.service import create_user

PASSWORD = "demo12345"

# persona → username in the demo directory
PERSONAS = {
    "citizen": "citizen.demo",
    "citizen_b": "citizen.b",
    "handler_a": "sxd.handler",
    "leader_a": "sxd.leader",
    "handler_b": "phuhoi.handler",
    "leader_b": "phuhoi.leader",
    "parent_leader_b": "ubndtp.leader",
    "viewer_parent_b": "ubndtp.viewer",
    "ioc_operator": "ioc.operator",
    "ioc_editor": "ioc.editor",
    "admin": "admin",
}


def demo_totp_code(session: Session, username: str) -> str:
    """A code for a demo account with the demo TOTP key that its replay guard has not seen yet.

    A code is accepted once per 30-second step (and one step of drift), so a second sign-in of the same
    account within a step uses the next step's code. A person signing in a third time within the same
    30 seconds would wait for the next code; tests rewind the account's replay guard instead of sleeping
    (`session` must then be a writer).
    """
    from paht.auth.totp import STEP_SECONDS, code_at, step_at
    from paht.clock import utc_now
    from paht.demo.load import DEMO_TOTP_SECRET

    user = session.scalar(select(User).where(User.username == username))
    assert user is not None and user.totp_secret == DEMO_TOTP_SECRET, username
    now = utc_now()
    step = max(step_at(now), (user.totp_last_step or 0) + 1)
    if step > step_at(now) + 1:  # this step's and the next step's codes are both spent: rewind the guard
        step = step_at(now)
        user.totp_last_step = step - 1
        session.flush()
    return code_at(DEMO_TOTP_SECRET, now.fromtimestamp(step * STEP_SECONDS, now.tzinfo))


@lru_cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def seed_world(session: Session) -> None:
    load_directory(session)
    create_user(
        session,
        username="citizen.b",
        full_name="Trần Thị Bê",
        roles=["citizen"],
        password_hash=password_hash(),
        email="citizen.b@example.vn",
        phone="+84905000002",
    )


def tokens_for(session: Session, personas: dict[str, str]) -> dict[str, str]:
    tokens = {}
    for persona, username in personas.items():
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None, username
        tokens[persona], _ = issue_token(session, user=user, ttl_hours=1)
        # Persona tokens stand for API clients in the workflow and permission tests, which move the clock by
        # up to an hour between calls: they end at their 1-hour expiry, never idle. The idle timeout is
        # tested with tokens from real logins (tests/accounts/test_sessions.py).
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(tokens[persona])))
        row.last_used_at = row.expires_at
    return tokens


def org_id(session: Session, code: str) -> int:
    found = session.scalar(select(Organization.id).where(Organization.code == code))
    assert found is not None, code
    return found


def new_report_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "description": "Đèn đường trên đường Lê Lợi bị hỏng, buổi tối rất tối.",
        "title": "Đèn đường hỏng",
        "location": {"lat": 16.4637, "lon": 107.5909, "address": "12 Lê Lợi, phường Phú Hội, Huế"},
        "reporter": {"name": "Lê Văn Planted", "phone": "0905 111 222", "email": "planted@example.vn"},
        "consent": True,
    }
    body.update(overrides)
    return body


def idem() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}
