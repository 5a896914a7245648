"""The plain-Python geometry: GeoJSON checks, point in polygon with holes, distances."""

from __future__ import annotations

import random

import pytest

from paht.places import geometry

SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
HOLE = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]


def test_point_in_polygon_respects_holes_and_multipolygons():
    donut = {"type": "Polygon", "coordinates": [SQUARE, HOLE]}
    assert geometry.contains(donut, 1, 1)
    assert not geometry.contains(donut, 5, 5)  # in the hole
    assert not geometry.contains(donut, 11, 5)
    two = {"type": "MultiPolygon", "coordinates": [[SQUARE], [[[20, 20], [30, 20], [30, 30], [20, 20]]]]}
    assert geometry.contains(two, 28, 22)
    assert not geometry.contains(two, 22, 28)  # the other side of the triangle's diagonal


def test_open_rings_are_closed_and_stored_as_multipolygons():
    stored = geometry.normalised({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]})
    assert stored["type"] == "MultiPolygon"
    assert stored["coordinates"][0][0][0] == stored["coordinates"][0][0][-1]
    assert geometry.bbox(stored) == (0, 0, 1, 1)


@pytest.mark.parametrize(
    "bad",
    [
        None,
        {"type": "Point", "coordinates": [1, 2]},
        {"type": "Polygon", "coordinates": []},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], ["a", 0], [1, 1], [0, 0]]]},
        {"type": "MultiPolygon", "coordinates": [[]]},
    ],
)
def test_bad_geometries_are_refused_with_a_reason(bad):
    with pytest.raises(geometry.GeometryError):
        geometry.normalised(bad)


def test_distances_and_boxes():
    assert geometry.distance_m(16.0, 107.0, 17.0, 107.0) == pytest.approx(111_195, rel=1e-3)
    assert geometry.distance_m(16.4637, 107.5909, 16.4637, 107.5909) == 0
    dlat, dlon = geometry.degrees_around(16.46, 200)
    assert geometry.distance_m(16.46, 107.59, 16.46 + dlat, 107.59) == pytest.approx(200, rel=1e-6)
    assert geometry.distance_m(16.46, 107.59, 16.46, 107.59 + dlon) == pytest.approx(200, rel=1e-3)


def test_random_points_fall_inside():
    shape = {"type": "Polygon", "coordinates": [SQUARE, HOLE]}
    rng = random.Random(1)
    for _ in range(200):
        lat, lon = geometry.random_point(shape, rng)
        assert geometry.contains(shape, lon, lat)
