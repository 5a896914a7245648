"""Plain-Python geometry for a city's few hundred wards: GeoJSON checks, point in polygon, distances.

Coordinates are GeoJSON order, (longitude, latitude) in WGS 84. Ward polygons have a few hundred
vertices, so a ray-casting test in Python costs microseconds and needs no compiled GIS library.
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

Ring = list[tuple[float, float]]
Polygon = list[Ring]  # outer ring, then holes
EARTH_RADIUS_M = 6_371_008.8


class GeometryError(ValueError):
    pass


def _ring(raw: Any, where: str) -> Ring:
    if not isinstance(raw, list) or len(raw) < 3:
        raise GeometryError(f"{where}: một vòng cần ít nhất 3 điểm (a ring needs at least 3 positions)")
    ring: Ring = []
    for position in raw:
        if not (isinstance(position, list | tuple) and len(position) >= 2):
            raise GeometryError(f"{where}: toạ độ phải là [kinh độ, vĩ độ] (positions are [lon, lat])")
        lon, lat = position[0], position[1]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat)):
            raise GeometryError(f"{where}: toạ độ phải là số (coordinates must be numbers)")
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise GeometryError(f"{where}: toạ độ ngoài phạm vi (coordinate out of range: {lon}, {lat})")
        ring.append((float(lon), float(lat)))
    if ring[0] != ring[-1]:
        ring.append(ring[0])  # RFC 7946 wants closed rings; accept open ones and close them
    if len(ring) < 4:
        raise GeometryError(f"{where}: một vòng cần ít nhất 3 điểm khác nhau (a ring needs 3 distinct positions)")
    return ring


def polygons(geometry: Any) -> list[Polygon]:
    """The polygons of a GeoJSON Polygon or MultiPolygon, validated."""
    if not isinstance(geometry, dict):
        raise GeometryError("geometry: phải là đối tượng GeoJSON (must be a GeoJSON object)")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        raw_polygons = [coordinates]
    elif kind == "MultiPolygon":
        raw_polygons = coordinates if isinstance(coordinates, list) else None
    else:
        raise GeometryError(f"geometry: cần Polygon hoặc MultiPolygon, không phải {kind!r} (unsupported type)")
    if not raw_polygons or not all(isinstance(p, list) and p for p in raw_polygons):
        raise GeometryError("geometry: thiếu toạ độ (no coordinates)")
    return [[_ring(ring, f"polygon {i} ring {j}") for j, ring in enumerate(p)] for i, p in enumerate(raw_polygons)]


def normalised(geometry: Any) -> dict[str, Any]:
    """The geometry as stored: a MultiPolygon with closed rings."""
    return {
        "type": "MultiPolygon",
        "coordinates": [[[list(pt) for pt in ring] for ring in p] for p in polygons(geometry)],
    }


def bbox(geometry: Any) -> tuple[float, float, float, float]:
    points = [pt for p in polygons(geometry) for pt in p[0]]
    lons, lats = [pt[0] for pt in points], [pt[1] for pt in points]
    return min(lons), min(lats), max(lons), max(lats)


def _in_ring(ring: Ring, lon: float, lat: float) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def inside(shapes: list[Polygon], lon: float, lat: float) -> bool:
    """Inside the outer ring of some polygon and in none of its holes."""
    return any(_in_ring(p[0], lon, lat) and not any(_in_ring(hole, lon, lat) for hole in p[1:]) for p in shapes)


def contains(geometry: Any, lon: float, lat: float) -> bool:
    return inside(polygons(geometry), lon, lat)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def degrees_around(lat: float, metres: float) -> tuple[float, float]:
    """(Δlat, Δlon) that a box needs to hold every point within `metres` of latitude `lat`."""
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    return dlat, dlat / max(0.01, math.cos(math.radians(lat)))


def random_point(geometry: Any, rng: random.Random) -> tuple[float, float]:
    """A uniformly random (lat, lon) inside the geometry (rejection sampling in its box)."""
    shapes = polygons(geometry)
    min_lon, min_lat, max_lon, max_lat = bbox(geometry)
    for _ in range(10_000):
        lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
        if inside(shapes, lon, lat):
            return lat, lon
    raise GeometryError("geometry: không lấy được điểm bên trong (no interior point found)")
