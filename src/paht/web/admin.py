"""Administration: the organisation tree, users and roles, categories with their default body and deadlines."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from paht.auth import totp
from paht.auth.policy import AccountPolicy
from paht.auth.roles import Role
from paht.categories import service as categories
from paht.deps import ReadSession, WriteSession
from paht.enums import OrgKind
from paht.errors import DomainError, Invalid
from paht.models import Organization, User
from paht.organizations import service as organizations
from paht.text import fold
from paht.users import service as users
from paht.web import forms
from paht.web.context import Form, PageViewer, Viewer, redirect, render
from paht.web.lists import Directory
from paht.web.routing import web_router

router = web_router(prefix="/console/admin")
USERS_PAGE = 50
ORG_FIELDS = ("code", "name", "name_en", "kind", "parent_id", "email", "phone")
USER_FIELDS = ("username", "full_name", "email", "phone", "organization_id", "password")
CATEGORY_FIELDS = (
    "code",
    "name",
    "name_en",
    "default_organization_id",
    "resolve_working_days",
    "urgent_resolve_hours",
    "dispatch_minutes",
)


def _admin(viewer: Viewer) -> Viewer:
    return viewer.require(Role.admin)


def _errors(exc: DomainError, key: str) -> dict[str, str]:
    return {"form": exc.message, "target": key}


# Organisations


def _organizations_page(session: Session, viewer: Viewer, *, status: int = 200, **values: Any) -> Response:
    values.setdefault("errors", {})
    values.setdefault("values", {})
    tree = organizations.organization_tree(session)
    return render(viewer, "admin/organizations.html", status=status, tree=tree, kinds=list(OrgKind), **values)


@router.get("/organizations")
def organization_list(viewer: PageViewer, session: ReadSession, done: str | None = None) -> Response:
    _admin(viewer)
    return _organizations_page(session, viewer, done=done)


@router.post("/organizations")
def organization_create(viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    _admin(viewer)
    v = forms.values(form, *ORG_FIELDS)
    parent = session.get(Organization, forms.integer(v["parent_id"])) if forms.integer(v["parent_id"]) else None
    try:
        if not v["name"]:
            raise Invalid(viewer.t._("The name is required."))
        organizations.create_organization(
            session,
            code=v["code"],
            name=v["name"],
            kind=v["kind"],
            name_en=v["name_en"] or None,
            parent_code=parent.code if parent else None,
            email=v["email"] or None,
            phone=v["phone"] or None,
        )
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _organizations_page(session, viewer, status=exc.status_code, values=v, errors=_errors(exc, "new"))
    return redirect(viewer, "/console/admin/organizations?done=created")


@router.post("/organizations/{organization_id}")
def organization_update(organization_id: int, viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    _admin(viewer)
    v = forms.values(form, *ORG_FIELDS)
    try:
        organizations.update_organization(
            session,
            organization_id,
            name=v["name"],
            name_en=v["name_en"] or None,
            parent_id=forms.integer(v["parent_id"]),
            active=forms.ticked(form, "active"),
            email=v["email"] or None,
            phone=v["phone"] or None,
        )
        session.commit()
    except DomainError as exc:
        session.rollback()
        errors = _errors(exc, str(organization_id))
        return _organizations_page(session, viewer, status=exc.status_code, errors=errors, values=v)
    return redirect(viewer, "/console/admin/organizations?done=saved")


# Users


def _users_page(session: Session, viewer: Viewer, *, q: str = "", after: str = "", status: int = 200, **values: Any):  # type: ignore[no-untyped-def]
    query = select(User).order_by(User.username)
    if q:
        # Usernames are ASCII; names are matched without diacritics in Python over this page's candidates.
        query = query.where(or_(User.username.contains(q.lower()), User.full_name.contains(q)))
    if after:
        query = query.where(User.username > after)
    rows = list(session.scalars(query.limit(USERS_PAGE + 1)))
    if q and not rows:
        folded = fold(q)
        rows = [u for u in session.scalars(select(User).order_by(User.username)) if folded in fold(u.full_name)]
        rows = rows[: USERS_PAGE + 1]
    values.setdefault("errors", {})
    values.setdefault("values", {})
    return render(
        viewer,
        "admin/users.html",
        status=status,
        users=rows[:USERS_PAGE],
        next_after=rows[USERS_PAGE - 1].username if len(rows) > USERS_PAGE else None,
        q=q,
        roles=[r.value for r in Role],
        d=Directory.load(session, viewer.lang),
        **values,
    )


@router.get("/users")
def user_list(
    viewer: PageViewer, session: ReadSession, q: str = "", after: str = "", done: str | None = None
) -> Response:
    _admin(viewer)
    return _users_page(session, viewer, q=q.strip(), after=after, done=done)


def _org_code(session: Session, value: str) -> str | None:
    org = session.get(Organization, forms.integer(value)) if forms.integer(value) else None
    return org.code if org else None


@router.post("/users")
def user_create(viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    _admin(viewer)
    v = forms.values(form, *USER_FIELDS)
    roles = [r for r in form.getlist("roles") if isinstance(r, str)]
    try:
        if not v["username"] or not v["full_name"] or not roles:
            raise Invalid(viewer.t._("Username, full name and at least one role are required."))
        users.create_user(
            session,
            username=v["username"],
            full_name=v["full_name"],
            roles=roles,
            password=str(form.get("password") or ""),
            organization_code=_org_code(session, v["organization_id"]),
            email=v["email"] or None,
            phone=v["phone"] or None,
            policy=AccountPolicy.from_settings(viewer.settings),
        )
        session.commit()
    except DomainError as exc:
        session.rollback()
        typed = v | {"password": "", "roles": roles}
        return _users_page(session, viewer, status=exc.status_code, values=typed, errors=_errors(exc, "new"))
    return redirect(viewer, f"/console/admin/users?q={v['username']}&done=created")


@router.post("/users/{user_id}")
def user_update(user_id: int, viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    _admin(viewer)
    v = forms.values(form, *USER_FIELDS)
    roles = [r for r in form.getlist("roles") if isinstance(r, str)]
    try:
        user = users.update_user(
            session,
            user_id,
            full_name=v["full_name"],
            roles=roles,
            organization_code=_org_code(session, v["organization_id"]),
            email=v["email"] or None,
            phone=v["phone"] or None,
        )
        session.commit()
    except DomainError as exc:
        session.rollback()
        errors = _errors(exc, str(user_id))
        return _users_page(session, viewer, status=exc.status_code, errors=errors, values=v | {"roles": roles})
    return redirect(viewer, f"/console/admin/users?q={user.username}&done=saved")


@router.post("/users/{user_id}/active")
def user_active(user_id: int, viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    _admin(viewer)
    active = forms.text(form, "active") == "1"
    try:
        user = users.set_active(session, user_id, active=active, by_user_id=viewer.actor.user_id)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _users_page(session, viewer, status=exc.status_code, errors=_errors(exc, str(user_id)))
    return redirect(viewer, f"/console/admin/users?q={user.username}&done={'enabled' if active else 'disabled'}")


@router.post("/users/{user_id}/password")
def user_password(user_id: int, viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    """A new one-time password, shown once to the administrator to hand over."""
    _admin(viewer)
    password = users.reset_password(session, user_id, by_user_id=viewer.actor.user_id)
    user = session.get(User, user_id)
    session.commit()
    assert user is not None
    return _users_page(session, viewer, q=user.username, new_password=(user, password))


@router.post("/users/{user_id}/totp")
def user_totp_reset(user_id: int, viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    """Remove a lost second factor (recorded in account_events); the user sets it up again at sign-in."""
    _admin(viewer)
    try:
        user = totp.reset(session, user_id, by_user_id=viewer.actor.user_id)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _users_page(session, viewer, status=exc.status_code, errors=_errors(exc, str(user_id)))
    return redirect(viewer, f"/console/admin/users?q={user.username}&done=totp_reset")


# Categories


def _categories_page(session: Session, viewer: Viewer, *, status: int = 200, **values: Any) -> Response:
    values.setdefault("errors", {})
    values.setdefault("values", {})
    return render(viewer, "admin/categories.html", status=status, d=Directory.load(session, viewer.lang), **values)


def _category_values(form: Any) -> tuple[dict[str, str], dict[str, Any]]:
    v = forms.values(form, *CATEGORY_FIELDS)
    numbers = {
        "default_organization_id": forms.integer(v["default_organization_id"]),
        "resolve_working_days": forms.integer(v["resolve_working_days"]) or 0,
        "urgent_resolve_hours": forms.integer(v["urgent_resolve_hours"]) or 0,
        "dispatch_minutes": forms.integer(v["dispatch_minutes"]),
        "urgent_by_default": forms.ticked(form, "urgent_by_default"),
    }
    return v, numbers


@router.get("/categories")
def category_list(viewer: PageViewer, session: ReadSession, done: str | None = None) -> Response:
    _admin(viewer)
    return _categories_page(session, viewer, done=done)


@router.post("/categories")
def category_create(viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    _admin(viewer)
    v, numbers = _category_values(form)
    try:
        categories.create_category(session, code=v["code"], name=v["name"], name_en=v["name_en"], **numbers)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _categories_page(session, viewer, status=exc.status_code, values=v, errors=_errors(exc, "new"))
    return redirect(viewer, "/console/admin/categories?done=created")


@router.post("/categories/{category_id}")
def category_update(category_id: int, viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    _admin(viewer)
    v, numbers = _category_values(form)
    try:
        categories.update_category(
            session, category_id, name=v["name"], name_en=v["name_en"], active=forms.ticked(form, "active"), **numbers
        )
        session.commit()
    except DomainError as exc:
        session.rollback()
        errors = _errors(exc, str(category_id))
        return _categories_page(session, viewer, status=exc.status_code, values=v, errors=errors)
    return redirect(viewer, "/console/admin/categories?done=saved")
