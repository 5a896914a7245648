"""Map data routes: GeoJSON for Leaflet (clustering happens in the browser with leaflet.markercluster)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from paht.deps import AppSettings, Lang, ReadSession, SignedIn
from paht.places import queries
from paht.responses import errors
from paht.search.lists import Q_HELP
from paht.search.queries import MAX_QUERY_LENGTH
from paht.workflow import ReportState

router = APIRouter(prefix="/api/v1", tags=["places"], responses=errors(401, 403, 404, 422))
GEOJSON = "application/geo+json"
BBOX_HELP = "minLon,minLat,maxLon,maxLat (WGS 84), e.g. Leaflet's map.getBounds().toBBoxString()"


class GeoJSONResponse(JSONResponse):
    """orjson: a map answer is up to 500 features, which the standard library encodes 8× slower."""

    media_type = GEOJSON

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class AreaOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    organization_id: int | None


@router.get("/public/reports.geojson", response_class=GeoJSONResponse)
def public_map(
    session: ReadSession,
    settings: AppSettings,
    lang: Lang,
    bbox: Annotated[str | None, Query(description=BBOX_HELP)] = None,
    category_id: int | None = None,
    organization_id: int | None = None,
    q: Annotated[str | None, Query(max_length=MAX_QUERY_LENGTH, description=Q_HELP)] = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_FEATURES)] = queries.MAX_FEATURES,
) -> Any:
    """Published reports in a box as a GeoJSON FeatureCollection: coarse points, public text, no personal data."""
    return GeoJSONResponse(
        queries.published_features(
            session,
            queries.parse_bbox(bbox),
            decimals=settings.public_location_decimals,
            lang=lang,
            category_id=category_id,
            organization_id=organization_id,
            q=q,
            limit=limit,
        )
    )


@router.get("/reports.geojson", response_class=GeoJSONResponse)
def staff_map(
    session: ReadSession,
    actor: SignedIn,
    lang: Lang,
    bbox: Annotated[str | None, Query(description=BBOX_HELP)] = None,
    state: Annotated[list[ReportState] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=queries.MAX_FEATURES)] = queries.MAX_FEATURES,
) -> Any:
    """The caller's visible reports in a box (staff map), newest first."""
    states = [s.value for s in state] if state else None
    return GeoJSONResponse(
        queries.visible_features(session, actor, queries.parse_bbox(bbox), states=states, lang=lang, limit=limit)
    )


@router.get("/areas", response_model=list[AreaOut])
def list_areas(session: ReadSession) -> Any:
    """The administrative areas (wards, communes) and the People's Committee each belongs to."""
    return [AreaOut.model_validate(area, from_attributes=True) for area in queries.all_areas(session)]


@router.get("/areas.geojson", response_class=GeoJSONResponse)
def areas_map(session: ReadSession, lang: Lang) -> Any:
    """Area outlines for a map layer."""
    return GeoJSONResponse(queries.areas_collection(session, lang))
