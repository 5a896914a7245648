"""Web hardening (issue 8 item 5): security headers, cookie flags, CORS allow-list, generic error answers.

`install()` is called once by `paht.main.create_app`, after every router is included.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

from paht.config import Settings
from paht.security.middleware import REQUEST_ID_HEADER, HardeningMiddleware
from paht.security.pages import http_error

# What a browser on an allowed origin may send and read (the API's own headers; bearer tokens, not cookies).
CORS_REQUEST_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Reporter-Token"]
CORS_RESPONSE_HEADERS = [REQUEST_ID_HEADER, "Retry-After", "Idempotent-Replayed"]


def docs_enabled(settings: Settings) -> bool:
    """/docs, /redoc and /openapi.json: on in development, off in production unless PAHT_API_DOCS=true."""
    if settings.api_docs is not None:
        return settings.api_docs
    return settings.environment != "production"


def install(app: FastAPI, settings: Settings) -> None:
    app.add_exception_handler(HTTPException, http_error)
    if settings.cors_allowed_origins:  # empty (the default): no CORS header at all, browsers allow same-origin only
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allowed_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[*CORS_REQUEST_HEADERS, REQUEST_ID_HEADER],
            expose_headers=CORS_RESPONSE_HEADERS,
            allow_credentials=False,
            max_age=600,
        )
    # Added last, so it is the outermost: it also wraps CORS preflights and every error answer.
    app.add_middleware(HardeningMiddleware, settings=settings, docs_enabled=docs_enabled(settings))
