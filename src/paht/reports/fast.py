"""A lean path for the staff's hottest read: a page of the report list, searched or not (issue 7, W3 and W4).

IOC operators and officers work their queues all day, and every refresh, filter and next page is one
`GET /api/v1/reports`. Through FastAPI a page spent about a fifth of its CPU on the framework rather than on
the page: matching the route, solving its nine dependencies (each one's own are solved again before its
cache is looked at) and its eleven query parameters (~300 µs of ~1.5 ms on SQLite at 1,000,000 reports).

This lean answer (paht.fastpath, as `paht.publishing.fast`: asked before any middleware, with the security
middleware's headers) answers the plain request itself: a bearer token that names a caller
(`paht.deps.actor_for_token`, as the route's dependency reads it) and a query string of the list's plain
filters and search words (`q`, newest first) only, each written the one way FastAPI reads it (`plain_query`).
It reads the page with the route's own function (`search.lists.staff_page_json`) in the route threads. Searches
are the same request with more parameters (FastAPI's share of a searched page for a common word at 1,000,000
reports, in process: ~0.9 ms of ~2.2). Anything else — no token or one that names nobody, words the route
refuses (too long, none to search for), dates, `overdue`, `sort`, an unknown or repeated parameter, a value
written another way, a database error — goes on to FastAPI, which stays the reference: it validates, answers
the errors in its own words and documents the route in OpenAPI.
`PAHT_STAFF_LIST_FAST_PATH=false` turns the answer off; tests/api/test_staff_list_fast_path.py holds the two
to the same answers.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

import anyio.to_thread
from starlette.types import Scope

from paht.auth.actor import Actor
from paht.config import Settings
from paht.db import Database
from paht.deps import actor_for_token
from paht.enums import Channel
from paht.errors import Invalid, NotAuthenticated
from paht.fastpath import bearer_token, language_of_scope
from paht.reports.listing import DEFAULT_LIMIT, MAX_LIMIT
from paht.reports.queries import ReportFilters, decode_cursor
from paht.search.lists import staff_page_json
from paht.search.queries import MAX_QUERY_LENGTH, SearchSort
from paht.search.text import parse
from paht.workflow.states import ReportState

log = logging.getLogger("paht.reports")

PATH = "/api/v1/reports"
# Positive integers as FastAPI reads them unchanged; "007", "+7" or " 7" go to the route.
_WHOLE = re.compile(r"[1-9][0-9]{0,8}")
_STATES = frozenset(s.value for s in ReportState)
_CHANNELS = frozenset(c.value for c in Channel)
_ONCE = frozenset({"organization_id", "category_id", "channel", "cursor", "limit", "lang", "q"})


@dataclass(frozen=True)
class PlainPage:
    filters: ReportFilters
    cursor: str | None
    limit: int


def plain_query(query_string: bytes) -> PlainPage | None:
    """The page a query string asks for when it holds only plain filters and search words, each well formed;
    else None.

    Read as Starlette reads it (latin-1, then percent-decoding, blank values kept)."""
    states: list[str] = []
    once: dict[str, str] = {}
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if name == "state" and value in _STATES:
            states.append(value)
        elif name in _ONCE and name not in once:
            once[name] = value
        else:
            return None
    ids = {name: once[name] for name in ("organization_id", "category_id") if name in once}
    limit = once.get("limit", str(DEFAULT_LIMIT))
    if not all(_WHOLE.fullmatch(v) for v in (*ids.values(), limit)) or int(limit) > MAX_LIMIT:
        return None
    channel = once.get("channel")
    if channel is not None and channel not in _CHANNELS:
        return None
    q = once.get("q")
    if q and (len(q) > MAX_QUERY_LENGTH or parse(q).empty):
        return None  # the route refuses it in its own words
    cursor = once.get("cursor")
    if cursor is not None:
        try:
            decode_cursor(cursor)
        except Invalid:
            return None
    filters = ReportFilters(
        state=states or None,
        organization_id=int(ids["organization_id"]) if "organization_id" in ids else None,
        category_id=int(ids["category_id"]) if "category_id" in ids else None,
        channel=channel,
        q=q,
    )
    return PlainPage(filters, cursor, int(limit))


class FastStaffList:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db

    async def answer(self, scope: Scope, path: str) -> bytes | None:
        return await self._page(scope) if path == PATH else None

    async def _page(self, scope: Scope) -> bytes | None:
        token = bearer_token(scope)
        page = plain_query(scope["query_string"]) if token else None
        if token is None or page is None:
            return None
        try:
            actor = await actor_for_token(self.db, self.settings, token)
            lang = language_of_scope(scope)
            return await anyio.to_thread.run_sync(self._read, actor, page, lang)
        except (NotAuthenticated, Invalid):
            return None  # the route answers 401 or 422 in its own words
        except self.db.read_errors:
            log.warning("fast staff list failed; FastAPI answers instead", exc_info=True)
            return None

    def _read(self, actor: Actor, page: PlainPage, lang: str) -> bytes:
        return staff_page_json(
            self.db,
            actor,
            page.filters,
            sort=SearchSort.newest,
            cursor=page.cursor,
            limit=page.limit,
            cap=self.settings.search_relevance_candidates,
            lang=lang,
        )
