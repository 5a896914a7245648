"""Derived rows written with each generated report, by the capabilities' own functions.

A real report change runs `paht.reports.hooks`; each capability whose hook writes one row per report
plugs in here, so the bulk load writes those rows in the same batches: the search index
(`paht.search.index.texts`) and the report's area (`paht.places.geometry.contains`). Derived data that
depends on whole histories (statistics) is rebuilt afterwards by `fillers.py`. A capability whose
table is not in the database is simply not used.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from paht.benchdata.rows import COLUMNS

if TYPE_CHECKING:
    from paht.benchdata.timeline import Generator, _Life


@dataclass
class AreaShape:
    id: int
    name: str
    box: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
    geometry: dict


class SearchRows:
    table = "report_search"
    columns = ("id", "report_id", "staff_raw", "staff_folded", "public_raw", "public_folded")
    counted = True

    def __init__(self) -> None:
        from paht.search.index import texts

        self.texts = texts

    def rows(self, gen: Generator, life: _Life) -> Iterator[tuple]:
        found = self.texts(SimpleNamespace(**(dict.fromkeys(COLUMNS["reports"]) | life.report)))
        yield (
            gen._next(self.table),
            gen.uid(life.id),
            found["staff_raw"],
            found["staff_folded"],
            found["public_raw"],
            found["public_folded"],
        )


class PlaceRows:
    """The report's area, placed at intake (the earliest area holding the point, smallest box first)."""

    table = "report_places"
    columns = ("report_id", "area_id", "placed_at")
    counted = False

    def __init__(self, areas: list[AreaShape]) -> None:
        from paht.places.geometry import contains

        self.areas = sorted(areas, key=lambda a: (a.box[2] - a.box[0]) * (a.box[3] - a.box[1]))
        self.contains = contains

    def area_for(self, lat: float, lon: float) -> int | None:
        for area in self.areas:
            west, south, east, north = area.box
            if west <= lon <= east and south <= lat <= north and self.contains(area.geometry, lon, lat):
                return area.id
        return None

    def rows(self, gen: Generator, life: _Life) -> Iterator[tuple]:
        report = life.report
        if report["lat"] is None:
            return
        area = self.area_for(report["lat"], report["lon"])
        if area is not None:
            yield (gen.uid(life.id), area, gen.ts(report["created_at"]))

    def point_in(self, rng: random.Random, ward: str) -> tuple[float, float] | None:
        """A point inside the area named like `ward`, when there is one (so maps show reports in wards)."""
        for area in self.areas:
            if area.name.endswith(ward):
                west, south, east, north = area.box
                for _ in range(30):
                    lon, lat = rng.uniform(west, east), rng.uniform(south, north)
                    if self.contains(area.geometry, lon, lat):
                        return lat, lon
        return None


def _areas(session: Session) -> list[AreaShape]:
    rows = session.execute(text("SELECT id, name, min_lon, min_lat, max_lon, max_lat, geometry FROM areas"))
    found = []
    for row in rows:
        geometry: Any = row[6]
        if isinstance(geometry, str):
            import json

            geometry = json.loads(geometry)
        found.append(AreaShape(row[0], row[1], (row[2], row[3], row[4], row[5]), geometry))
    return found


def available(session: Session) -> list[SearchRows | PlaceRows]:
    tables = set(inspect(session.get_bind()).get_table_names())
    extras: list[SearchRows | PlaceRows] = []
    if "report_search" in tables:
        extras.append(SearchRows())
    if {"areas", "report_places"} <= tables and (areas := _areas(session)):
        extras.append(PlaceRows(areas))
    return extras
