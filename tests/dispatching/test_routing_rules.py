"""The admin's routing rules: JSON CRUD, validation, and who may use it."""

from __future__ import annotations

from sqlalchemy import select

from paht.models import Area, Category, Organization

URL = "/api/v1/admin/routing-rules"


def _ids(db):  # type: ignore[no-untyped-def]
    with db.read() as session:
        category = session.scalar(select(Category.id).where(Category.code == "CHIEU_SANG"))
        area = session.scalar(select(Area.id).where(Area.code == "PHUBAI"))
        orgs = dict(session.execute(select(Organization.code, Organization.id)).all())
    return category, area, orgs


def test_create_read_update_delete(client, personas, db):
    category, area, orgs = _ids(db)
    admin = personas["admin"]
    created = client.post(
        URL, json={"category_id": category, "area_id": area, "organization_id": orgs["UBNDHT"]}, headers=admin
    )
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["active"] is True and rule["note"] is None
    assert client.get(URL, headers=admin).json() == [rule]
    assert client.get(f"{URL}/{rule['id']}", headers=admin).json() == rule
    changed = client.put(
        f"{URL}/{rule['id']}",
        json={"category_id": category, "area_id": None, "organization_id": orgs["DIENLUC"], "note": "  tạm thời  "},
        headers=admin,
    )
    assert changed.status_code == 200
    assert (changed.json()["area_id"], changed.json()["organization_id"], changed.json()["note"]) == (
        None,
        orgs["DIENLUC"],
        "tạm thời",
    )
    assert client.delete(f"{URL}/{rule['id']}", headers=admin).status_code == 204
    assert client.get(f"{URL}/{rule['id']}", headers=admin).status_code == 404
    assert client.delete(f"{URL}/{rule['id']}", headers=admin).status_code == 404


def test_bad_rules_get_clear_errors(client, personas, db):
    category, _, orgs = _ids(db)
    admin = personas["admin"]
    cases = [
        ({"organization_id": orgs["SXD"]}, 422),  # neither category nor area
        ({"category_id": 9999, "organization_id": orgs["SXD"]}, 422),
        ({"area_id": 9999, "organization_id": orgs["SXD"]}, 422),
        ({"category_id": category, "organization_id": orgs["IOC"]}, 422),  # the IOC handles nothing
        ({"category_id": category, "organization_id": 9999}, 422),
        ({"category_id": category, "organization_id": orgs["SXD"], "colour": "red"}, 422),
    ]
    for body, status in cases:
        assert client.post(URL, json=body, headers=admin).status_code == status, body
    first = client.post(URL, json={"category_id": category, "organization_id": orgs["SXD"]}, headers=admin)
    assert first.status_code == 201
    clash = client.post(URL, json={"category_id": category, "organization_id": orgs["HEPCO"]}, headers=admin)
    assert clash.status_code == 409
    inactive = {"category_id": category, "organization_id": orgs["HEPCO"], "active": False}
    assert client.post(URL, json=inactive, headers=admin).status_code == 201


def test_only_admins_manage_rules(client, personas):
    assert client.get(URL).status_code == 401
    for persona in ("ioc_operator", "ioc_editor", "handler_a", "leader_a", "citizen"):
        assert client.get(URL, headers=personas[persona]).status_code == 403, persona
        assert (
            client.post(URL, json={"category_id": 1, "organization_id": 2}, headers=personas[persona]).status_code
            == 403
        )
