"""The caller of an API request, from its bearer token, in one statement and without ORM objects.

Every signed-in API request runs this. Through the ORM it cost three queries (token, user, roles), each
building objects that were dropped at once, plus a thread-pool round trip: about 1 ms of CPU per request,
more than a 50-row list's own query (issue 7, W3). The statement here joins the token, its user and the
user's roles; a leader's or viewer's bodies below their own come from one recursive query. It runs on the
event loop (`paht.deps.current_actor`) on a one-connection engine of its own, like the public fast path,
and straight on the driver's cursor (`paht.prepared`): the statement is the same for every request.
The rules — revoked, expired, idle, account disabled — are `service.token_problem`'s.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.auth.roles import Role
from paht.auth.service import DESCENDANTS, TOUCH_EVERY, token_digest, token_problem
from paht.clock import utc_now
from paht.errors import NotAuthenticated
from paht.models import ApiToken, User, UserRole
from paht.prepared import Prepared

# One row per role (one row with a NULL role for a user without roles).
_CALLER = Prepared(
    select(
        ApiToken.id,
        ApiToken.revoked_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        ApiToken.created_at,
        User.id.label("user_id"),
        User.username,
        User.active,
        User.organization_id,
        UserRole.role,
    )
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"))
)
_DESCENDANTS = Prepared(DESCENDANTS)


def caller_for_token(
    connection: Connection | Session, token: str, *, idle_minutes: int | None
) -> tuple[Actor, int | None]:
    """The token's actor, and the token's id when its last use should be recorded (see `TOUCH_EVERY`)."""
    rows = _CALLER.rows(connection, digest=token_digest(token))
    now = utc_now()
    first = rows[0] if rows else None
    problem = token_problem(first, now=now, idle_minutes=idle_minutes, user_active=first.active if first else None)
    if problem is not None:
        raise NotAuthenticated(problem)
    assert first is not None
    roles = frozenset(Role(row.role) for row in rows if row.role is not None)
    readable: frozenset[int] = frozenset()
    if first.organization_id is not None:
        readable = frozenset({first.organization_id})
        if roles & {Role.leader, Role.viewer}:
            readable |= {row.id for row in _DESCENDANTS.rows(connection, root=first.organization_id)}
    actor = Actor(
        user_id=first.user_id,
        username=first.username,
        roles=roles,
        organization_id=first.organization_id,
        readable_org_ids=readable,
    )
    last_used = first.last_used_at or first.created_at
    return actor, (first.id if last_used + TOUCH_EVERY <= now else None)
