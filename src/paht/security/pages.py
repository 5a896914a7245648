"""Error answers in the caller's language of choice: HTML pages for browsers, JSON for the API.

The 500 answer is deliberately static (no template, no database): it must work when those are what
broke. It carries only the request id, which support staff find in the log next to the traceback.
"""

from __future__ import annotations

from html import escape

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Scope

from paht.errors import NotFound

# Paths whose clients are programs (JSON API, Open311, provider webhooks): never an HTML page.
MACHINE_PATHS = ("/api/", "/open311/", "/channels/", "/openapi.json")

SERVER_ERROR_MESSAGE = "Đã có lỗi xảy ra; vui lòng thử lại sau (something went wrong; please try again later)."
SERVER_ERROR_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đã có lỗi xảy ra (something went wrong)</title><link rel="stylesheet" href="/static/app/app.css"></head>
<body><main class="page narrow"><div class="card" role="alert">
<h1>Đã có lỗi xảy ra (something went wrong)</h1>
<p>Vui lòng thử lại sau ít phút (please try again in a few minutes).</p>
<p>Mã yêu cầu (request id): <code>{request_id}</code></p>
<p class="actions"><a class="button" href="/">Trang chủ (home)</a></p>
</div></main></body></html>
"""


def wants_html(scope: Scope) -> bool:
    """A browser navigating to a page: not a machine path, and it accepts HTML."""
    if scope["path"].startswith(MACHINE_PATHS):
        return False
    accept = next((value for name, value in scope.get("headers", []) if name == b"accept"), b"")
    return b"text/html" in accept


def server_error(scope: Scope, request_id: str) -> Response:
    if wants_html(scope):
        return HTMLResponse(SERVER_ERROR_PAGE.format(request_id=escape(request_id)), status_code=500)
    body = {"detail": SERVER_ERROR_MESSAGE, "code": "server_error", "request_id": request_id}
    return JSONResponse(body, status_code=500)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (no such route, method not allowed): the web's error page for a browser."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and wants_html(request.scope):
        from starlette.concurrency import run_in_threadpool

        from paht.web.context import build_viewer
        from paht.web.routing import error_page

        viewer = await run_in_threadpool(build_viewer, request)
        request.state.viewer = viewer
        return await error_page(request, NotFound(viewer.t._("Page not found.")))
    if request.url.path.startswith("/api/v1/"):
        return _api_http_error(request, exc)
    response = await http_exception_handler(request, exc)
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


# Starlette's and FastAPI's own errors in the API's one error shape (paht.responses.ErrorOut), found by tests/fuzz.
_API_HTTP_ERRORS = {
    400: ("bad_request", "Không đọc được nội dung yêu cầu; cần JSON hợp lệ (could not parse the request body)."),
    404: ("not_found", "Không có địa chỉ API này (no such API route)."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ ở địa chỉ này (method not allowed)."),
}


MULTIPART_REFUSED = (
    "Không đọc được dữ liệu multipart; tối đa 1000 phần (could not parse the multipart body; at most 1000 parts)."
)


def _api_http_error(request: Request, exc: HTTPException) -> Response:
    code, message = _API_HTTP_ERRORS.get(exc.status_code, ("error", str(exc.detail)))
    if exc.status_code == 400 and request.headers.get("content-type", "").startswith("multipart/"):
        message = MULTIPART_REFUSED  # Starlette's multipart limits (max_files, max_fields) or a broken body
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # RFC 9110 §15.5.6: every method the path has, not only the first route's
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return JSONResponse({"detail": message, "code": code}, status_code=exc.status_code, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods)
