"""Roles (DESIGN.md §3). Pure: the workflow module imports this."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    citizen = "citizen"
    ioc_operator = "ioc_operator"
    ioc_editor = "ioc_editor"
    handler = "handler"
    leader = "leader"
    viewer = "viewer"
    admin = "admin"


IOC_ROLES = frozenset({Role.ioc_operator, Role.ioc_editor, Role.admin})
STAFF_ROLES = frozenset(Role) - {Role.citizen}
