"""Public JSON: published results and tracking by code. No login, no personal data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from paht.deps import AppSettings, Lang, ReadSession
from paht.errors import NotFound
from paht.params import IsoDateTime
from paht.publishing import queries
from paht.publishing.schemas import PublicReport, PublicReportPage, TrackOut
from paht.responses import errors
from paht.search import lists as search_lists
from paht.search.queries import MAX_QUERY_LENGTH, SearchSort

router = APIRouter(prefix="/api/v1", tags=["public"], responses=errors(401, 404, 422))


@router.get("/public/reports", response_model=PublicReportPage)
def public_reports(
    session: ReadSession,
    settings: AppSettings,
    lang: Lang,
    category_id: int | None = None,
    organization_id: int | None = None,
    published_from: IsoDateTime | None = None,
    published_to: IsoDateTime | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    q: Annotated[str | None, Query(max_length=MAX_QUERY_LENGTH, description=search_lists.Q_HELP)] = None,
    sort: Annotated[SearchSort, Query(description=search_lists.SORT_HELP)] = SearchSort.newest,
) -> Any:
    """Published reports, newest first (or by relevance to `q`), with the cursor of the next page."""
    # Plain pages are also answered by paht.publishing.fast, with the same bytes (search_lists.public_page_json).
    body = search_lists.public_page_json(
        session,
        decimals=settings.public_location_decimals,
        lang=lang,
        q=q,
        sort=sort,
        category_id=category_id,
        organization_id=organization_id,
        published_from=published_from,
        published_to=published_to,
        cursor=cursor,
        limit=limit,
        cap=settings.search_relevance_candidates,
    )
    return Response(body, media_type="application/json")


@router.get("/public/reports/{code}", response_model=PublicReport)
def public_report(code: str, session: ReadSession, settings: AppSettings, lang: Lang) -> Any:
    """A published report by its tracking code (also answered by paht.publishing.fast, the same document)."""
    public = queries.published_public_report(session, code, decimals=settings.public_location_decimals, lang=lang)
    if public is None:
        raise NotFound(queries.NOT_PUBLISHED)
    return public


@router.get("/track/{code}", response_model=TrackOut)
def track(code: str, session: ReadSession, lang: Lang) -> Any:
    """A report's progress by its tracking code: state and step times, no personal data."""
    return queries.track(session, code, lang=lang)
