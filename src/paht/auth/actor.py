"""Who is acting: the identity every service receives, built once per request."""

from __future__ import annotations

from dataclasses import dataclass, field

from paht.auth.roles import IOC_ROLES, Role


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str | None
    roles: frozenset[Role]
    organization_id: int | None = None
    # Bodies whose reports this actor may read: its own, plus descendants for leaders and viewers.
    readable_org_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def is_ioc(self) -> bool:
        return bool(self.roles & IOC_ROLES)

    @property
    def sees_contacts(self) -> bool:
        """Only the IOC sees who reported; handling bodies never do (DESIGN.md §1)."""
        return self.is_ioc

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))


ANONYMOUS = Actor(user_id=None, username=None, roles=frozenset())
