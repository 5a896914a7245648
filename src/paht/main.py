"""The ASGI application: routers, error mapping, health checks and the in-process worker."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from sqlalchemy import text
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError
from starlette.types import Receive, Scope, Send

from paht.config import Settings, get_settings
from paht.db import Database, is_sqlite
from paht.errors import DomainError, RateLimited
from paht.fastpath import LeanAnswer, LeanFront, LeanWrite

log = logging.getLogger("paht")

# PostgreSQL does a query's work in its own processes, so a thread waiting on one costs this process nothing,
# but beyond a few waits' worth more threads only take turns on the GIL: the submission holding the audit
# chain's lock waited for it behind the others (issue 7, W1 at 20,000 reports, anyio's 40 threads: p99
# 1.3-2.1 s, the process 72-80 % busy; 16 threads with a pool to match: 0.8-1.0 s, 85-88 %; the staff list
# 180-237 -> 270-363 req/s).
POSTGRES_ROUTE_THREADS = 16
SPARE_CONNECTIONS = 4  # beyond the route threads: the in-process worker, a request holding two sessions at once


def route_threads(settings: Settings, *, sqlite: bool) -> int:
    """How many threads run route work at once (`Settings.route_threads`; 0 chooses by database)."""
    if settings.route_threads:
        return settings.route_threads
    if not sqlite:
        return POSTGRES_ROUTE_THREADS
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 2 * cpus


def pool_size(settings: Settings) -> int:
    """A connection kept for every route thread: the overflow would open one per request (paht.db)."""
    return route_threads(settings, sqlite=is_sqlite(settings.database_url)) + SPARE_CONNECTIONS


def _error(status: int, code: str, message: str, details: object | None = None) -> JSONResponse:
    body: dict[str, object] = {"detail": message, "code": code}
    if details is not None:
        body["errors"] = jsonable_encoder(details)
    return JSONResponse(body, status_code=status)


# Vietnamese first for the validation errors clients meet most; pydantic's English follows in parentheses.
_FIELD_MESSAGES = {
    "missing": "bắt buộc phải có",
    "extra_forbidden": "trường này không được chấp nhận",
    "string_too_long": "quá dài",
    "string_too_short": "quá ngắn",
    "greater_than_equal": "nhỏ hơn giá trị cho phép",
    "less_than_equal": "lớn hơn giá trị cho phép",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "float_parsing": "phải là số",
    "float_type": "phải là số",
    "bool_parsing": "phải là true hoặc false",
    "bool_type": "phải là true hoặc false",
    "string_type": "phải là chuỗi ký tự",
    "uuid_parsing": "không phải mã phản ánh hợp lệ (UUID)",
    "enum": "không thuộc các giá trị cho phép",
    "datetime_parsing": "không phải thời điểm hợp lệ",
    "datetime_from_date_parsing": "không phải thời điểm hợp lệ",
    "model_attributes_type": "phải là một đối tượng JSON",
    "dict_type": "phải là một đối tượng JSON",
    "json_invalid": "JSON không hợp lệ",
}


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    """One validation error as clients see it: where, what, and which rule — never the rejected input."""
    context = error.get("ctx") or {}
    if error["type"] == "value_error" and "error" in context:
        message = str(context["error"])  # our validators already speak Vietnamese (English)
    elif error["type"] in _FIELD_MESSAGES:
        message = f"{_FIELD_MESSAGES[error['type']]} ({error['msg']})"
    else:
        message = error["msg"]
    loc = [str(part) for part in error["loc"]]
    # "body.reporter.phone" → "reporter.phone": the first part only says where the value came from.
    return {"loc": loc, "field": ".".join(loc[1:]) or loc[0], "msg": message, "type": error["type"]}


def _invalid_request(errors: list[dict[str, Any]]) -> JSONResponse:
    summary = "; ".join(f"{e['field']}: {e['msg']}" for e in errors[:3])
    return _error(422, "invalid", f"Dữ liệu không hợp lệ (invalid request) — {summary}", errors)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        if not request.url.path.startswith("/api/v1/"):  # other protocols (Open311, web forms) keep their own shape
            return await request_validation_exception_handler(request, exc)
        return _invalid_request([_field_error(e) for e in exc.errors()])

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        response = _error(exc.status_code, exc.code, exc.message, exc.details)
        if exc.status_code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, RateLimited):  # RFC 9110 §10.2.3: how long to wait before trying again
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(StaleDataError)
    async def stale(_: Request, exc: StaleDataError) -> JSONResponse:
        return _error(409, "conflict", "Phản ánh vừa được người khác cập nhật; hãy tải lại (concurrent update).")

    # A value the database cannot hold — an id beyond 64 bits (the SQLite driver: OverflowError), beyond the
    # column's integer type (PostgreSQL: DataError, "out of range") — is the client's mistake (found by tests/fuzz).
    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def out_of_range(_: Request, exc: Exception) -> JSONResponse:
        return _error(422, "invalid", "Giá trị nằm ngoài phạm vi cho phép (value out of range).")


def _include_routers(app: FastAPI) -> None:
    from paht.attachments.api import router as attachments
    from paht.auth.api import router as auth
    from paht.notifications.api import router as notifications
    from paht.organizations.api import router as directory
    from paht.publishing.api import router as public
    from paht.reports.api import router as reports

    for router in (auth, directory, reports, attachments, public, notifications):
        app.include_router(router)

    from paht.stats.api import router as statistics
    from paht.stats.web import router as statistics_pages

    app.include_router(statistics)
    app.include_router(statistics_pages)  # /thong-ke and the dashboards (extend the web's base.html)

    # Search, places and dispatch help (issue 6): map data, duplicates, suggestions, routing rules.
    from paht.dispatching.api import router as dispatching
    from paht.places.api import router as places
    from paht.places.web import router as places_web

    app.include_router(places)
    app.include_router(dispatching)
    app.include_router(places_web)  # the public map page /ban-do (extends the web's base.html)

    # Channels (issue 4): provider webhooks, Open311, channel administration.
    from paht.channels.api import router as channels
    from paht.channels.ingress import router as webhooks
    from paht.channels.open311.api import router as open311
    from paht.channels.open311.keys_api import router as open311_keys
    from paht.channels.web import router as channels_web

    for router in (webhooks, open311, open311_keys, channels, channels_web):  # channels_web: /quan-tri/kenh
        app.include_router(router)

    # Abuse limits and the abuse list (issue 8 item 3): the admin API and page.
    from paht.abuse.api import router as abuse_list
    from paht.abuse.web import router as abuse_list_web

    app.include_router(abuse_list)
    app.include_router(abuse_list_web)  # /quan-tri/danh-sach-lam-dung

    # Personal data (issue 8 item 8): the reporter's export, correction and erasure; the IOC's request list.
    from paht.privacy.api import router as personal_data

    app.include_router(personal_data)


def telemetry_config(settings: Settings) -> TelemetryConfig:
    """FastAPI's OpenTelemetry instrumentation, all on or all off (`PAHT_TELEMETRY`): spans, metrics and logs go
    to the global providers that `opentelemetry-instrument` or the deployment configures."""
    on = settings.telemetry
    return {"tracing": on, "metrics": on, "logs": on}


class PahtApp(FastAPI):
    """FastAPI, with the lean answers (paht.fastpath) asked first for HTTP requests."""

    lean: LeanFront | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.lean is not None:
            unanswered = await self.lean.answered(scope, receive, send)
            if unanswered is None:
                return
            receive = unanswered
        await super().__call__(scope, receive, send)


def install_lean_answers(app: PahtApp, settings: Settings, db: Database) -> None:
    """The lean answers the settings ask for. None with telemetry on: every request then passes FastAPI's
    instrumentation, which the lean answers would skip."""
    from paht.intake.fast import FastSubmissions
    from paht.publishing.fast import FastPublicList, FastPublicReads
    from paht.reports.fast import FastStaffList
    from paht.stats.fast import FastPublicStats

    answers: list[LeanAnswer] = []
    if settings.public_fast_path:
        answers += [FastPublicReads(settings, db), FastPublicStats(app.state), FastPublicList(settings, db)]
    if settings.staff_list_fast_path:
        answers.append(FastStaffList(settings, db))
    writes: list[LeanWrite] = [FastSubmissions(settings, db)] if settings.submit_fast_path else []
    app.lean = LeanFront(settings, answers, writes) if (answers or writes) and not settings.telemetry else None


def create_app(settings: Settings | None = None, db: Database | None = None, *, worker: bool | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = db or Database(settings.database_url, pool_size=pool_size(settings))
    run_worker = settings.run_worker_in_process if worker is None else worker

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from paht.ops.durability import require_durable

        require_durable(db)  # issue 8 item 1: never acknowledge a write the database could lose on a crash
        # The limiter belongs to this event loop: set here, it holds for every route this app serves.
        anyio.to_thread.current_default_thread_limiter().total_tokens = route_threads(settings, sqlite=db.sqlite)
        stop = threading.Event()
        thread = None
        if run_worker:
            from paht.jobs.worker import loop

            thread = threading.Thread(target=loop, args=(db, settings, stop), name="paht-worker", daemon=True)
            thread.start()
        yield
        stop.set()
        if thread is not None:
            thread.join(timeout=10)

    from paht.security import docs_enabled
    from paht.security import install as install_security

    docs = docs_enabled(settings)  # issue 8 item 5: no API documentation endpoints in production by default
    app = PahtApp(
        title="PAHT — Phản ánh hiện trường",
        version="1",
        description="Field reports: receive, dispatch, handle, approve and publish. See docs/workflow.md.",
        lifespan=lifespan,
        telemetry=telemetry_config(settings),
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.settings = settings
    app.state.db = db
    _install_error_handlers(app)
    _include_routers(app)

    # The web consoles and the public portal (issue 3): HTML routes and static files.
    from paht.web import install as install_web

    install_web(app, settings)
    install_lean_answers(app, settings, db)
    install_security(app, settings)  # security headers, CORS allow-list, generic error answers (issue 8 item 5)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    def readyz() -> JSONResponse:
        """The database answers."""
        try:
            with db.reader() as session:
                session.execute(text("SELECT 1"))
        except Exception:
            log.exception("readiness check failed")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    return app
