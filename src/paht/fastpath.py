"""What the ASGI layers that answer before FastAPI share (paht.publishing.fast, paht.stats.fast): the path
as the routes see it, the caller's language, and sending a JSON body."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Scope, Send

from paht.deps import language_of

LANGUAGE_HEADERS = (b"cookie", b"accept-language")
JSON_HEADERS = [(b"content-type", b"application/json")]


def route_path(scope: Scope) -> str:
    """The path as the routes see it: without the prefix the app is mounted under (`--root-path`)."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def language_of_scope(scope: Scope) -> str:
    """`paht.deps.language_of`, without building a Request for the common visit that names no language."""
    if scope["query_string"] or any(name in LANGUAGE_HEADERS for name, _ in scope["headers"]):
        return language_of(Request(scope))
    return "vi"


async def send_json(send: Send, body: bytes) -> None:
    """A 200 answer with a JSON body (the security middleware around the layer adds its headers)."""
    headers = [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
