"""Bearer tokens → the caller, with the same rules as `paht.auth.service.actor_for` (no ORM)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bench.raw.db import Store, now

IOC_ROLES = frozenset({"ioc_operator", "ioc_editor", "admin"})


@dataclass(frozen=True)
class Caller:
    user_id: int
    roles: frozenset[str]
    organization_id: int | None
    readable: frozenset[int]

    @property
    def is_ioc(self) -> bool:
        return bool(self.roles & IOC_ROLES)


def caller(store: Store, authorization: str | None) -> Caller | None:
    """None when the header is missing, the token unknown, revoked or expired, or the account disabled."""
    if not authorization or not authorization.startswith("Bearer "):
        return None
    digest = hashlib.sha256(authorization[7:].encode()).hexdigest()
    row = store.read_one(
        "SELECT u.id, u.organization_id FROM api_tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND u.active",
        (digest, store.dialect.ts(now())),
    )
    if row is None:
        return None
    user_id, organization_id = row
    roles = frozenset(r[0] for r in store.read("SELECT role FROM user_roles WHERE user_id = ?", (user_id,)))
    readable: set[int] = set()
    if organization_id is not None:
        readable.add(organization_id)
        if roles & {"leader", "viewer"}:
            readable |= _descendants(store, organization_id)
    return Caller(user_id, roles, organization_id, frozenset(readable))


def _descendants(store: Store, root: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for org_id, parent_id in store.read("SELECT id, parent_id FROM organizations"):
        children.setdefault(parent_id, []).append(org_id)
    found, stack = {root}, [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def visibility(caller: Caller) -> tuple[str, tuple]:
    """The SQL condition (on alias r) limiting reports to those the caller may read, as `queries.visible`."""
    if caller.is_ioc:
        return "1 = 1", ()
    parts, params = [], []
    if caller.readable and caller.roles & {"handler", "leader", "viewer"}:
        marks = ", ".join("?" * len(caller.readable))
        parts.append(
            f"EXISTS (SELECT 1 FROM assignments a WHERE a.report_id = r.id AND a.organization_id IN ({marks}))"
        )
        params += sorted(caller.readable)
    parts.append("r.reporter_user_id = ?")
    params.append(caller.user_id)
    return "(" + " OR ".join(parts) + ")", tuple(params)
