"""Administration pages and the services behind them: the organisation tree, accounts, categories."""

from __future__ import annotations

import re

from sqlalchemy import select

from paht.models import ApiToken, Category, Organization, User, WebSession


def _org(db, code):  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.scalar(select(Organization).where(Organization.code == code))


def test_organisations_are_created_and_moved_but_never_under_themselves(browser, db):
    admin = browser("admin")
    page = admin.get("/console/admin/organizations")
    # Tree order: the parent UBNDTP comes before its wards.
    assert page.text.index('id="org-UBNDTP"') < page.text.index('id="org-PHUHOI"')
    created = admin.post(
        "/console/admin/organizations",
        {"code": "phucat", "name": "UBND phường Phú Cát", "kind": "commune", "parent_id": str(_org(db, "UBNDTP").id)},
    )
    assert created.status_code == 303
    assert _org(db, "PHUCAT").parent_id == _org(db, "UBNDTP").id
    duplicate = admin.post("/console/admin/organizations", {"code": "PHUCAT", "name": "x", "kind": "commune"})
    assert duplicate.status_code == 409 and "đã tồn tại" in duplicate.text
    assert 'value="PHUCAT"' in duplicate.text and 'value="x"' in duplicate.text
    parent = _org(db, "UBNDTP")
    loop = admin.post(
        f"/console/admin/organizations/{parent.id}",
        {"name": parent.name, "parent_id": str(_org(db, "PHUCAT").id), "active": "on"},
    )
    assert loop.status_code == 422 and "dưới chính nó" in loop.text
    renamed = admin.post(
        f"/console/admin/organizations/{_org(db, 'PHUCAT').id}",
        {"name": "UBND phường Phú Cát (mới)", "name_en": "Phu Cat Ward", "parent_id": "", "active": "on"},
    )
    assert renamed.status_code == 303
    moved = _org(db, "PHUCAT")
    assert (moved.name, moved.parent_id, moved.active) == ("UBND phường Phú Cát (mới)", None, True)


def test_an_administrator_creates_resets_and_disables_accounts(browser, client, db):
    admin = browser("admin")
    admin.get("/console/admin/users")
    bad = admin.post(
        "/console/admin/users",
        {"username": "new.one", "full_name": "Người Mới", "roles": "handler", "password": "12345678"},
    )
    assert bad.status_code == 422 and "phải thuộc một đơn vị" in bad.text
    assert 'value="new.one"' in bad.text and 'value="12345678"' not in bad.text  # never echo a password
    sxd = _org(db, "SXD")
    made = admin.post(
        "/console/admin/users",
        {
            "username": "New.One",
            "full_name": "Người Mới",
            "roles": ["handler", "leader"],
            "organization_id": str(sxd.id),
            "password": "cay-but-xanh-2026",
        },
    )
    assert made.status_code == 303
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == "new.one"))
        assert user.role_names == {"handler", "leader"} and user.organization_id == sxd.id
    officer = browser(None)
    officer.login("new.one", "cay-but-xanh-2026")
    token = client.post("/api/v1/auth/token", json={"username": "new.one", "password": "cay-but-xanh-2026"}).json()[
        "access_token"
    ]
    reset = admin.post(f"/console/admin/users/{user.id}/password")
    password = re.search(r'id="new-password">.*?<span class="code">([^<]+)</span>', reset.text, re.S).group(1)
    # Every sign-in ended: the browser session and the API token.
    assert officer.get("/console/body/inbox").status_code == 303
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    officer.login("new.one", password)
    changed = admin.post(
        f"/console/admin/users/{user.id}",
        {"full_name": "Người Mới", "roles": ["viewer"], "organization_id": str(sxd.id)},
    )
    assert changed.status_code == 303
    assert officer.get("/console/body/inbox").status_code == 403  # roles apply at the next request
    disabled = admin.post(f"/console/admin/users/{user.id}/active", {"active": "0"})
    assert disabled.status_code == 303
    assert officer.get("/console/reports").status_code == 303
    with db.read() as session:
        assert session.scalar(select(WebSession.revoked_at).where(WebSession.user_id == user.id).limit(1)) is not None
        assert all(t.revoked_at for t in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)))


def test_an_administrator_cannot_disable_their_own_account(browser, db):
    admin = browser("admin")
    admin.get("/console/admin/users?q=admin")
    with db.read() as session:
        me = session.scalar(select(User).where(User.username == "admin"))
    response = admin.post(f"/console/admin/users/{me.id}/active", {"active": "0"})
    assert response.status_code == 422 and "Không thể tự vô hiệu hoá" in response.text


def test_users_are_found_by_name_without_diacritics(browser):
    admin = browser("admin")
    page = admin.get("/console/admin/users?q=dan")  # "Nguyễn Văn Dân"
    assert 'id="user-citizen.demo"' in page.text


def test_category_deadlines_and_default_bodies_are_validated_and_saved(browser, db):
    admin = browser("admin")
    admin.get("/console/admin/categories")
    with db.read() as session:
        category = session.scalar(select(Category).where(Category.code == "NGAP_UNG"))
    ioc = _org(db, "IOC")
    base = {
        "name": category.name,
        "name_en": category.name_en,
        "resolve_working_days": "2",
        "urgent_resolve_hours": "12",
        "active": "on",
    }
    to_ioc = admin.post(f"/console/admin/categories/{category.id}", base | {"default_organization_id": str(ioc.id)})
    assert to_ioc.status_code == 422 and "Đơn vị xử lý mặc định" in to_ioc.text
    saved = admin.post(
        f"/console/admin/categories/{category.id}",
        base
        | {"default_organization_id": str(_org(db, "HUEWACO").id), "dispatch_minutes": "15", "urgent_by_default": "on"},
    )
    assert saved.status_code == 303
    with db.read() as session:
        row = session.get(Category, category.id)
        assert (
            row.default_organization_id,
            row.resolve_working_days,
            row.urgent_resolve_hours,
            row.dispatch_minutes,
        ) == (
            _org(db, "HUEWACO").id,
            2,
            12,
            15,
        )
    created = admin.post(
        "/console/admin/categories",
        {
            "code": "VIA_HE",
            "name": "Lấn chiếm vỉa hè",
            "name_en": "Pavement encroachment",
            "resolve_working_days": "4",
            "urgent_resolve_hours": "24",
        },
    )
    assert created.status_code == 303
    assert "Lấn chiếm vỉa hè" in browser(None).get("/gui-phan-anh").text  # offered on the public form at once


def test_the_admin_pages_are_for_administrators_only(browser):
    operator = browser("ioc.operator")
    for path in ("/console/admin/organizations", "/console/admin/users", "/console/admin/categories"):
        assert operator.get(path).status_code == 403
    operator.get("/console/ioc/triage")
    assert (
        operator.post("/console/admin/organizations", {"code": "X", "name": "X", "kind": "commune"}).status_code == 403
    )
