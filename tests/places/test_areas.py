"""Areas: the demo wards, placing reports on intake, importing GeoJSON (service and CLI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import select

from paht.errors import Invalid
from paht.models import Area, Organization, ReportPlace, StatsReportDims
from paht.places.service import import_areas
from tests.flow import Flow

PHU_BAI = {"lat": 16.395, "lon": 107.70}
FAR_AWAY = {"lat": 10.77, "lon": 106.70}  # Hồ Chí Minh City: in no demo ward


def _area_code(db, report_id: str) -> str | None:  # type: ignore[no-untyped-def]
    with db.read() as session:
        place = session.get(ReportPlace, uuid.UUID(report_id))
        return session.get(Area, place.area_id).code if place else None


def test_the_demo_wards_are_linked_to_their_peoples_committees(client, personas):
    areas = client.get("/api/v1/areas").json()
    assert {a["code"] for a in areas} == {"PHUHOI", "VINHNINH", "PHUNHUAN", "THUANHOA", "PHUBAI"}
    orgs = {o["id"]: o["code"] for o in client.get("/api/v1/organizations", headers=personas["admin"]).json()}
    assert all(orgs[a["organization_id"]] == a["code"] for a in areas)
    outlines = client.get("/api/v1/areas.geojson")
    assert outlines.headers["content-type"].startswith("application/geo+json")
    features = outlines.json()["features"]
    assert {f["geometry"]["type"] for f in features} == {"MultiPolygon"}
    assert {f["properties"]["organization"]["code"] for f in features} == {a["code"] for a in areas}


def test_each_report_is_placed_in_its_ward_on_intake(client, personas, db):
    flow = Flow(client, personas, db)
    in_phu_hoi = flow.submit()  # 12 Lê Lợi, Phú Hội
    in_phu_bai = flow.submit(location={**PHU_BAI, "address": "Phú Bài"})
    nowhere = flow.submit(location={**FAR_AWAY, "address": "Quận 1"})
    no_point = flow.submit(location=None)
    assert _area_code(db, in_phu_hoi["id"]) == "PHUHOI"
    assert _area_code(db, in_phu_bai["id"]) == "PHUBAI"
    assert _area_code(db, nowhere["id"]) is None
    assert _area_code(db, no_point["id"]) is None
    # The statistics count each new report in the area it was placed in (none: key 0), without reading it back.
    with db.read() as session:
        dims = {str(row.report_id): row.area_key for row in session.scalars(select(StatsReportDims))}
        place_of = {str(row.report_id): row.area_id for row in session.scalars(select(ReportPlace))}
    assert dims[in_phu_hoi["id"]] == place_of[in_phu_hoi["id"]] != dims[in_phu_bai["id"]] == place_of[in_phu_bai["id"]]
    assert dims[nowhere["id"]] == dims[no_point["id"]] == 0


def _collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def _feature(code: str, ring: list, **props: object) -> dict:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": f"Khu {code}", **props},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


SAIGON = [[106.69, 10.76], [106.71, 10.76], [106.71, 10.78], [106.69, 10.78], [106.69, 10.76]]


@pytest.mark.parametrize(
    ("collection", "message"),
    [
        ({"type": "Feature"}, "FeatureCollection"),
        (_collection(), "no features"),
        (_collection({"type": "Feature", "properties": {"name": "x"}, "geometry": None}), "code"),
        (_collection(_feature("X", [[0, 0], [1, 1]])), "ring"),
        (_collection(_feature("X", SAIGON, organization_code="NOPE")), "NOPE"),
        (_collection(_feature("X", SAIGON), _feature("X", SAIGON)), "duplicate"),
        (_collection(_feature("OK", SAIGON), _feature("BAD", [[0, 0], [500, 0], [1, 1]])), "out of range"),
    ],
)
def test_a_bad_file_is_refused_whole_with_the_reason(db, collection, message):
    with db.write() as session, pytest.raises(Invalid) as refused:
        import_areas(session, collection)
    assert message in refused.value.message
    with db.read() as session:
        assert session.scalar(select(Area).where(Area.code.in_(["OK", "X"]))) is None


def test_the_cli_imports_updates_and_places_existing_reports(client, personas, db, database_url, tmp_path):
    flow = Flow(client, personas, db)
    waiting = flow.submit(location={**FAR_AWAY, "address": "Quận 1"})
    path = tmp_path / "saigon.geojson"
    path.write_text(json.dumps(_collection(_feature("Q1BN", SAIGON, organization_code="UBNDTP"))), encoding="utf-8")
    env = os.environ | {"PAHT_DATABASE_URL": database_url, "PAHT_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "paht.cli", "areas", "import", str(path)]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "1 area(s) created, 0 updated, 1 report(s) placed" in " ".join(first.stdout.split())
    assert _area_code(db, waiting["id"]) == "Q1BN"
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert "0 area(s) created, 1 updated" in " ".join(second.stdout.split())
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json", encoding="utf-8")
    failed = subprocess.run([*command[:-1], str(broken)], env=env, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1
    assert "cannot read the file" in " ".join(failed.stdout.split())
    with db.read() as session:
        area = session.scalar(select(Area).where(Area.code == "Q1BN"))
        assert area is not None
        assert session.get(Organization, area.organization_id).code == "UBNDTP"
