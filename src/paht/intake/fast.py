"""A lean path for submissions: `POST /api/v1/reports` before FastAPI (issue 7, W1).

Every report from the app and the portal's API clients is one such request. Through FastAPI about a sixth
of a submission's CPU on SQLite was the framework's, not the submission's: matching the route, solving its
dependencies (settings, database, caller, language, the header) and the middlewares' send wrappers.

This lean write (paht.fastpath: asked before any middleware, answering with the security middleware's headers)
takes a JSON body of known length, validates it as the route's `ReportCreate` from the same decoded JSON,
finds the caller as the route does (no Authorization header: anonymous; a bearer token:
`paht.deps.actor_for_token`) and runs the route's own function, `reports.api.submit_new_report`, in threads of
its own on SQLite (below) and in the route threads on PostgreSQL. Anything else goes to the route, which stays
the reference: a body that is not valid JSON or not a valid report, no or a repeated Idempotency-Key, a key
already used (replay, 409, 422), a token that names nobody, a refusal (422, 429…). Such a request is run again
by the route: what the lean write did was rolled back with its transaction. `PAHT_SUBMIT_FAST_PATH=false`
turns it off; tests/api/test_submit_fast_path.py holds the two to the same answers.
"""

from __future__ import annotations

import json

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from paht.auth.actor import ANONYMOUS, Actor
from paht.config import Settings
from paht.db import Database
from paht.deps import actor_for_token
from paht.errors import DomainError
from paht.fastpath import bearer_token, header_values, language_of_scope
from paht.intake.idempotency import KeyTaken, require_key
from paht.intake.schemas import ReportCreate
from paht.reports.api import submit_new_report
from paht.writerqueue import MAX_SHARED

PATH = "/api/v1/reports"
# On SQLite, submissions run in threads of their own, as many as can share one COMMIT (paht.writerqueue):
# a submission waits for the writer connection, then for the COMMIT it shares, all but idle. In the route
# threads (twice the CPUs, sized for reads) at most two could share a COMMIT at 1 CPU.
_SUBMISSION_THREADS: RunVar[CapacityLimiter] = RunVar("paht_submission_threads")


def _submission_threads() -> CapacityLimiter:
    """This event loop's limiter of submission threads (an anyio limiter belongs to its loop)."""
    try:
        return _SUBMISSION_THREADS.get()
    except LookupError:
        limiter = CapacityLimiter(MAX_SHARED)
        _SUBMISSION_THREADS.set(limiter)
        return limiter


class FastSubmissions:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db

    def takes(self, scope: Scope, path: str) -> bool:
        if path != PATH:
            return False
        types = header_values(scope, b"content-type")
        return len(types) == 1 and types[0].split(b";")[0].strip().lower() == b"application/json"

    async def answer(self, scope: Scope, body: bytes) -> Response | None:
        keys = header_values(scope, b"idempotency-key")
        data = _report(body)
        if len(keys) != 1 or data is None:
            return None
        try:
            actor = await self._caller(scope)
            if actor is None:
                return None
            key = require_key(keys[0].decode("latin-1"))  # as the route reads its Header
            request, lang = Request(scope), language_of_scope(scope)
            limiter = _submission_threads() if self.db.sqlite else None
            return await anyio.to_thread.run_sync(
                submit_new_report, data, request, self.db, self.settings, actor, lang, key, limiter=limiter
            )
        except (KeyTaken, DomainError):  # the route answers them, in its own words
            return None

    async def _caller(self, scope: Scope) -> Actor | None:
        """The caller as the route's dependency finds it; None where the route would answer otherwise."""
        if not header_values(scope, b"authorization"):
            return ANONYMOUS
        token = bearer_token(scope)
        return None if token is None else await actor_for_token(self.db, self.settings, token)


def _report(body: bytes) -> ReportCreate | None:
    """The body as the route validates it: decoded by `json`, then validated as Python data (FastAPI's way)."""
    try:
        return ReportCreate.model_validate(json.loads(body))
    except (ValueError, ValidationError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return None
