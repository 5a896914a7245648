"""Dispatch suggestions: rules, the area's People's Committee, the learned model; category suggestions."""

from __future__ import annotations

from sqlalchemy import select

from paht.dispatching.history import generate
from paht.dispatching.model import Example
from paht.dispatching.training import BODY, CATEGORY, fit, store
from paht.models import Area, Category
from tests.flow import Flow

PHU_BAI = {"lat": 16.395, "lon": 107.70, "address": "Nguyễn Tất Thành, Phú Bài"}


def _category(db, code: str) -> int:  # type: ignore[no-untyped-def]
    with db.read() as session:
        return session.scalar(select(Category.id).where(Category.code == code))


def _bodies(client, personas, report_id: str) -> list[tuple[str, float, set[str]]]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/reports/{report_id}/suggestions", headers=personas["ioc_operator"])
    assert response.status_code == 200, response.text
    return [
        (i["organization"]["code"], i["confidence"], {r["code"] for r in i["reasons"]})
        for i in response.json()["items"]
    ]


def _train_on_generated_history(db, reports: int = 1500) -> None:  # type: ignore[no-untyped-def]
    history = generate(reports, seed=11)
    bodies = [Example(h.text, h.category, h.area, h.label, h.at) for h in history]
    categories = [Example(h.text, None, h.area, h.category, h.at) for h in history if h.category]
    with db.write() as session:
        store(session, BODY, fit(BODY, bodies), bodies)
        store(session, CATEGORY, fit(CATEGORY, categories), categories)


def test_without_a_model_the_area_and_the_category_default_are_offered(client, personas, db):
    flow = Flow(client, personas, db)
    pavement = flow.submit(category_id=_category(db, "LAN_CHIEM"), title="Lấn chiếm vỉa hè")
    lighting = flow.submit(category_id=_category(db, "CHIEU_SANG"))
    nothing = flow.submit(location=None)
    assert [b[0] for b in _bodies(client, personas, pavement["id"])] == ["PHUHOI", "UBNDTP"]  # a local matter
    assert [b[0] for b in _bodies(client, personas, lighting["id"])] == ["HEPCO", "PHUHOI"]
    assert _bodies(client, personas, nothing["id"]) == []
    body = client.get(f"/api/v1/reports/{lighting['id']}/suggestions", headers=personas["ioc_operator"]).json()
    assert body["area"] == "PHUHOI" and body["model"] is None
    assert {r["code"] for r in body["items"][0]["reasons"]} == {"default"}


def test_an_admin_rule_comes_first(client, personas, db):
    flow = Flow(client, personas, db)
    with db.read() as session:
        phu_bai = session.scalar(select(Area.id).where(Area.code == "PHUBAI"))
    rule = client.post(
        "/api/v1/admin/routing-rules",
        json={
            "category_id": _category(db, "CHIEU_SANG"),
            "area_id": phu_bai,
            "organization_id": flow.orgs["UBNDHT"],
            "note": "Chiếu sáng ở Hương Thuỷ do thị xã quản lý",
        },
        headers=personas["admin"],
    )
    assert rule.status_code == 201, rule.text
    report = flow.submit(category_id=_category(db, "CHIEU_SANG"), location=PHU_BAI)
    code, confidence, reasons = _bodies(client, personas, report["id"])[0]
    assert (code, reasons) == ("UBNDHT", {"rule"})
    assert confidence >= 0.97


def test_the_learned_model_corrects_the_category_default(client, personas, db):
    _train_on_generated_history(db)
    flow = Flow(client, personas, db)
    tree_on_wire = flow.submit(
        category_id=_category(db, "CAY_XANH"),
        title="Cây đổ vào dây điện",
        description="Cây đổ đè lên đường dây điện trên đường Lê Lợi, dây điện bị kéo căng.",
    )
    suggestions = _bodies(client, personas, tree_on_wire["id"])
    assert suggestions[0][0] == "DIENLUC"  # the category default would say HEPCO
    assert "model" in suggestions[0][2]
    assert len(suggestions) == 3
    assert suggestions[0][1] >= suggestions[1][1] >= suggestions[2][1]
    body = client.get(f"/api/v1/reports/{tree_on_wire['id']}/suggestions", headers=personas["ioc_operator"]).json()
    assert body["model"]["examples"] == 1500


def test_categories_are_suggested_for_a_report_without_one(client, personas, db):
    flow = Flow(client, personas, db)
    chat = flow.submit(title=None, description="mat nuoc sinh hoat tu sang o kiet 12 Hung Vuong", location=None)
    url = f"/api/v1/reports/{chat['id']}/category-suggestions"
    untrained = client.get(url, headers=personas["ioc_operator"]).json()
    assert untrained["items"] == [] and untrained["model"] is None
    _train_on_generated_history(db)
    found = client.get(url, headers=personas["ioc_operator"]).json()
    assert found["current_category_id"] is None
    assert found["items"][0]["category"]["code"] == "CAP_NUOC"
    assert 0 < found["items"][0]["confidence"] <= 1
