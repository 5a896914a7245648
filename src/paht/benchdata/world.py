"""The reference rows a generated city needs: bodies, categories, staff accounts and citizens.

The directory is the demo city's (`paht.demo.load.load_directory`), created through the real services
when the database is empty, so every generated report points at bodies and accounts that can sign in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paht.auth.roles import Role
from paht.demo.load import DEMO_PASSWORD, load_directory
from paht.enums import OrgKind
from paht.models import Category, Organization, User, UserRole
from paht.users.service import create_user

CITIZEN_PREFIX = "bench.citizen."
# Bodies the IOC never dispatches field reports to directly (as in the demo).
NOT_DISPATCHED = ("CATINH",)


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    code: str
    default_organization_id: int | None
    urgent_by_default: bool
    resolve_working_days: int
    urgent_resolve_hours: int
    dispatch_minutes: int | None


@dataclass
class World:
    ioc_id: int
    operator_id: int
    editor_id: int
    bodies: list[int]
    fallback_body: int
    categories: list[CategoryInfo]
    handlers: dict[int, int] = field(default_factory=dict)
    leaders: dict[int, int] = field(default_factory=dict)
    # (user id, full name, phone, e-mail) of the accounts that submit signed in.
    citizens: list[tuple[int, str, str | None, str | None]] = field(default_factory=list)


def ensure_directory(session: Session, *, citizens: int) -> None:
    """Load the demo directory into an empty database and top up the generated citizen accounts."""
    if not session.scalar(select(func.count()).select_from(Organization)):
        load_directory(session)
    have = session.scalar(select(func.count()).select_from(User).where(User.username.like(f"{CITIZEN_PREFIX}%")))
    if (have or 0) >= citizens:
        return
    digest = session.scalar(select(User.password_hash).where(User.username == "citizen.demo"))
    if digest is None:
        from paht.auth.passwords import hash_password

        digest = hash_password(DEMO_PASSWORD)
    for index in range(have or 0, citizens):
        create_user(
            session,
            username=f"{CITIZEN_PREFIX}{index:05d}",
            full_name=f"Công dân thử nghiệm {index:05d}",
            roles=[Role.citizen],
            password_hash=digest,
            email=f"{CITIZEN_PREFIX}{index:05d}@example.vn",
            phone=f"+8490{index:07d}",
        )


def _first_user(session: Session, role: Role) -> dict[int, int]:
    """organisation id → its first active account with `role`."""
    query = select(User.organization_id, func.min(User.id)).join(UserRole, UserRole.user_id == User.id)
    query = query.where(UserRole.role == role, User.active).group_by(User.organization_id)
    return {org: user for org, user in session.execute(query).all() if org is not None}


def load_world(session: Session) -> World:
    orgs = list(session.scalars(select(Organization).where(Organization.active).order_by(Organization.id)))
    ioc = next((o for o in orgs if o.kind == OrgKind.ioc), None)
    if ioc is None:
        raise RuntimeError("the directory has no IOC; run `paht demo` or create one first")
    handlers, leaders = _first_user(session, Role.handler), _first_user(session, Role.leader)
    operators, editors = _first_user(session, Role.ioc_operator), _first_user(session, Role.ioc_editor)
    if ioc.id not in operators or ioc.id not in editors:
        raise RuntimeError("the IOC needs an ioc_operator and an ioc_editor account")
    bodies = [
        o.id
        for o in orgs
        if o.kind != OrgKind.ioc and o.code not in NOT_DISPATCHED and o.id in handlers and o.id in leaders
    ]
    if not bodies:
        raise RuntimeError("no handling body has both a handler and a leader account")
    by_code = {o.code: o.id for o in orgs}
    categories = [
        CategoryInfo(
            id=c.id,
            code=c.code,
            default_organization_id=c.default_organization_id if c.default_organization_id in bodies else None,
            urgent_by_default=c.urgent_by_default,
            resolve_working_days=c.resolve_working_days,
            urgent_resolve_hours=c.urgent_resolve_hours,
            dispatch_minutes=c.dispatch_minutes,
        )
        for c in session.scalars(select(Category).where(Category.active).order_by(Category.id))
    ]
    contact = select(User.id, User.full_name, User.phone, User.email).order_by(User.id)
    citizens = [tuple(r) for r in session.execute(contact.where(User.username.like(f"{CITIZEN_PREFIX}%")))] or [
        tuple(r) for r in session.execute(contact.where(User.username == "citizen.demo"))
    ]
    return World(
        ioc_id=ioc.id,
        operator_id=operators[ioc.id],
        editor_id=editors[ioc.id],
        bodies=bodies,
        fallback_body=by_code.get("UBNDTP", bodies[0]) if by_code.get("UBNDTP") in bodies else bodies[0],
        categories=categories,
        handlers={b: handlers[b] for b in bodies},
        leaders={b: leaders[b] for b in bodies},
        citizens=citizens,
    )
