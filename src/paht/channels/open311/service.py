"""POST Service Request: an Open311 form becomes a report through the one intake service."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.abuse.submissions import Submitter
from paht.auth.actor import ANONYMOUS
from paht.channels.open311.mapping import TITLE, URGENT, URGENT_VALUES
from paht.config import Settings
from paht.enums import Channel
from paht.errors import DomainError, RateLimited
from paht.intake.schemas import Location, ReportCreate, Reporter
from paht.intake.service import submit_report
from paht.models import Category, Open311Key, Open311Token, Report

MAX_DESCRIPTION = 4000  # the spec's limit


class Problem(Exception):
    """An Open311 error: HTTP status and the description shown to the client's user."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status, self.description = status, description
        self.retry_after = retry_after  # for 429: sent as Retry-After


@dataclass(frozen=True)
class Created:
    report: Report
    token: str


def _one(form: Mapping[str, list[str]], name: str) -> str | None:
    """The spec's rule: an empty argument is the same as an absent one."""
    values = [v.strip() for v in form.get(name, []) if v and v.strip()]
    return values[0] if values else None


def _location(form: Mapping[str, list[str]]) -> tuple[Location | None, str | None]:
    lat, lon = _one(form, "lat"), _one(form, "long")
    address = _one(form, "address_string") or (
        f"Mã địa chỉ {_one(form, 'address_id')}" if _one(form, "address_id") else None
    )
    if (lat is None) != (lon is None):
        raise Problem(400, "Cần cả lat và long (lat and long go together).")
    if lat is None:
        if address is None:
            raise Problem(400, "Cần vị trí: lat và long, address_string hoặc address_id (a location is required).")
        return None, address
    place = {"address": address[:500]} if address else {}
    try:
        return Location(lat=float(lat), lon=float(lon or ""), **place), address
    except (ValueError, ValidationError) as exc:
        raise Problem(400, "lat/long không hợp lệ (WGS84 degrees expected).") from exc


def _urgent(form: Mapping[str, list[str]], category: Category) -> bool:
    value = _one(form, f"attribute[{URGENT}]")
    if value is None:
        return category.urgent_by_default
    if value not in URGENT_VALUES:
        raise Problem(400, f"attribute[{URGENT}] phải là «khong» hoặc «co» (must be khong or co).")
    return URGENT_VALUES[value]


def _reporter(form: Mapping[str, list[str]]) -> Reporter | None:
    name = " ".join(filter(None, [_one(form, "first_name"), _one(form, "last_name")]))
    given = {"name": name[:255], "email": _one(form, "email"), "phone": _one(form, "phone")}
    given = {key: value for key, value in given.items() if value}
    if not given:
        return None
    try:
        return Reporter(**given)
    except ValidationError as exc:
        raise Problem(400, "; ".join(str(e.get("ctx", {}).get("error") or e["msg"]) for e in exc.errors())) from exc


def submit(session: Session, form: Mapping[str, list[str]], key: Open311Key, settings: Settings) -> Created:
    code = _one(form, "service_code")
    if code is None:
        raise Problem(400, "Thiếu service_code (service_code is required).")
    category = session.scalar(select(Category).where(Category.code == code, Category.active))
    if category is None:
        raise Problem(404, f"Không có dịch vụ «{code}» (service_code not found).")
    location, address = _location(form)
    description = _one(form, "description") or category.name
    if len(description) > MAX_DESCRIPTION:
        raise Problem(400, f"description dài quá {MAX_DESCRIPTION} ký tự (too long).")
    if address and location is None:
        description += f"\nĐịa chỉ (address): {address}"
    media = _one(form, "media_url")
    if media and media.startswith(("https://", "http://")):
        description += f"\nẢnh (media_url): {media}"
    title, reporter = _one(form, f"attribute[{TITLE}]"), _reporter(form)
    optional = {"title": title[:200] if title else None, "location": location, "reporter": reporter}
    try:
        draft = ReportCreate(
            description=description,
            category_id=category.id,
            urgent=_urgent(form, category),
            # The key holder collects the citizen's consent in its own app (docs/channels.md).
            consent=True,
            **{key: value for key, value in optional.items() if value is not None},
        )
        # Abuse limits: per key (the partner's server is one address) and per key + the citizen's device_id.
        device = _one(form, "device_id") or _one(form, "account_id")
        submitter = Submitter(ip=f"open311:{key.id}", device=f"open311:{key.id}:{device}" if device else None)
        report, _ = submit_report(
            session, draft, actor=ANONYMOUS, settings=settings, channel=Channel.open311, submitter=submitter
        )
    except ValidationError as exc:
        raise Problem(400, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from exc
    except RateLimited as exc:
        raise Problem(429, exc.message, retry_after=exc.retry_after) from exc
    except DomainError as exc:
        raise Problem(400, exc.message) from exc
    token = secrets.token_urlsafe(18)
    session.add(Open311Token(token=token, report_id=report.id, key_id=key.id, created_at=report.created_at))
    session.flush()
    return Created(report, token)


def by_token(session: Session, token: str) -> tuple[str, Report] | None:
    row = session.scalar(select(Open311Token).where(Open311Token.token == token))
    report = session.get(Report, row.report_id) if row else None
    return (row.token, report) if row and report else None
