"""Search as a narrowing of the report lists: staff lists (`GET /api/v1/reports?q=`) and the public one.

Newest first is the default: the callers keep their keyset pagination and only add `narrow`. Relevance
(`sort=relevance`) ranks the newest matches with `paht.search.ranking` and pages by offset.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from paht.errors import Invalid
from paht.models import Report, ReportSearch
from paht.search.engine import Match, Scope, newest_matches, report_match, report_matches
from paht.search.ranking import Candidate, rank
from paht.search.text import SearchQuery, parse

MAX_QUERY_LENGTH = 200
RELEVANCE_CAP = 2000


class SearchSort(StrEnum):
    newest = "newest"
    relevance = "relevance"


def parse_query(q: str) -> SearchQuery:
    if len(q) > MAX_QUERY_LENGTH:
        raise Invalid(f"q: tối đa {MAX_QUERY_LENGTH} ký tự (the query is too long).")
    query = parse(q)
    if query.empty:
        raise Invalid("q: cần ít nhất một từ có chữ hoặc số (the query has no words to search for).")
    return query


def _matched(session: Session, query: SearchQuery, scope: Scope, *, relaxed: bool) -> ColumnElement[bool]:
    return report_matches(session, query.relaxed() if relaxed else query.strict(), scope)


def narrow(session: Session, base: Select, q: str, scope: Scope) -> Select:
    """Keep the reports matching `q`: the words as one phrase, or — when that finds nothing among
    `base` — each word anywhere. The choice looks at all of `base`, so every page of a list agrees."""
    query = parse_query(q)
    strict = base.where(_matched(session, query, scope, relaxed=False))
    if not query.can_relax or session.scalar(select(strict.exists())):
        return strict
    return base.where(_matched(session, query, scope, relaxed=True))


def narrowed(query: Select, match: Match | None) -> Select:
    """`query` keeping the reports that `match` finds (all of them without one)."""
    return query if match is None else query.where(match.condition())


def searched_page(
    session: Session,
    base: Select,
    q: str | None,
    scope: Scope,
    page: Callable[[Match | None], list[Any]],
    *,
    continued: bool,
) -> list[Any]:
    """`page(match)` for the words of `q` that `narrow` would keep (`page(None)` without words), without
    `narrow`'s look ahead; `page` reads `narrowed(base, match)`'s page, or a statement of the same rows kept by
    `match.shape`.

    Lists run the phrase's page first. A page with rows shows that the phrase matches among `base`, and an
    empty first page that it does not (then each word's page is run); only an empty later page
    (`continued`: after a cursor) still needs to ask. The look ahead evaluated the phrase once more per
    search, ~40 % of the database time of the benchmark's searches on SQLite (W4).
    """
    if not q:
        return page(None)
    query = parse_query(q)
    strict = report_match(session, query.strict(), scope)
    rows = page(strict)
    if rows or not query.can_relax or (continued and session.scalar(select(narrowed(base, strict).exists()))):
        return rows
    return page(report_match(session, query.relaxed(), scope))


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset = int(raw["relevance"])
    except (ValueError, TypeError, KeyError) as exc:
        raise Invalid("cursor không hợp lệ (invalid cursor)") from exc
    if not 0 <= offset <= RELEVANCE_CAP:
        raise Invalid("cursor không hợp lệ (invalid cursor)")
    return offset


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"relevance": offset}).encode()).decode().rstrip("=")


def ranked_page(
    session: Session,
    base: Select,
    q: str,
    scope: Scope,
    *,
    at: InstrumentedAttribute,
    cursor: str | None,
    limit: int,
    cap: int = RELEVANCE_CAP,
) -> tuple[list[Report], str | None]:
    """One page of `base` ∩ matches of `q`, best first, among the newest `cap` matches (by `at`)."""
    query = parse_query(q)
    offset = _offset(cursor)
    raw, folded = getattr(ReportSearch, f"{scope.value}_raw"), getattr(ReportSearch, f"{scope.value}_folded")
    groups = query.relaxed() if query.can_relax else query.strict()

    def candidates(condition: ColumnElement[bool]) -> list:  # type: ignore[type-arg]
        columns = base.where(condition).with_only_columns(Report.id, at, raw, folded)
        joined = columns.join(ReportSearch, ReportSearch.report_id == Report.id)
        return list(session.execute(joined.order_by(at.desc(), Report.id.desc()).limit(cap)).all())

    rows = candidates(newest_matches(session, groups, scope, cap))
    if len(rows) < cap:  # fewer than `cap` matches, or the caller's filters set most aside: look at all
        rows = candidates(_matched(session, query, scope, relaxed=query.can_relax))
    ranked = rank(query, [Candidate(key=r[0], at=r[1], raw=r[2], folded=r[3]) for r in rows])
    chosen: list[uuid.UUID] = [c.key for c in ranked[offset : offset + limit]]  # type: ignore[misc]
    found = {r.id: r for r in session.scalars(select(Report).where(Report.id.in_(chosen)))} if chosen else {}
    page = [found[i] for i in chosen if i in found]
    more = offset + limit < len(ranked)
    return page, _cursor(offset + limit) if more else None
