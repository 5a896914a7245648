"""The abuse list for IOC administrators and operators: list, add, remove (each change keeps who and why)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from paht.abuse import entries
from paht.abuse.entries import EntryKind
from paht.deps import ReadSession, SignedIn, WriteSession
from paht.responses import errors

router = APIRouter(prefix="/api/v1/admin/abuse-list", tags=["admin"], responses=errors(400, 401, 403, 404, 409, 422))


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EntryKind
    value: str = Field(min_length=1, max_length=255, description="phone, e-mail, Facebook PSID or Zalo user id")
    reason: str = Field(min_length=1, max_length=2000)


class RemoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(None, max_length=2000)


class EntryOut(BaseModel):
    id: int
    kind: str
    value: str
    reason: str
    added_by_id: int | None
    added_at: datetime
    removed_by_id: int | None
    removed_at: datetime | None
    removal_reason: str | None


@router.get("", response_model=list[EntryOut])
def list_entries(session: ReadSession, actor: SignedIn, include_removed: bool = False) -> Any:
    rows = entries.list_entries(session, actor=actor, include_removed=include_removed)
    return [EntryOut.model_validate(row, from_attributes=True) for row in rows]


@router.post("", status_code=201, response_model=EntryOut)
def add_entry(body: EntryIn, session: WriteSession, actor: SignedIn) -> Any:
    row = entries.add_entry(session, kind=body.kind, value=body.value, reason=body.reason, actor=actor)
    session.commit()
    return EntryOut.model_validate(row, from_attributes=True)


@router.post("/{entry_id}/remove", response_model=EntryOut)
def remove_entry(entry_id: int, session: WriteSession, actor: SignedIn, body: RemoveIn | None = None) -> Any:
    row = entries.remove_entry(session, entry_id, reason=body.reason if body else None, actor=actor)
    session.commit()
    return EntryOut.model_validate(row, from_attributes=True)
