"""The ASGI application: routers, error mapping, health checks and the in-process worker."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm.exc import StaleDataError

from paht.config import Settings, get_settings
from paht.db import Database
from paht.errors import DomainError

log = logging.getLogger("paht")


def _error(status: int, code: str, message: str, details: object | None = None) -> JSONResponse:
    body: dict[str, object] = {"detail": message, "code": code}
    if details is not None:
        body["errors"] = details
    return JSONResponse(body, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        response = _error(exc.status_code, exc.code, exc.message, exc.details)
        if exc.status_code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(StaleDataError)
    async def stale(_: Request, exc: StaleDataError) -> JSONResponse:
        return _error(409, "conflict", "Phản ánh vừa được người khác cập nhật; hãy tải lại (concurrent update).")


def _include_routers(app: FastAPI) -> None:
    from paht.attachments.api import router as attachments
    from paht.auth.api import router as auth
    from paht.notifications.api import router as notifications
    from paht.organizations.api import router as directory
    from paht.publishing.api import router as public
    from paht.reports.api import router as reports

    for router in (auth, directory, reports, attachments, public, notifications):
        app.include_router(router)


def create_app(settings: Settings | None = None, db: Database | None = None, *, worker: bool | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = db or Database(settings.database_url)
    run_worker = settings.run_worker_in_process if worker is None else worker

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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

    app = FastAPI(
        title="PAHT — Phản ánh hiện trường",
        version="1",
        description="Field reports: receive, dispatch, handle, approve and publish. See docs/workflow.md.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    _install_error_handlers(app)
    _include_routers(app)

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
