"""Token login and the caller's own profile."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from paht.auth.service import authenticate, issue_token, revoke_token
from paht.deps import AppSettings, ReadSession, SignedIn, WriteSession, bearer
from paht.models import Organization, User

router = APIRouter(prefix="/api/v1", tags=["auth"])


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


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
def login(body: TokenRequest, session: WriteSession, settings: AppSettings) -> Any:
    user = authenticate(session, username=body.username, password=body.password)
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
