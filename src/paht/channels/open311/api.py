"""Open311 GeoReport v2 under /open311/v2/: discovery, services, requests, tokens — each in .xml and .json.

Errors use the spec's document (errors → error{code, description}) and statuses: 404 for what does not
exist, 403 for a missing or wrong api_key, 400 for everything else. Extensions: `page`/`page_size` and
`extensions=true` (the mySociety extended status) on GET requests, and GET servicerequestupdates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from paht.channels.open311 import queries, service
from paht.channels.open311.keys import authenticate
from paht.channels.open311.mapping import definition_of, request_of, service_of
from paht.channels.open311.render import FORMATS, document, errors
from paht.channels.open311.updates import updates
from paht.clock import utc_now
from paht.config import Settings
from paht.deps import AppSettings, ReadSession, WriteSession
from paht.models import Category, Organization
from paht.sqltext import w3c

# Every resource answers in the format its extension names; errors are the spec's error document.
_ERROR_FIELDS = {"code": {"type": ["integer", "string"]}, "description": {"type": "string"}}
_ERROR_ITEMS = {"type": "object", "properties": _ERROR_FIELDS}
_XML = {"text/xml": {"schema": {"type": "string"}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": _XML},
    **{
        status: {
            "description": meaning,
            "content": {"application/json": {"schema": {"type": "array", "items": _ERROR_ITEMS}}, **_XML},
        }
        for status, meaning in ((400, "Bad request"), (403, "Missing or invalid api_key"), (404, "Not found"))
    },
}
router = APIRouter(prefix="/open311/v2", tags=["open311"], responses=RESPONSES)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


class Refused(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


async def form_fields(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
    return fields


def _arg(request: Request, name: str, form: dict[str, list[str]] | None = None) -> str | None:
    """Query or form argument; empty is absent (the spec's rule for optional arguments)."""
    value = request.query_params.get(name) or ((form or {}).get(name) or [None])[0]
    return value.strip() if value and value.strip() else None


def _check(request: Request, fmt: str, settings: Settings, form: dict[str, list[str]] | None = None) -> None:
    if fmt not in FORMATS:
        raise Refused(404, f"Định dạng «{fmt}» không có; dùng .xml hoặc .json (format not supported).")
    jurisdiction = _arg(request, "jurisdiction_id", form)
    if jurisdiction and jurisdiction.lower() != settings.open311_jurisdiction_id.lower():
        raise Refused(404, f"Không phục vụ jurisdiction_id «{jurisdiction}» (jurisdiction not found).")


def _answer(fmt: str, build: Any) -> Response:
    try:
        return build()
    except (Refused, service.Problem) as exc:
        response = errors(fmt, exc.status, (exc.status, exc.description))
        if getattr(exc, "retry_after", None):  # a submission past its abuse limit (429)
            response.headers["Retry-After"] = str(exc.retry_after)
        return response


@router.get("/discovery.{fmt}")
def discovery(fmt: str, request: Request, session: ReadSession, settings: AppSettings) -> Response:
    def build() -> Response:
        _check(request, fmt, settings)
        changed = session.scalar(select(func.max(Category.created_at)))
        changeset = w3c(changed) or "2026-01-01T00:00:00Z"
        content = {
            "changeset": changeset,
            "contact": settings.open311_contact,
            "key_service": settings.open311_key_service,
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": f"{settings.public_url.rstrip('/')}/open311/v2",
                    "changeset": changeset,
                    "type": "production" if settings.environment == "production" else "test",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        }
        # Validators compare the discovery content type exactly; both formats are UTF-8 by definition.
        return document(fmt, "discovery", None, content, media_type="text/xml" if fmt == "xml" else "application/json")

    return _answer(fmt, build)


@router.get("/services.{fmt}")
def services(fmt: str, request: Request, session: ReadSession, settings: AppSettings) -> Response:
    def build() -> Response:
        _check(request, fmt, settings)
        organizations = {o.id: o for o in session.scalars(select(Organization))}
        rows = session.scalars(select(Category).where(Category.active).order_by(Category.code))
        return document(fmt, "services", "service", [service_of(c, organizations, settings) for c in rows])

    return _answer(fmt, build)


@router.get("/services/{service_code}.{fmt}")
def service_definition(
    service_code: str, fmt: str, request: Request, session: ReadSession, settings: AppSettings
) -> Response:
    def build() -> Response:
        _check(request, fmt, settings)
        category = session.scalar(select(Category).where(Category.code == service_code, Category.active))
        if category is None:
            raise Refused(404, f"Không có dịch vụ «{service_code}» (service_code not found).")
        return document(fmt, "service_definition", None, definition_of(category))

    return _answer(fmt, build)


@router.get("/requests.{fmt}")
def list_requests(fmt: str, request: Request, session: ReadSession, settings: AppSettings) -> Response:
    def build() -> Response:
        _check(request, fmt, settings)
        filters = _filters(request)
        rows = queries.requests(session, filters, now=utc_now())
        look = queries.lookups(session, rows)
        extensions = _arg(request, "extensions") == "true"
        items = [request_of(r, look, settings, extensions=extensions) for r in rows]
        return document(fmt, "service_requests", "request", items)

    return _answer(fmt, build)


@router.post("/requests.{fmt}")
def post_request(
    fmt: str,
    request: Request,
    session: WriteSession,
    settings: AppSettings,
    form: Annotated[dict[str, list[str]], Depends(form_fields)],
) -> Response:
    def build() -> Response:
        _check(request, fmt, settings, form)
        key = authenticate(session, _arg(request, "api_key", form))
        if key is None:
            raise Refused(403, "api_key thiếu hoặc không hợp lệ (missing or invalid api_key).")
        created = service.submit(session, form, key, settings)
        session.commit()
        item: dict[str, Any] = {
            "service_notice": "IOC sẽ xem xét và chuyển đơn vị xử lý (the IOC will dispatch it).",
            "account_id": None,
        }
        if settings.open311_service_type == "batch":
            item = {"token": created.token, **item}
        else:
            item = {"service_request_id": created.report.code, **item}
        return document(fmt, "service_requests", "request", [item])

    return _answer(fmt, build)


@router.get("/requests/{service_request_id}.{fmt}")
def get_request(
    service_request_id: str, fmt: str, request: Request, session: ReadSession, settings: AppSettings
) -> Response:
    def build() -> Response:
        _check(request, fmt, settings)
        report = queries.by_code(session, service_request_id)
        if report is None:
            raise Refused(404, f"Không có yêu cầu «{service_request_id}» (service request not found).")
        item = request_of(report, queries.lookups(session, [report]), settings, extensions=True)
        return document(fmt, "service_requests", "request", [item])

    return _answer(fmt, build)


@router.get("/tokens/{token}.{fmt}")
def get_token(token: str, fmt: str, request: Request, session: ReadSession, settings: AppSettings) -> Response:
    def build() -> Response:
        _check(request, fmt, settings)
        found = service.by_token(session, token)
        if found is None:
            raise Refused(404, "Không có token này (token not found).")
        item = {"service_request_id": found[1].code, "token": found[0]}
        return document(fmt, "service_requests", "request", [item])

    return _answer(fmt, build)


@router.get("/servicerequestupdates.{fmt}")
def get_updates(fmt: str, request: Request, session: ReadSession, settings: AppSettings) -> Response:
    """mySociety extension: the status changes of requests in a period (extended statuses)."""

    def build() -> Response:
        _check(request, fmt, settings)
        start, end = _period(request)
        items = updates(session, start=start, end=end, now=utc_now(), settings=settings)
        return document(fmt, "service_request_updates", "request_update", items)

    return _answer(fmt, build)


def _when(request: Request, name: str) -> datetime | None:
    raw = _arg(request, name)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.replace(" ", "+"))  # a "+" left unescaped in a query reads as a space
    except ValueError as exc:
        raise Refused(400, f"{name} không phải thời điểm W3C (e.g. 2026-05-01T08:15:30+07:00).") from exc
    if value.tzinfo is None:
        raise Refused(400, f"{name} cần múi giờ (a timezone, Z or ±hh:mm, is required).")
    return value


def _period(request: Request) -> tuple[datetime | None, datetime | None]:
    start, end = _when(request, "start_date"), _when(request, "end_date")
    if start and end and end < start:
        raise Refused(400, "end_date trước start_date (end_date is before start_date).")
    if start and end and end - start > queries.WINDOW:
        raise Refused(400, "Khoảng thời gian tối đa 90 ngày (the range may not exceed 90 days).")
    return start, end


def _int(request: Request, name: str, default: int, upper: int) -> int:
    raw = _arg(request, name)
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= upper:
        raise Refused(400, f"{name} phải là số nguyên từ 1 đến {upper}.")
    return int(raw)


def _list(request: Request, name: str) -> list[str] | None:
    raw = _arg(request, name)
    values = [v.strip() for v in raw.split(",") if v.strip()] if raw else []
    return values or None


def _filters(request: Request) -> queries.RequestFilters:
    statuses = _list(request, "status")
    if statuses and not set(statuses) <= {"open", "closed"}:
        raise Refused(400, "status chỉ nhận open và/hoặc closed (status: open, closed).")
    start, end = _period(request)
    return queries.RequestFilters(
        ids=_list(request, "service_request_id"),
        service_codes=_list(request, "service_code"),
        start=start,
        end=end,
        statuses=statuses,
        page=_int(request, "page", 1, 10**6),
        page_size=_int(request, "page_size", queries.MAX_PAGE_SIZE, queries.MAX_PAGE_SIZE),
    )
