"""Areas: importing ward polygons from GeoJSON and placing each report's point in its area."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from paht.clock import utc_now
from paht.enums import EventKind
from paht.errors import Invalid
from paht.models import Area, Event, Organization, Report, ReportPlace
from paht.places import geometry
from paht.prepared import Prepared, Write
from paht.reports.hooks import NEW_REPORT_AREAS
from paht.text import clean

DEMO_AREAS = Path(__file__).resolve().parents[1] / "demo" / "areas.geojson"


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)  # no People's Committee found for these
    placed: int = 0


def _feature(session: Session, index: int, feature: Any) -> dict[str, Any]:
    where = f"features[{index}]"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise Invalid(f"{where}: phải là một GeoJSON Feature (must be a Feature)")
    props = feature.get("properties") or {}
    code, name = clean(str(props.get("code") or "")), clean(str(props.get("name") or ""))
    if not code or not name:
        raise Invalid(f"{where}: cần properties.code và properties.name (code and name are required)")
    try:
        shape = geometry.normalised(feature.get("geometry"))
    except geometry.GeometryError as exc:
        raise Invalid(f"{where} ({code}): {exc}") from exc
    org_code = props.get("organization_code")
    org = session.scalar(select(Organization).where(Organization.code == str(org_code))) if org_code else None
    if org_code and org is None:
        raise Invalid(f"{where} ({code}): không có đơn vị {org_code} (unknown organization_code)")
    return {
        "code": code,
        "name": name,
        "kind": clean(str(props.get("kind") or "ward")),
        "organization_id": org.id if org else None,
        "geometry": shape,
    }


def import_areas(session: Session, collection: Any, *, place_reports: bool = True) -> ImportResult:
    """Create or update areas by code from a FeatureCollection; all or nothing (the caller commits)."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise Invalid("Tệp phải là GeoJSON FeatureCollection (the file must be a FeatureCollection).")
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        raise Invalid("FeatureCollection không có feature nào (no features).")
    rows = [_feature(session, i, f) for i, f in enumerate(features)]
    codes = [row["code"] for row in rows]
    if len(set(codes)) != len(codes):
        raise Invalid("Mã khu vực bị trùng trong tệp (duplicate area codes in the file).")
    result, now = ImportResult(), utc_now()
    for row in rows:
        min_lon, min_lat, max_lon, max_lat = geometry.bbox(row["geometry"])
        box = {"min_lon": min_lon, "min_lat": min_lat, "max_lon": max_lon, "max_lat": max_lat}
        area = session.scalar(select(Area).where(Area.code == row["code"]))
        if area is None:
            session.add(Area(**row, **box, created_at=now, updated_at=now))
            result.created.append(row["code"])
        else:
            for name, value in (row | box).items():
                setattr(area, name, value)
            area.updated_at = now
            result.updated.append(row["code"])
        if row["organization_id"] is None:
            result.unlinked.append(row["code"])
    session.flush()
    if place_reports:
        result.placed = place_unplaced(session)
    return result


def import_file(session: Session, path: Path, *, place_reports: bool = True) -> ImportResult:
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(f"Không đọc được {path}: {exc} (cannot read the file)") from exc
    return import_areas(session, collection, place_reports=place_reports)


def load_demo_areas(session: Session) -> ImportResult:
    """The demo wards of Huế, each linked to its ward People's Committee (codes as in demo/data.py)."""
    return import_file(session, DEMO_AREAS, place_reports=False)


# Built once and run on the driver's cursor (paht.prepared), as columns: every new report with a point asks,
# and loading the areas as ORM objects cost ~4 % of a submission's CPU (issue 7, W1).
_BOXES_HOLDING = Prepared(
    select(Area.id, Area.geometry, Area.min_lon, Area.max_lon, Area.min_lat, Area.max_lat).where(
        Area.min_lon <= bindparam("lon", type_=Area.min_lon.type),
        Area.max_lon >= bindparam("lon", type_=Area.min_lon.type),
        Area.min_lat <= bindparam("lat", type_=Area.min_lat.type),
        Area.max_lat >= bindparam("lat", type_=Area.min_lat.type),
    )
)
_INSERT_PLACE = Write(insert(ReportPlace.__table__))


def area_id_for_point(session: Session, lat: float, lon: float) -> int | None:
    """The id of the area whose polygon holds the point; when polygons overlap, the smallest box wins."""
    boxes = _BOXES_HOLDING.rows_flushed(session, lat=lat, lon=lon)  # areas imported in this transaction count
    hits = [area for area in boxes if geometry.contains(area.geometry, lon, lat)]
    smallest = min(hits, key=lambda a: (a.max_lon - a.min_lon) * (a.max_lat - a.min_lat), default=None)
    return smallest.id if smallest is not None else None


def area_for_point(session: Session, lat: float, lon: float) -> Area | None:
    area_id = area_id_for_point(session, lat, lon)
    return session.get(Area, area_id) if area_id is not None else None


def place_report(session: Session, report: Report, *, new: bool = False) -> ReportPlace | None:
    """Place (or re-place) a report in the area holding its point; `new`: it cannot have a place yet."""
    if report.lat is None or report.lon is None:
        return None
    area_id = area_id_for_point(session, report.lat, report.lon)
    if area_id is None:
        return None
    if new:  # a plain INSERT (the unit of work cost ~80 µs more); the statistics hook reads the area from info
        values = {"report_id": report.id, "area_id": area_id, "placed_at": utc_now()}
        _INSERT_PLACE.run(session, values)
        session.info.setdefault(NEW_REPORT_AREAS, {})[report.id] = area_id
        return ReportPlace(**values)  # (transient: the row is written)
    place = session.get(ReportPlace, report.id)
    if place is None:
        place = ReportPlace(report_id=report.id, area_id=area_id, placed_at=utc_now())
        session.add(place)
        session.info.setdefault(NEW_REPORT_AREAS, {})[report.id] = area_id
    else:
        place.area_id, place.placed_at = area_id, utc_now()
    return place


def place_on_intake(session: Session, report: Report, event: Event) -> None:
    """Report-change hook: a new report is placed in its area in the intake transaction."""
    if event.kind == EventKind.created:
        place_report(session, report, new=True)


def place_unplaced(session: Session, *, batch: int = 1000) -> int:
    """Place reports that have a point but no area yet (after areas are imported); returns how many."""
    placed, last = 0, None
    while True:
        query = select(Report).where(Report.lat.is_not(None), ~Report.id.in_(select(ReportPlace.report_id)))
        if last is not None:
            query = query.where(Report.id > last)
        reports = list(session.scalars(query.order_by(Report.id).limit(batch)))
        if not reports:
            return placed
        placed += sum(1 for report in reports if place_report(session, report) is not None)
        session.flush()
        last = reports[-1].id


def area_of(session: Session, report_id: object) -> Area | None:
    place = session.get(ReportPlace, report_id)
    return session.get(Area, place.area_id) if place else None
