"""The abuse list: contacts whose new reports wait for IOC review before they can be dispatched.

A listed reporter is answered exactly as anyone else (never tell an abuser); the report starts in
`held` instead of `received`, and an IOC operator releases it (it then goes on as usual) or rejects it.
Entries are never deleted: removing one records who, when and why, so the list is its own audit trail.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.auth.roles import Role
from paht.clock import utc_now
from paht.contact import normalise_email, normalise_phone
from paht.errors import Conflict, Invalid, NotFound, NotPermitted
from paht.models import AbuseEntry
from paht.prepared import Prepared

MANAGERS = frozenset({Role.admin, Role.ioc_operator})


class EntryKind(StrEnum):
    phone = "phone"
    email = "email"
    facebook = "facebook"  # a Messenger page-scoped id (PSID)
    zalo = "zalo"  # a Zalo user id


def normalise(kind: EntryKind, value: str) -> str:
    """Phones in E.164, e-mail addresses lower-cased, chat ids as given (trimmed)."""
    value = value.strip()
    try:
        if kind is EntryKind.phone:
            return normalise_phone(value)
        if kind is EntryKind.email:
            return normalise_email(value).lower()
    except ValueError as exc:
        raise Invalid(str(exc), details={"value": str(exc)}) from exc
    if not value or len(value) > 255 or any(c.isspace() for c in value):
        raise Invalid("Mã người gửi không hợp lệ (invalid sender id).", details={"value": "invalid sender id"})
    return value


def _manager(actor: Actor) -> None:
    if not actor.has(*MANAGERS):
        raise NotPermitted("Chỉ quản trị viên và điều hành viên IOC (IOC administrators and operators only).")


def list_entries(session: Session, *, actor: Actor, include_removed: bool = False) -> list[AbuseEntry]:
    _manager(actor)
    query = select(AbuseEntry).order_by(AbuseEntry.added_at.desc(), AbuseEntry.id.desc())
    if not include_removed:
        query = query.where(AbuseEntry.removed_at.is_(None))
    return list(session.scalars(query))


def add_entry(session: Session, *, kind: EntryKind, value: str, reason: str, actor: Actor) -> AbuseEntry:
    _manager(actor)
    normalised = normalise(kind, value)
    if not reason.strip():
        raise Invalid("Cần ghi lý do (a reason is required).", details={"reason": "required"})
    if _active(session, kind, normalised) is not None:
        raise Conflict("Địa chỉ này đã có trong danh sách (already on the list).")
    entry = AbuseEntry(
        kind=kind.value, value=normalised, reason=reason.strip(), added_by_id=actor.user_id, added_at=utc_now()
    )
    session.add(entry)
    session.flush()
    return entry


def remove_entry(session: Session, entry_id: int, *, reason: str | None, actor: Actor) -> AbuseEntry:
    _manager(actor)
    entry = session.get(AbuseEntry, entry_id)
    if entry is None or entry.removed_at is not None:
        raise NotFound("Không có mục này trong danh sách (no such entry).")
    entry.removed_at, entry.removed_by_id = utc_now(), actor.user_id
    entry.removal_reason = (reason or "").strip() or None
    session.flush()
    return entry


def _active(session: Session, kind: EntryKind, value: str) -> AbuseEntry | None:
    return session.scalar(
        select(AbuseEntry).where(
            AbuseEntry.kind == kind.value, AbuseEntry.value == value, AbuseEntry.removed_at.is_(None)
        )
    )


def match(
    session: Session, *, phone: str | None, email: str | None, sender: tuple[str, str] | None
) -> AbuseEntry | None:
    """The active entry this reporter matches, if any. `sender` is (channel, id) of a chat or e-mail."""
    wanted: list[tuple[str, str]] = []
    if phone:
        wanted.append((EntryKind.phone, phone))
    if email:
        wanted.append((EntryKind.email, email.lower()))
    if sender and sender[0] in {k.value for k in EntryKind} and sender[1]:
        kind, value = sender
        wanted.append((kind, value.lower() if kind == EntryKind.email else value))
    if not wanted:
        return None
    params = {f"{part}{n}": value for n, pair in enumerate(wanted) for part, value in zip("kv", pair, strict=True)}
    found = _matching(len(wanted)).rows_flushed(session, **params)  # an entry added in this transaction counts
    return session.get(AbuseEntry, found[0].id) if found else None


@cache
def _matching(pairs: int) -> Prepared:
    """The active entry matching any of `pairs` (kind k<n>, value v<n>) pairs, built once per count: every
    submission asks, and a statement with the values inlined had its cache key rebuilt each time. Its id
    only, on the driver's cursor (paht.prepared): nearly every reporter matches nothing (issue 7, W1)."""
    clauses = [(AbuseEntry.kind == bindparam(f"k{n}")) & (AbuseEntry.value == bindparam(f"v{n}")) for n in range(pairs)]
    return Prepared(select(AbuseEntry.id).where(AbuseEntry.removed_at.is_(None), or_(*clauses)).limit(1))
