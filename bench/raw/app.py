"""The raw reference app: a bare ASGI callable, no framework, no ORM, no validation library.

    RAW_DATABASE_URL=sqlite:///var/bench/bench.sqlite3 RAW_WRITE_MODE=group-commit \\
        uvicorn bench.raw.app:app --no-access-log

It answers the benchmark's routes with the same JSON fields as PAHT, reading and writing the same
database (PAHT's schema), so that `make bench` can state each workload as a ratio PAHT / raw.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import orjson

from bench.raw import reads, search, writes
from bench.raw.auth import caller
from bench.raw.db import Store

Send = Callable[[dict], Awaitable[None]]
UNAUTHENTICATED = (401, {"detail": "Cần đăng nhập (sign in with a bearer token).", "code": "not_authenticated"})


class RawApp:
    def __init__(self) -> None:
        self.store: Store | None = None

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]], send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        assert self.store is not None
        body = b""
        if scope["method"] == "POST":
            more = True
            while more:
                message = await receive()
                body += message.get("body", b"")
                more = message.get("more_body", False)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            client = scope.get("client") or (None,)
            status, payload = await self.route(
                scope["method"], scope["path"], scope["query_string"], headers, body, client[0]
            )
        except ValueError as exc:
            status, payload = 422, {"detail": f"Dữ liệu không hợp lệ (invalid request) — {exc}", "code": "invalid"}
        await _respond(send, status, payload)

    async def route(
        self, method: str, path: str, query: bytes, headers: dict[str, str], body: bytes, ip: str | None = None
    ) -> tuple[int, Any]:
        store = self.store
        assert store is not None
        parts = path.strip("/").split("/")
        if path == "/healthz":
            return 200, {"status": "ok"}
        if parts[:3] == ["api", "v1", "public"] and method == "GET":
            if len(parts) == 5 and parts[3] == "reports":
                return reads.public_report(store, parts[4])
            if len(parts) == 4 and parts[3] == "reports.geojson":
                return reads.public_map(store, parse_qs(query.decode()))
            if len(parts) == 4 and parts[3] == "reports" and "q" in (found := parse_qs(query.decode())):
                return search.public_list(store, found)
        if parts[:3] == ["api", "v1", "reports"]:
            if len(parts) == 3 and method == "POST":
                return await self._submit(headers, body, ip)
            who = caller(store, headers.get("authorization"))
            if who is None:
                return UNAUTHENTICATED
            if len(parts) == 3 and method == "GET":
                arguments = parse_qs(query.decode())
                if "q" in arguments:
                    return search.staff_list(store, who, arguments)
                return reads.staff_list(store, who, arguments)
            if len(parts) == 6 and parts[4] == "actions" and method == "POST" and parts[5] in writes.RULES:
                report_id = uuid.UUID(parts[3])
                payload = orjson.loads(body) if body else {}
                return await store.write(writes.act(store, who, report_id, parts[5], payload))
        return 404, {"detail": "Not Found"}

    async def _submit(self, headers: dict[str, str], body: bytes, ip: str | None) -> tuple[int, Any]:
        store = self.store
        assert store is not None
        key = headers.get("idempotency-key")
        if not key or len(key) > 255:
            return 400, {"detail": "Thiếu tiêu đề Idempotency-Key.", "code": "bad_request"}
        data = writes.parse_submission(orjson.loads(body))
        device = (headers.get("x-device-id") or "").strip()[:255] or None  # as paht.abuse.submissions.from_request
        return await store.write(writes.submit(store, data, key, ip, device))

    async def _lifespan(self, receive: Callable[[], Awaitable[dict]], send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.store is None:  # tests hand in their own store
                    mode = os.environ.get("RAW_WRITE_MODE") or "commit-per-request"
                    self.store = Store(os.environ["RAW_DATABASE_URL"], mode)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _respond(send: Send, status: int, payload: Any) -> None:
    body = orjson.dumps(payload)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


app = RawApp()
