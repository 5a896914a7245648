"""Token login and the caller's own profile."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from paht.abuse import logins
from paht.abuse.client import client_ip
from paht.auth.policy import AccountPolicy
from paht.auth.service import issue_token, revoke_token, sign_in
from paht.deps import AppSettings, ReadSession, SignedIn, WriteSession, bearer
from paht.errors import NotAuthenticated, TotpEnrolmentRequired, TotpInvalid, TotpRequired
from paht.models import Organization, User
from paht.responses import errors

router = APIRouter(prefix="/api/v1", tags=["auth"], responses=errors(400, 401, 403, 422, 429))


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    totp_code: str | None = Field(
        None, max_length=16, description="The 6-digit authenticator code; required when the account has TOTP"
    )


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 — the OAuth2 token type, not a secret
    expires_in: int


class MeOut(BaseModel):
    id: int
    username: str
    full_name: str
    email: str | None
    phone: str | None
    roles: list[str]
    organization_id: int | None
    organization_code: str | None
    organization_name: str | None


@router.post("/auth/token", response_model=TokenOut)
def login(body: TokenRequest, request: Request, session: WriteSession, settings: AppSettings) -> Any:
    """Password login; a new token every time. Accounts with TOTP also send `totp_code`: missing → 401
    `totp_required`, wrong or already used → 401 `totp_invalid`, a required second factor not set up yet →
    401 `totp_enrolment_required` (set it up at the web sign-in); too many codes → 429 with Retry-After."""
    policy = AccountPolicy.from_settings(settings)
    ip = client_ip(request, settings.trusted_proxies)  # wrong-password limits (issue 8 item 3, paht.abuse.logins)
    logins.guard(session, username=body.username, ip=ip, settings=settings)
    try:
        user = sign_in(session, username=body.username, password=body.password, totp_code=body.totp_code, policy=policy)
    except TotpInvalid:
        session.commit()  # the wrong code's attempt counts (abuse limit), although the login fails
        raise
    except (TotpRequired, TotpEnrolmentRequired):
        raise  # the password was right: not a failed password attempt
    except NotAuthenticated:
        logins.failed(session, username=body.username, ip=ip, settings=settings)
        raise
    logins.succeeded(session, username=body.username, ip=ip, settings=settings)
    token, expires_in = issue_token(session, user=user, ttl_hours=settings.token_ttl_hours)
    session.commit()
    return TokenOut(access_token=token, expires_in=expires_in)


@router.post("/auth/logout", status_code=204)
def logout(
    session: WriteSession,
    actor: SignedIn,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """Revoke the token this request carries."""
    if credentials is not None:
        revoke_token(session, token=credentials.credentials)
        session.commit()


@router.get("/me", response_model=MeOut)
def me(session: ReadSession, actor: SignedIn) -> Any:
    user = session.get(User, actor.user_id)
    assert user is not None
    org = session.get(Organization, user.organization_id) if user.organization_id else None
    return MeOut(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        phone=user.phone,
        roles=sorted(user.role_names),
        organization_id=user.organization_id,
        organization_code=org.code if org else None,
        organization_name=org.name if org else None,
    )
