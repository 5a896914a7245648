"""Administrators manage Open311 API keys: create (the key is shown once), list, revoke."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from paht.auth.actor import Actor
from paht.auth.roles import Role
from paht.channels.open311 import keys
from paht.deps import ReadSession, SignedIn, WriteSession
from paht.errors import NotPermitted
from paht.responses import errors

router = APIRouter(prefix="/api/v1/admin/open311-keys", tags=["admin"], responses=errors(400, 401, 403, 404, 422))


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255, description="who the key is for, e.g. 'Hue-S app'")


class KeyOut(BaseModel):
    id: int
    name: str
    key_prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class KeyCreated(KeyOut):
    api_key: str = Field(description="shown only now; PAHT keeps only its SHA-256")


def admin_only(actor: Actor) -> None:
    if not actor.has(Role.admin):
        raise NotPermitted("Chỉ quản trị viên (admin only).")


@router.get("", response_model=list[KeyOut])
def list_keys(session: ReadSession, actor: SignedIn) -> Any:
    admin_only(actor)
    return [KeyOut.model_validate(k, from_attributes=True) for k in keys.list_keys(session)]


@router.post("", status_code=201, response_model=KeyCreated)
def create_key(body: KeyIn, session: WriteSession, actor: SignedIn) -> Any:
    admin_only(actor)
    row, secret = keys.create_key(session, name=body.name, created_by_id=actor.user_id)
    session.commit()
    return KeyCreated(**KeyOut.model_validate(row, from_attributes=True).model_dump(), api_key=secret)


@router.post("/{key_id}/revoke", response_model=KeyOut)
def revoke_key(key_id: int, session: WriteSession, actor: SignedIn) -> Any:
    admin_only(actor)
    row = keys.revoke_key(session, key_id)
    session.commit()
    return KeyOut.model_validate(row, from_attributes=True)
