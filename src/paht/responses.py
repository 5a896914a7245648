"""The error responses each API router declares in the OpenAPI document.

Every error the API sends has one shape, `{"detail", "code", "errors"?}` (see `main._error`). Routers
list the statuses their routes really answer with, so clients and the fuzzer (tests/fuzz) can rely on
the document: an undeclared status or a body that does not match is a bug.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Response
from pydantic import BaseModel, Field

_MEANINGS = {
    400: "Yêu cầu không hợp lệ (bad request)",
    401: "Cần đăng nhập, hoặc mã truy cập không hợp lệ (not signed in or invalid token)",
    403: "Không có quyền (forbidden)",
    404: "Không tìm thấy (not found)",
    409: "Xung đột trạng thái (conflict)",
    412: "Phiên bản đã cũ (stale If-Match version)",
    413: "Dữ liệu quá lớn (payload too large)",
    415: "Định dạng không được hỗ trợ (unsupported media type)",
    422: "Dữ liệu không hợp lệ (invalid request)",
    429: "Quá nhiều yêu cầu; thử lại sau Retry-After giây (too many requests)",
}


class ErrorOut(BaseModel):
    """An error: a message (Vietnamese first, English in parentheses), a machine code, and details."""

    detail: str
    code: str
    errors: list[dict[str, Any]] | dict[str, Any] | None = Field(
        default=None, description="Per-field problems (422) or other structured details."
    )


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a router or route: each status with the shared error body.

    The schema is given inline under `application/json` rather than as `model`: FastAPI would file a model
    under the route's own media type, and errors stay JSON even where success is CSV, XLSX or GeoJSON.
    """
    content = {"application/json": {"schema": ERROR_SCHEMA}}
    return {status: {"description": _MEANINGS[status], "content": content} for status in statuses}


ERROR_SCHEMA = ErrorOut.model_json_schema()

# `openapi_extra` for routes that serve anonymous callers too (a bearer token only widens what they get):
# FastAPI appends this to the route's bearer requirement, so the document reads "bearer or nothing".
OPTIONAL_AUTH: dict[str, Any] = {"security": [{}]}


def document(model: BaseModel, status_code: int = 200) -> Response:
    """`model` as a JSON response, serialised once, by pydantic-core, straight to bytes.

    Returned as a plain model, FastAPI validates it against the route's response model again, turns it into
    Python objects and encodes those with `json.dumps`: for a 50-row report page that was half a millisecond
    of CPU per request (issue 7, W3). The route keeps its `response_model` for the OpenAPI document.
    """
    return Response(json_bytes(model), status_code=status_code, media_type="application/json")


def json_bytes(model: BaseModel) -> bytes:
    """`model` as JSON bytes, written by pydantic-core in one pass (what FastAPI would send, by alias)."""
    return model.__pydantic_serializer__.to_json(model, by_alias=True)


def plain_json(document: dict[str, Any]) -> bytes:
    """A document already in its model's fields, order and types (UTC datetimes, UUIDs, floats) as JSON
    bytes: what `json_bytes` writes for the model, without building and validating the model first (orjson:
    1.7 µs against pydantic's 13 µs for the public report, W2). Only for documents whose tests hold the two
    writers equal byte for byte."""
    return orjson.dumps(document, option=orjson.OPT_UTC_Z)
