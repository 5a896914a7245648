"""The staff and public report lists with search: newest first (keyset) or by relevance (ranked)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from paht.auth.actor import Actor
from paht.models import Report
from paht.publishing import queries as public_queries
from paht.reports import queries as report_queries
from paht.reports.listing import LISTED, listed, page_json
from paht.responses import plain_json
from paht.search.engine import Scope
from paht.search.queries import SearchSort, ranked_page

if TYPE_CHECKING:
    from paht.db import Database

Q_HELP = (
    "Search, diacritics ignored (đ = d; NFD input; hoà = hòa): the words as a phrase, else each word; "
    '"quoted" for an exact phrase; a trailing * for a prefix (nguy*).'
)
SORT_HELP = "newest (default) or relevance (exact diacritics first; ranks the newest matches only)."


def staff_page(
    session: Session | Connection,
    actor: Actor,
    filters: report_queries.ReportFilters,
    *,
    sort: SearchSort,
    cursor: str | None,
    limit: int,
    cap: int,
) -> tuple[list[Any], str | None]:
    """One page of rows in `paht.reports.listing.LISTED` order, and the cursor for the next; a connection will
    do instead of a session when `paht.reports.queries.reads_once(filters)`."""
    if filters.q and sort is SearchSort.relevance:
        session = report_queries.needs_session(session)
        base = report_queries.filtered_visible(actor, filters)
        reports, next_cursor = ranked_page(
            session, base, filters.q, Scope.staff, at=Report.created_at, cursor=cursor, limit=limit, cap=cap
        )
        return [listed(r) for r in reports], next_cursor
    return report_queries.list_visible(session, actor, filters, cursor=cursor, limit=limit, columns=LISTED)


def staff_page_json(
    db: Database,
    actor: Actor,
    filters: report_queries.ReportFilters,
    *,
    sort: SearchSort,
    cursor: str | None,
    limit: int,
    cap: int,
    lang: str,
) -> bytes:
    """A staff list page as GET /api/v1/reports sends it (`ReportPage` JSON), read on one pooled connection when
    the filters allow it (`reads_once`), else in a reader session. The route and its fast layer
    (paht.reports.fast) both answer with this."""
    with db.single_read() if report_queries.reads_once(filters) else db.reader() as source:
        rows, next_cursor = staff_page(source, actor, filters, sort=sort, cursor=cursor, limit=limit, cap=cap)
    return page_json(rows, next_cursor, lang=lang)


def public_page_json(session: Session, *, decimals: int, lang: str, **page: Any) -> bytes:
    """A public list page as GET /api/v1/public/reports sends it (`PublicReportPage` JSON; `page` is
    `public_page`'s), written by orjson from the documents: validating and writing 50 models cost ~0.7 ms a
    page. The route and its lean answer (paht.publishing.fast) both answer with this."""
    rows, next_cursor = public_page(session, **page)
    items = public_queries.public_documents(session, list(rows), decimals=decimals, lang=lang)
    return plain_json({"items": items, "next_cursor": next_cursor})


def public_page(
    session: Session,
    *,
    q: str | None,
    sort: SearchSort,
    category_id: int | None,
    organization_id: int | None,
    published_from: datetime | None,
    published_to: datetime | None,
    cursor: str | None,
    limit: int,
    cap: int,
) -> tuple[list[Any], str | None]:
    filters = {
        "category_id": category_id,
        "organization_id": organization_id,
        "published_from": published_from,
        "published_to": published_to,
    }
    if q and sort is SearchSort.relevance:
        base = public_queries.published_query(**filters)
        return ranked_page(session, base, q, Scope.public, at=Report.published_at, cursor=cursor, limit=limit, cap=cap)
    return public_queries.list_published(session, q=q, cursor=cursor, limit=limit, **filters)
