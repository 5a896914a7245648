"""Web routes answer in HTML: domain errors become error pages, and a signed-out visitor is sent to sign in."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool

from paht.errors import Conflict, DomainError, NotAuthenticated, NotFound
from paht.web.context import Viewer, build_viewer, render

log = logging.getLogger("paht.web")


async def _viewer(request: Request) -> Viewer:
    viewer = getattr(request.state, "viewer", None)
    if viewer is None:
        viewer = await run_in_threadpool(build_viewer, request)
    return viewer


async def error_page(request: Request, exc: DomainError) -> Response:
    viewer = await _viewer(request)
    if request.headers.get("HX-Request") == "true":
        return render(viewer, "partials/error.html", status=exc.status_code, error=exc)
    return render(viewer, "error.html", status=exc.status_code, error=exc)


class WebRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except NotAuthenticated as exc:
                if request.method == "GET" and request.headers.get("HX-Request") != "true":
                    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                    return RedirectResponse(f"/dang-nhap?next={quote(target, safe='')}", status_code=303)
                return await error_page(request, exc)
            except DomainError as exc:
                return await error_page(request, exc)
            except StaleDataError:
                viewer = await _viewer(request)
                return await error_page(request, Conflict(viewer.t._("Someone else changed this report; reload it.")))
            except RequestValidationError:
                # Path and query values are ours (links we rendered): a bad one is a page that does not exist.
                viewer = await _viewer(request)
                return await error_page(request, NotFound(viewer.t._("Page not found.")))

        return handler


def web_router(**kwargs: object) -> APIRouter:
    return APIRouter(route_class=WebRoute, include_in_schema=False, **kwargs)  # type: ignore[arg-type]
