"""Map data as GeoJSON: published reports for the public, visible reports for staff, area outlines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.errors import Invalid
from paht.models import Area, Category, Organization, Report
from paht.queryhints import plan_for_values, unindexed, walk_threshold
from paht.reports.queries import visible
from paht.search.engine import Scope, indexed_reports
from paht.search.queries import narrow
from paht.workflow.states import ReportState, label

BBox = tuple[float, float, float, float]
MAX_FEATURES = 500
# A box is dense from walk_threshold(reports, scale=DENSE_SCALE, floor=DENSE_BOX) points: 5,000 up to
# 125,000 reports, 14,142 at 1,000,000 (measured there: a box of 11,000 points read 97 ms as a band and
# 113 ms walked; one of 16,000, 121 ms and 41 ms).
DENSE_BOX = 5000
DENSE_SCALE = 200


def parse_bbox(value: str | None) -> BBox | None:
    """`minLon,minLat,maxLon,maxLat` (WGS 84), as in OGC APIs and Leaflet's `getBounds().toBBoxString()`."""
    if value is None:
        return None
    parts = value.split(",")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or any(n != n for n in numbers):  # n != n: NaN
        raise Invalid("bbox: cần 4 số minLon,minLat,maxLon,maxLat (bbox must be four numbers).")
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise Invalid("bbox: toạ độ ngoài phạm vi hoặc min > max (bbox out of range or min > max).")
    return min_lon, min_lat, max_lon, max_lat


def _within(query: Select, box: BBox | None, margin: float = 0.0, *, walk: bool = False) -> Select:
    """Reports with a point in the box; `walk`: keep the box out of SQLite's index choice (see `_dense`)."""
    lat, lon = (unindexed(Report.lat), unindexed(Report.lon)) if walk else (Report.lat, Report.lon)
    query = query.where(lat.is_not(None), lon.is_not(None))
    if box is None:
        return query
    min_lon, min_lat, max_lon, max_lat = box
    west, south, east, north = min_lon - margin, min_lat - margin, max_lon + margin, max_lat + margin
    return query.where(lon >= west, lon <= east, lat >= south, lat <= north)


def _dense(session: Session, boxed: Select) -> bool:
    """Whether the box holds enough of the reports asked for to walk them (see DENSE_BOX).

    A sparse box (a few streets) is best read through the box's band of longitudes (ix_reports_state_lon_lat)
    and its few points sorted. A dense one (a district, the whole city) holds so many points that sorting
    them costs more than walking the newest published reports and keeping those inside, which stops after
    the 501st: at 1,000,000 reports the band read 0.1-1.6 s per view, the walk 4-44 ms. The count reads at
    most that many points of the band. PostgreSQL's statistics make the same choice by themselves; SQLite
    needs to be told.
    """
    dense = walk_threshold(indexed_reports(session), scale=DENSE_SCALE, floor=DENSE_BOX)
    # Report.lon, not Report.id: the count then reads the index alone (the UUID is in the table row).
    probe = boxed.with_only_columns(Report.lon).limit(dense).subquery()
    return (session.scalar(select(func.count()).select_from(probe)) or 0) >= dense


def _names(session: Session, model: type[Category] | type[Organization], ids: set[int], lang: str) -> dict:
    if not ids:
        return {}
    rows = session.scalars(select(model).where(model.id.in_(ids)))
    return {r.id: {"code": r.code, "name": (r.name_en or r.name) if lang == "en" else r.name} for r in rows}


def _collection(features: list[dict[str, Any]], *, truncated: bool) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features, "truncated": truncated}


# Only what a feature shows, names joined in: up to 501 whole reports (descriptions, addresses) and two more
# queries for the names cost twice the database's own time in Python (issue 7, W5).
_FEATURES = select(
    Report.code,
    Report.public_title,
    Report.urgent,
    Report.published_at,
    Report.lat,
    Report.lon,
    Category.code,
    Category.name,
    Category.name_en,
    Organization.code,
    Organization.name,
    Organization.name_en,
).select_from(
    Report.__table__.outerjoin(Category.__table__, Category.id == Report.category_id).outerjoin(
        Organization.__table__, Organization.id == Report.current_organization_id
    )
)


def published_features(
    session: Session,
    box: BBox | None,
    *,
    decimals: int,
    lang: str,
    category_id: int | None = None,
    organization_id: int | None = None,
    q: str | None = None,
    limit: int = MAX_FEATURES,
) -> dict[str, Any]:
    """Newest published reports in the box, at coarse coordinates and with the public text only.

    The box is applied to the coarse coordinates, so that moving a box about cannot reveal a report's
    exact point: the database narrows with a margin of half a grid step, the rest is done here.
    """
    margin = 0.5 * 10**-decimals

    def published(walk: bool) -> Select:
        state = unindexed(Report.state) if walk else Report.state
        query = _FEATURES.where(state == ReportState.published)
        if category_id is not None:
            query = query.where(Report.category_id == category_id)
        if organization_id is not None:
            query = query.where(Report.current_organization_id == organization_id)
        if q:
            query = narrow(session, query, q, Scope.public)
        return _within(query, box, margin, walk=walk)

    query = published(walk=False)
    if box is not None and session.get_bind().dialect.name == "sqlite" and _dense(session, query):
        query = published(walk=True)
    plan_for_values(session)
    rows = session.execute(query.order_by(Report.published_at.desc(), Report.id.desc()).limit(limit + 1)).all()
    english = lang == "en"
    features = []
    for code, title, urgent, published_at, lat, lon, c_code, c_name, c_en, o_code, o_name, o_en in rows[:limit]:
        lat, lon = round(lat, decimals), round(lon, decimals)
        if box is not None and not (box[0] <= lon <= box[2] and box[1] <= lat <= box[3]):
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "code": code,
                    "title": title,
                    "urgent": urgent,
                    "category": _named(c_code, c_name, c_en, english),
                    "organization": _named(o_code, o_name, o_en, english),
                    "published_at": published_at.isoformat() if published_at else None,
                    "url": f"/api/v1/public/reports/{code}",
                },
            }
        )
    return _collection(features, truncated=len(rows) > limit)


def _named(code: str | None, name: str | None, name_en: str | None, english: bool) -> dict[str, Any] | None:
    if code is None:
        return None
    return {"code": code, "name": (name_en or name) if english else name}


def visible_features(
    session: Session,
    actor: Actor,
    box: BBox | None,
    *,
    states: list[str] | None,
    lang: str,
    limit: int = MAX_FEATURES,
) -> dict[str, Any]:
    """Staff map: the caller's visible reports in the box, newest first, at their exact points."""
    query = _within(select(Report).where(visible(actor)), box)
    if states:
        query = query.where(Report.state.in_(states))
    plan_for_values(session)
    reports = session.scalars(query.order_by(Report.created_at.desc(), Report.id.desc()).limit(limit + 1)).all()
    categories = _names(session, Category, {r.category_id for r in reports if r.category_id}, lang)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
            "properties": {
                "id": str(r.id),
                "code": r.code,
                "title": r.title or r.description[:120],
                "state": r.state,
                "state_label": label(r.state, lang),
                "urgent": r.urgent,
                "category": categories.get(r.category_id),
                "created_at": r.created_at.isoformat(),
            },
        }
        for r in reports[:limit]
    ]
    return _collection(features, truncated=len(reports) > limit)


def all_areas(session: Session) -> list[Area]:
    return list(session.scalars(select(Area).order_by(Area.code)))


def areas_collection(session: Session, lang: str) -> dict[str, Any]:
    areas = all_areas(session)
    bodies = _names(session, Organization, {a.organization_id for a in areas if a.organization_id}, lang)
    features = [
        {
            "type": "Feature",
            "geometry": area.geometry,
            "properties": {
                "id": area.id,
                "code": area.code,
                "name": area.name,
                "kind": area.kind,
                "organization": bodies.get(area.organization_id),
            },
        }
        for area in areas
    ]
    return _collection(features, truncated=False)
