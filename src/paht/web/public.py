"""The public portal: home, submit a report, follow it by its code, published results (list, map, rating)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from paht.abuse import submissions
from paht.attachments.service import add_attachment
from paht.auth.roles import Role
from paht.deps import DB, ReadSession, WriteSession
from paht.enums import Channel
from paht.errors import Conflict, DomainError, Invalid, InvalidTransition, NotFound, NotPermitted, RateLimited
from paht.intake import idempotency
from paht.intake.service import submit_report
from paht.publishing import queries as published
from paht.reports.queries import ReportFilters, list_visible
from paht.reports.rating import RatingIn, rate
from paht.web import forms, report_form
from paht.web.context import Form, PageViewer, Viewer, redirect, render
from paht.web.lists import Directory
from paht.web.routing import web_router

router = web_router()
RESULTS_PAGE = 12
MAP_MARKERS = 1000


@router.get("/")
def home(viewer: PageViewer, session: ReadSession) -> Response:
    recent, _ = published.list_published(
        session,
        category_id=None,
        organization_id=None,
        published_from=None,
        published_to=None,
        cursor=None,
        limit=6,
    )
    items = published.public_reports(
        session, recent, decimals=viewer.settings.public_location_decimals, lang=viewer.lang
    )
    return render(viewer, "public/home.html", recent=items)


def _submit_page(session: Session, viewer: Viewer, *, status: int = 200, **values: Any) -> Response:
    values.setdefault("values", {"submission_key": str(uuid.uuid4())})
    values.setdefault("errors", {})
    d = Directory.load(session, viewer.lang)
    return render(viewer, "public/submit.html", status=status, d=d, **values)


@router.get("/gui-phan-anh")
def submit_form(viewer: PageViewer, session: ReadSession) -> Response:
    return _submit_page(session, viewer)


@router.post("/gui-phan-anh")
def submit(viewer: PageViewer, form: Form, db: DB) -> Response:
    """One report through the intake service; a double click or a resent form never makes a second one."""
    t, settings = viewer.t, viewer.settings
    typed = report_form.typed(form) | {"submission_key": forms.text(form, "submission_key")}
    try:
        data = report_form.draft(form, t, channel=Channel.web)
        photos = forms.photos(form, "photos", settings, t)
        claim = idempotency.claim(
            db,
            scope=f"web:{viewer.actor.user_id or 'anonymous'}",
            key=typed["submission_key"],
            fingerprint=idempotency.request_fingerprint(data.model_dump(mode="json") | {"photos": len(photos)}),
            lock_seconds=settings.idempotency_lock_seconds,
        )
    except DomainError as exc:
        with db.reader() as session:
            return _submit_failed(session, viewer, typed, exc)
    if claim.stored is not None:
        return render(viewer, "public/submitted.html", created=claim.stored[1])
    stage = "report"
    try:
        with db.writer() as session:
            submitter = submissions.from_request(viewer.request, viewer.actor, settings)  # abuse limits
            report, token = submit_report(session, data, actor=viewer.actor, settings=settings, submitter=submitter)
            session.flush()
            stage = "photos"
            for photo in photos:
                add_attachment(session, report.id, photo, actor=viewer.actor, reporter_token=token, settings=settings)
            created = {"code": report.code, "reporter_token": token}
            idempotency.complete(session, claim, status=201, body=created)
            session.commit()
    except DomainError as exc:
        idempotency.release(db, claim)
        if stage == "photos":
            exc.details = {"photos": exc.message}
        with db.reader() as session:
            return _submit_failed(session, viewer, typed, exc)
    except BaseException:
        idempotency.release(db, claim)
        raise
    return render(viewer, "public/submitted.html", created=created)


def _submit_failed(session: Session, viewer: Viewer, typed: dict[str, Any], exc: DomainError) -> Response:
    fields = exc.details if isinstance(exc.details, dict) else {}
    if exc.code == "payload_too_large":
        fields = {"photos": exc.message}
    errors = {"form": exc.message if not fields else viewer.t._("Please correct the marked fields."), **fields}
    page = _submit_page(session, viewer, status=exc.status_code, values=typed, errors=errors)
    if isinstance(exc, RateLimited):
        page.headers["Retry-After"] = str(exc.retry_after)
    return page


@router.get("/tra-cuu")
def track(viewer: PageViewer, session: ReadSession, code: str = "") -> Response:
    """A report's state and step times by its tracking code (no personal data)."""
    if not code.strip():
        return render(viewer, "public/track.html", tracked=None, code="", error=None)
    try:
        tracked = published.track(session, code, lang=viewer.lang)
    except NotFound:
        message = viewer.t._("No report has this tracking code. Check it and try again.")
        return render(viewer, "public/track.html", status=404, tracked=None, code=code, error=message)
    return render(viewer, "public/track.html", tracked=tracked, code=code, error=None)


def _period(value: str, timezone: str, *, end: bool = False) -> datetime | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return datetime.combine(day + timedelta(days=1 if end else 0), time.min, tzinfo=ZoneInfo(timezone))


def _result_filters(viewer: Viewer, category_id: str, body: str, period_from: str, period_to: str, q: str) -> dict:
    tz = viewer.settings.timezone
    return {
        "q": q.strip() or None,
        "category_id": forms.integer(category_id),
        "organization_id": forms.integer(body),
        "published_from": _period(period_from, tz),
        "published_to": _period(period_to, tz, end=True),
    }


@router.get("/ket-qua")
def results(
    viewer: PageViewer,
    session: ReadSession,
    category_id: str = "",
    body: str = "",
    period_from: str = "",
    period_to: str = "",
    q: str = "",
    cursor: str | None = None,
) -> Response:
    """Published results, newest first, with filters and a diacritic-insensitive search."""
    filters = _result_filters(viewer, category_id, body, period_from, period_to, q)
    errors: dict[str, str] = {}
    try:
        rows, next_cursor = published.list_published(session, **filters, cursor=cursor, limit=RESULTS_PAGE)
    except Invalid as exc:  # a search with no words, or too long
        rows, next_cursor, errors = [], None, {"q": exc.message}
    decimals = viewer.settings.public_location_decimals
    items = published.public_reports(session, rows, decimals=decimals, lang=viewer.lang)
    typed = {"category_id": category_id, "body": body, "period_from": period_from, "period_to": period_to, "q": q}
    d = Directory.load(session, viewer.lang)
    context = {"items": items, "next_cursor": next_cursor, "filters": typed, "d": d, "errors": errors}
    if viewer.request.headers.get("HX-Request") == "true" and cursor:
        return render(viewer, "public/_result_cards.html", **context)
    return render(viewer, "public/results.html", **context)


@router.get("/ket-qua/ban-do.json")
def results_map(
    viewer: PageViewer,
    session: ReadSession,
    category_id: str = "",
    body: str = "",
    period_from: str = "",
    period_to: str = "",
    q: str = "",
) -> Response:
    """Markers for the results map: the latest published results with a place, at public precision."""
    filters = _result_filters(viewer, category_id, body, period_from, period_to, q)
    try:
        rows, _ = published.list_published(session, **filters, cursor=None, limit=MAP_MARKERS)
    except Invalid:
        rows = []
    decimals = viewer.settings.public_location_decimals
    markers = [
        {
            "code": r.code,
            "title": r.public_title or "",
            "lat": round(r.lat, decimals),
            "lon": round(r.lon, decimals),
            "url": f"/ket-qua/{r.code}",
        }
        for r in rows
        if r.lat is not None and r.lon is not None
    ]
    return JSONResponse(markers, headers={"Cache-Control": "public, max-age=60"})


def _result_page(session: Session, viewer: Viewer, code: str, *, status: int = 200, **values: Any) -> Response:
    report = published.published_by_code(session, code)
    public = published.public_report(
        session, report, decimals=viewer.settings.public_location_decimals, lang=viewer.lang
    )
    is_reporter = viewer.user is not None and report.reporter_user_id == viewer.user.id
    values.setdefault("errors", {})
    values.setdefault("values", {})
    return render(
        viewer,
        "public/result.html",
        status=status,
        r=public,
        rated=report.rated_at is not None,
        is_reporter=is_reporter,
        **values,
    )


@router.get("/ket-qua/{code}")
def result(code: str, viewer: PageViewer, session: ReadSession, rated: str | None = None) -> Response:
    return _result_page(session, viewer, code, just_rated=rated is not None)


@router.post("/ket-qua/{code}/danh-gia")
def rate_result(code: str, viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    """The reporter's 1–5 rating, once: signed in as the reporter, or with the secret code from submission."""
    t = viewer.t
    typed = forms.values(form, "rating", "comment", "reporter_token")
    report = published.published_by_code(session, code)
    try:
        data = RatingIn(rating=forms.integer(typed["rating"]) or 0, comment=typed["comment"] or None)
    except ValueError:
        errors = {"rating": t._("Choose from 1 to 5 stars.")}
        return _result_page(session, viewer, code, status=422, errors=errors, values=typed)
    try:
        rate(session, report.id, data, actor=viewer.actor, reporter_token=typed["reporter_token"] or None)
        session.commit()
    except (NotFound, NotPermitted):
        session.rollback()
        errors = {
            "reporter_token": t._("Only the person who sent the report can rate it: the secret code does not match.")
        }
        return _result_page(session, viewer, code, status=403, errors=errors, values=typed)
    except (Conflict, InvalidTransition):
        session.rollback()
        errors = {"rating": t._("This result has already been rated.")}
        return _result_page(session, viewer, code, status=409, errors=errors, values=typed)
    return redirect(viewer, f"/ket-qua/{report.code}?rated=1")


@router.get("/cua-toi")
def my_reports(viewer: PageViewer, session: ReadSession, cursor: str | None = None) -> Response:
    """A signed-in citizen's own reports."""
    viewer.require(Role.citizen)
    items, next_cursor = list_visible(session, viewer.actor, ReportFilters(), cursor=cursor, limit=25)
    return render(
        viewer, "public/mine.html", items=items, next_cursor=next_cursor, d=Directory.load(session, viewer.lang)
    )
