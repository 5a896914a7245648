"""Map data: published reports as GeoJSON for the public (coarse, no personal data) and staff maps."""

from __future__ import annotations

from sqlalchemy import select

from paht.models import Category, Organization, Report
from tests.flow import Flow

CITY = "107.5,16.3,107.8,16.6"


def test_public_geojson_has_coarse_points_public_text_and_no_personal_data(client, personas, db):
    flow = Flow(client, personas, db)
    published = flow.to_state("published")
    flow.submit()  # received: never on the public map
    response = client.get("/api/v1/public/reports.geojson", params={"bbox": CITY})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in body["features"]] == [published["code"]]
    feature = body["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [107.591, 16.464]}  # 107.5909, 16.4637 rounded
    assert feature["properties"]["title"] == "Đèn đường hỏng"
    assert feature["properties"]["organization"]["code"] == "SXD"
    for secret in ("Planted", "0905", "planted@example.vn", "12 Lê Lợi", "reporter"):
        assert secret not in response.text


def test_the_public_map_names_category_and_body_in_the_asked_language(client, personas, db):
    published = Flow(client, personas, db).to_state("published")
    with db.write() as session:
        report = session.query(Report).filter_by(code=published["code"]).one()
        report.category_id = session.scalar(select(Category.id).where(Category.name_en.is_not(None)))
        session.flush()
        category = session.get(Category, report.category_id)
        body = session.get(Organization, report.current_organization_id)
        names = {"vi": (category.name, body.name), "en": (category.name_en, body.name_en or body.name)}
    assert names["vi"] != names["en"]
    for lang, (category_name, body_name) in names.items():
        response = client.get("/api/v1/public/reports.geojson", params={"bbox": CITY, "lang": lang})
        properties = response.json()["features"][0]["properties"]
        assert (properties["category"]["name"], properties["organization"]["name"]) == (category_name, body_name)
        assert properties["published_at"].startswith(published["published_at"][:19])


def test_the_box_applies_to_the_coarse_point_so_it_cannot_pin_the_exact_one(client, personas, db):
    Flow(client, personas, db).to_state("published")

    def count(bbox: str) -> int:
        return len(client.get("/api/v1/public/reports.geojson", params={"bbox": bbox}).json()["features"])

    assert count("107.5908,16.4636,107.5910,16.4638") == 0  # around the exact point, not the coarse one
    assert count("107.5905,16.4635,107.5915,16.4645") == 1  # holds 107.591, 16.464
    assert count("108,16,109,17") == 0
    assert count(CITY) == 1
    assert len(client.get("/api/v1/public/reports.geojson").json()["features"]) == 1


def test_a_bad_box_is_a_clear_422(client):
    for bbox in ("1,2,3", "a,b,c,d", "10,10,5,5", "0,0,200,1", "nan,0,1,1"):
        response = client.get("/api/v1/public/reports.geojson", params={"bbox": bbox})
        assert response.status_code == 422, bbox
        assert "bbox" in response.json()["detail"]


def test_the_staff_map_shows_what_the_caller_may_see(client, personas, db):
    flow = Flow(client, personas, db)
    dispatched = flow.to_state("dispatched")
    flow.submit(location=None)  # no point, no marker

    def codes(persona: str, **params: str) -> list[str]:
        response = client.get("/api/v1/reports.geojson", params={"bbox": CITY, **params}, headers=personas[persona])
        assert response.status_code == 200, response.text
        return [f["properties"]["code"] for f in response.json()["features"]]

    assert codes("ioc_operator") == [dispatched["code"]]
    assert codes("handler_a") == [dispatched["code"]]
    assert codes("handler_b") == []
    assert codes("ioc_operator", state="published") == []
    assert client.get("/api/v1/reports.geojson").status_code == 401
    feature = client.get("/api/v1/reports.geojson", headers=personas["handler_a"]).json()["features"][0]
    assert feature["geometry"]["coordinates"] == [107.5909, 16.4637]  # staff see the exact point
    assert feature["properties"]["state"] == "dispatched"
