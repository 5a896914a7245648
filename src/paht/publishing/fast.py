"""Lean answers for the public's hottest reads: one published report by its tracking code (issue 7, W2), and
plain pages of the public list (`FastPublicList`, W4's public searches).

Citizens open result links from the portal, SMS, Zalo and Facebook; each visit is one small indexed read.
Through FastAPI that read cost ~2 ms of CPU — matching the path against every route, solving the route's
dependencies, a thread-pool round trip, validating the response model — for ~0.2 ms of database work. This
lean answer (paht.fastpath: asked before any middleware, with the security middleware's headers) answers
`GET /api/v1/public/reports/{code}` itself when the code names a published report: the same statement and
the same document as the route (`queries.published_public_document`), so the two cannot drift; written by
orjson rather than through the pydantic model, which tests/api/test_public_fast_path.py holds to the same bytes.
Anything else — another path or method, a code that is not a published report, a database error — goes on to
FastAPI, which stays the reference (and documents the route in OpenAPI).

The read runs on the event loop, on the connection the event loop keeps for such reads (`Database.on_loop`,
shared with the sign-in lookup): no wait for the shared pool (whose connections the event loop itself must
release), no thread hop, no checkout, no `SELECT 1` before each use; a connection that fails is dropped and
the request goes on to FastAPI. `PAHT_PUBLIC_FAST_PATH=false` turns the answer off.
"""

from __future__ import annotations

import logging
import re

import anyio.to_thread
from starlette.types import Scope

from paht.config import Settings
from paht.db import Database
from paht.errors import Invalid
from paht.fastpath import language_of_scope
from paht.publishing import queries
from paht.reports.fast import PlainPage, plain_query
from paht.responses import plain_json
from paht.search.lists import public_page_json
from paht.search.queries import SearchSort

log = logging.getLogger("paht.publishing")

PUBLIC_REPORT = re.compile(r"/api/v1/public/reports/([^/]+)")
PUBLIC_LIST = "/api/v1/public/reports"


class FastPublicReads:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.db = db
        self.decimals = settings.public_location_decimals

    async def answer(self, scope: Scope, path: str) -> bytes | None:
        found = PUBLIC_REPORT.fullmatch(path)
        if found is None:
            return None
        lang = language_of_scope(scope)
        try:
            with self.db.on_loop() as connection:
                public = queries.published_public_document(
                    connection, found.group(1), decimals=self.decimals, lang=lang
                )
        except self.db.read_errors:
            log.warning("fast public read failed; FastAPI answers instead", exc_info=True)
            return None
        return plain_json(public) if public is not None else None  # None: the route answers 404 in its own words


class FastPublicList:
    """Plain pages of `GET /api/v1/public/reports`: the query string holds only `category_id`,
    `organization_id`, `q` (newest first), `cursor`, `limit` and `lang`, each once and written the one way
    FastAPI reads it (`paht.reports.fast.plain_query`, the staff list's reader). FastAPI's dependency solving of
    the route's ten parameters cost 0.6-0.9 ms of a 2-3 ms page (in process, 20,000 reports). The page is read
    in the route threads with the route's own function (`search.lists.public_page_json`); anything else — dates,
    `sort`, an unknown, repeated or oddly written parameter, words the route refuses, a bad cursor, a database
    error — goes on to the route."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db

    async def answer(self, scope: Scope, path: str) -> bytes | None:
        if path != PUBLIC_LIST:
            return None
        page = plain_query(scope["query_string"])
        if page is None or page.filters.state or page.filters.channel:
            return None
        try:
            return await anyio.to_thread.run_sync(self._read, page, language_of_scope(scope))
        except Invalid:
            return None  # the route answers 422 in its own words
        except self.db.read_errors:
            log.warning("fast public list failed; FastAPI answers instead", exc_info=True)
            return None

    def _read(self, page: PlainPage, lang: str) -> bytes:
        with self.db.reader() as session:
            return public_page_json(
                session,
                decimals=self.settings.public_location_decimals,
                lang=lang,
                q=page.filters.q,
                sort=SearchSort.newest,
                category_id=page.filters.category_id,
                organization_id=page.filters.organization_id,
                published_from=None,
                published_to=None,
                cursor=page.cursor,
                limit=page.limit,
                cap=self.settings.search_relevance_candidates,
            )
