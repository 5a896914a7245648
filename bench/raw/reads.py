"""Read routes of the raw app: one public report (W2) and the staff's filtered keyset list (W3)."""

from __future__ import annotations

import base64
import re
from typing import Any

import orjson

from bench.raw import shapes
from bench.raw.auth import Caller, visibility
from bench.raw.db import Store
from paht.places.queries import DENSE_BOX, DENSE_SCALE
from paht.queryhints import walk_threshold

CODE = re.compile(r"^PA-[0-9A-HJKMNP-TV-Z]{8}$")
NOT_FOUND = (404, {"detail": "Không tìm thấy (not found).", "code": "not_found"})
Response = tuple[int, Any]


def public_report(store: Store, code: str) -> Response:
    """GET /api/v1/public/reports/{code}: PublicReport."""
    code = code.upper()
    if not CODE.match(code):
        return NOT_FOUND
    d = store.dialect
    row = store.read_one(
        "SELECT r.id, r.state, r.code, r.public_title, r.public_description, r.public_result, r.urgent, r.lat, r.lon,"
        " r.created_at, r.published_at, r.closed_at, r.rating, c.id, c.code, c.name, o.id, o.code, o.name,"
        " a.dispatched_at, a.acknowledged_at, a.result_submitted_at, a.approved_at"
        " FROM reports r LEFT JOIN categories c ON c.id = r.category_id"
        " LEFT JOIN organizations o ON o.id = r.current_organization_id"
        " LEFT JOIN assignments a ON a.id = r.current_assignment_id WHERE r.code = ?",
        (code,),
    )
    if row is None or row[1] != "published":
        return NOT_FOUND
    photos = store.read(
        "SELECT id, kind, width, height FROM attachments WHERE report_id = ? ORDER BY created_at", (row[0],)
    )
    ts = d.ts_out
    return 200, {
        "code": row[2],
        "title": row[3],
        "description": row[4],
        "result": row[5],
        "urgent": bool(row[6]),
        "category": {"id": row[13], "code": row[14], "name": row[15]} if row[13] is not None else None,
        "organization": {"id": row[16], "code": row[17], "name": row[18]} if row[16] is not None else None,
        "lat": round(row[7], 3) if row[7] is not None else None,
        "lon": round(row[8], 3) if row[8] is not None else None,
        "steps": {
            "received_at": ts(row[9]),
            "dispatched_at": ts(row[19]),
            "acknowledged_at": ts(row[20]),
            "result_submitted_at": ts(row[21]),
            "approved_at": ts(row[22]),
            "published_at": ts(row[10]),
            "closed_at": ts(row[11]),
        },
        "rating": {"count": 1 if row[12] else 0, "average": float(row[12]) if row[12] else None},
        "photos": [
            {
                "id": d.uid_out(p[0]),
                "kind": p[1],
                "url": f"/api/v1/public/attachments/{d.uid_out(p[0])}",
                "width": p[2],
                "height": p[3],
            }
            for p in photos
        ],
    }


def _decode_cursor(store: Store, cursor: str) -> tuple[Any, Any] | None:
    try:
        created, report_id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        from datetime import datetime
        from uuid import UUID

        return store.dialect.ts(datetime.fromisoformat(created)), store.dialect.uid(UUID(report_id))
    except (ValueError, TypeError):
        return None


def staff_list(store: Store, who: Caller, query: dict[str, list[str]]) -> Response:
    """GET /api/v1/reports?state=…&organization_id=…&cursor=…&limit=…: ReportPage, newest first."""
    where, params = visibility(who)
    conditions, values = [where], list(params)
    try:
        if states := query.get("state"):
            conditions.append(f"r.state IN ({', '.join('?' * len(states))})")
            values += [s for s in states if s in shapes.STATE_LABELS] or ["-"]
        if organization := query.get("organization_id"):
            conditions.append("r.current_organization_id = ?")
            values.append(int(organization[0]))
        if category := query.get("category_id"):
            conditions.append("r.category_id = ?")
            values.append(int(category[0]))
        limit = int(query.get("limit", ["50"])[0])
    except ValueError:
        return 422, {"detail": "invalid", "code": "invalid"}
    if not 1 <= limit <= 200:
        return 422, {"detail": "invalid limit", "code": "invalid"}
    if cursor := query.get("cursor"):
        decoded = _decode_cursor(store, cursor[0])
        if decoded is None:
            return 422, {"detail": "cursor không hợp lệ (invalid cursor)", "code": "invalid"}
        conditions.append("(r.created_at < ? OR (r.created_at = ? AND r.id < ?))")
        values += [decoded[0], decoded[0], decoded[1]]
    rows = store.read(
        f"SELECT {shapes.REPORT_SELECT} FROM reports r WHERE {' AND '.join(conditions)}"
        " ORDER BY r.created_at DESC, r.id DESC LIMIT ?",
        (*values, limit + 1),
    )
    page = rows[:limit]
    d = store.dialect
    next_cursor = shapes.cursor(d, page[-1][21], page[-1][0]) if len(rows) > limit else None
    return 200, {"items": [shapes.report(d, row) for row in page], "next_cursor": next_cursor}


MAP_LIMIT = 500
DECIMALS = 3  # settings.public_location_decimals


def _dense(store: Store, edges: tuple[float, float, float, float]) -> bool:
    dense = walk_threshold(store.indexed_reports(), scale=DENSE_SCALE, floor=DENSE_BOX)
    found = store.read_one(
        "SELECT count(*) FROM (SELECT r.lon FROM reports r WHERE r.state = 'published' AND r.lat IS NOT NULL"
        f" AND r.lon IS NOT NULL AND r.lon >= ? AND r.lon <= ? AND r.lat >= ? AND r.lat <= ? LIMIT {dense}) x",
        edges,
    )
    return found is not None and found[0] >= dense


def public_map(store: Store, query: dict[str, list[str]]) -> Response:
    """GET /api/v1/public/reports.geojson?bbox=: newest published reports in the box, coarse points."""
    try:
        box = [float(x) for x in query["bbox"][0].split(",")]
        limit = int(query.get("limit", [str(MAP_LIMIT)])[0])
    except (KeyError, ValueError):
        return 422, {"detail": "bbox: cần 4 số minLon,minLat,maxLon,maxLat", "code": "invalid"}
    if len(box) != 4 or not (-180 <= box[0] <= box[2] <= 180 and -90 <= box[1] <= box[3] <= 90):
        return 422, {"detail": "bbox: toạ độ ngoài phạm vi", "code": "invalid"}
    if not 1 <= limit <= MAP_LIMIT:
        return 422, {"detail": "invalid limit", "code": "invalid"}
    margin = 0.5 * 10**-DECIMALS
    west, south, east, north = box
    edges = (west - margin, east + margin, south - margin, north + margin)
    # The plan of paht.places.queries: a dense box (>= DENSE_BOX points) is walked newest first on SQLite.
    walk = "+" if store.dialect.sqlite and _dense(store, edges) else ""
    rows = store.read(
        "SELECT r.code, r.public_title, r.urgent, r.published_at, r.lat, r.lon, c.code, c.name, o.code, o.name"
        " FROM reports r LEFT JOIN categories c ON c.id = r.category_id"
        " LEFT JOIN organizations o ON o.id = r.current_organization_id"
        f" WHERE {walk}r.state = 'published' AND {walk}r.lat IS NOT NULL AND {walk}r.lon IS NOT NULL"
        f" AND {walk}r.lon >= ? AND {walk}r.lon <= ? AND {walk}r.lat >= ? AND {walk}r.lat <= ?"
        " ORDER BY r.published_at DESC, r.id DESC LIMIT ?",
        (*edges, limit + 1),
        for_values=True,
    )
    features = []
    for code, title, urgent, published, lat, lon, c_code, c_name, o_code, o_name in rows[:limit]:
        lat, lon = round(lat, DECIMALS), round(lon, DECIMALS)
        if not (west <= lon <= east and south <= lat <= north):
            continue
        at = store.dialect.ts_value(published)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "code": code,
                    "title": title,
                    "urgent": bool(urgent),
                    "category": {"code": c_code, "name": c_name} if c_code is not None else None,
                    "organization": {"code": o_code, "name": o_name} if o_code is not None else None,
                    "published_at": at.isoformat() if at else None,
                    "url": f"/api/v1/public/reports/{code}",
                },
            }
        )
    return 200, {"type": "FeatureCollection", "features": features, "truncated": len(rows) > limit}
