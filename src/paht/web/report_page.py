"""One report in the consoles: its facts, deadlines, photos, timeline, and the actions the workflow allows now."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.responses import FileResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.datastructures import FormData

from paht.attachments.service import add_attachment, list_for, staff_file
from paht.auth.roles import STAFF_ROLES
from paht.clock import utc_now
from paht.deps import ReadSession, WriteSession
from paht.errors import Conflict, DomainError, Invalid, NotFound, NotPermitted
from paht.models import Assignment, Report, SlaClock
from paht.reports.api import PAYLOADS
from paht.reports.audit import record_contact_view
from paht.reports.codes import normalise_code
from paht.reports.queries import current_assignment, get_visible, visible
from paht.reports.service import actions_for, perform_action
from paht.web import forms
from paht.web.context import Form, PageViewer, Viewer, redirect, render, safe_next
from paht.web.lists import Directory
from paht.web.routing import web_router
from paht.web.timeline import timeline
from paht.workflow import Action, ReportState

router = web_router(prefix="/console")

# The form fields each action reads (the payload schemas in reports.api validate them, as for the API).
FIELDS: dict[Action, tuple[str, ...]] = {
    Action.dispatch: ("organization_id", "note"),
    Action.acknowledge: (),
    Action.return_: ("reason", "suggested_organization_id"),
    Action.submit_result: ("result",),
    Action.approve: ("result",),
    Action.send_back: ("reason",),
    Action.publish: ("title", "description", "result"),
    Action.reject: ("reason",),
    Action.mark_duplicate: ("duplicate_of_code",),
    Action.reopen: ("reason",),
    Action.release: ("note",),
}
NUMBERS = ("organization_id", "suggested_organization_id")


def suggestions(report: Report, assignment: Assignment | None, d: Directory) -> list[tuple[int, str]]:
    """Bodies to offer first when dispatching: the one a returning body named, then the category's default."""
    found: list[tuple[int, str]] = []
    if report.state == ReportState.returned and assignment and assignment.suggested_organization_id:
        found.append((assignment.suggested_organization_id, "returned"))
    category = d.categories.get(report.category_id) if report.category_id else None
    if category and category.default_organization_id and category.default_organization_id not in dict(found):
        found.append((category.default_organization_id, "category"))
    return found


def page_context(session: Session, report: Report, viewer: Viewer) -> dict[str, Any]:
    d = Directory.load(session, viewer.lang)
    assignment = current_assignment(session, report)
    return {
        "report": report,
        "d": d,
        "assignment": assignment,
        "assignments": list(
            session.scalars(select(Assignment).where(Assignment.report_id == report.id).order_by(Assignment.id))
        ),
        "clocks": list(
            session.scalars(
                select(SlaClock).where(SlaClock.report_id == report.id).order_by(SlaClock.started_at, SlaClock.id)
            )
        ),
        "photos": list_for(session, report.id),
        "actions": actions_for(session, report, viewer.actor, viewer.settings),
        "timeline": timeline(session, report, viewer.actor, d, viewer.t),
        "suggested": suggestions(report, assignment, d),
        "duplicate_of": session.get(Report, report.duplicate_of_id) if report.duplicate_of_id else None,
        "now": utc_now(),
        "errors": {},
        "values": {},
        "open_action": None,
    }


@router.get("/reports/{report_id}")
def report_page(
    report_id: uuid.UUID, viewer: PageViewer, session: ReadSession, done: str | None = None, next: str = ""
) -> Response:
    viewer.require(*STAFF_ROLES)
    report = get_visible(session, report_id, viewer.actor)
    context = page_context(session, report, viewer)
    if viewer.request.headers.get("HX-Request") == "true":  # the triage queue's side panel
        return render(viewer, "console/_report_body.html", **context, next_url=safe_next(next, "") or None)
    return render(viewer, "console/report.html", **context, done=done, next_url=safe_next(next, "") or None)


def by_code(session: Session, viewer: Viewer, code: str) -> Report | None:
    normal = normalise_code(code)
    if not normal:
        return None
    return session.scalar(select(Report).where(Report.code == normal, visible(viewer.actor)))


def action_payload(session: Session, action: Action, form: FormData, viewer: Viewer) -> dict[str, Any]:
    t = viewer.t
    raw: dict[str, Any] = {name: forms.text(form, name) for name in FIELDS[action]}
    raw = {name: value for name, value in raw.items() if value}
    for name in NUMBERS:
        if name in raw:
            raw[name] = forms.integer(raw[name]) or raw[name]
    if "duplicate_of_code" in raw:
        original = by_code(session, viewer, raw.pop("duplicate_of_code"))
        if original is None:
            raise Invalid(
                t._("No report with this code."), details={"duplicate_of_code": t._("No report with this code.")}
            )
        raw["duplicate_of_id"] = str(original.id)
    try:
        return PAYLOADS[action].model_validate(raw).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        fields = forms.field_errors(exc, t, {"duplicate_of_id": "duplicate_of_code"})
        raise Invalid(t._("Please correct the marked fields."), details=fields) from exc


@router.post("/reports/{report_id}/actions/{action}")
def take_action(
    report_id: uuid.UUID, action: Action, viewer: PageViewer, form: Form, session: WriteSession
) -> Response:
    viewer.require(*STAFF_ROLES)
    settings = viewer.settings
    try:
        payload = action_payload(session, action, form, viewer)
        photos = forms.photos(form, "photos", settings, viewer.t) if action is Action.submit_result else []
        for data in photos:
            add_attachment(session, report_id, data, actor=viewer.actor, reporter_token=None, settings=settings)
        perform_action(
            session,
            report_id,
            action,
            actor=viewer.actor,
            payload=payload,
            settings=settings,
            now=utc_now(),
            expected_version=forms.integer(forms.text(form, "version")),
        )
        session.commit()
    except NotFound:
        raise
    except StaleDataError:
        session.rollback()
        return _failed(
            session,
            viewer,
            report_id,
            action,
            form,
            Conflict(viewer.t._("Someone else changed this report; reload it.")),
        )
    except DomainError as exc:
        session.rollback()
        return _failed(session, viewer, report_id, action, form, exc)
    target = safe_next(form.get("next"), f"/console/reports/{report_id}")
    return redirect(viewer, f"{target}{'&' if '?' in target else '?'}done={action.value}")


def _failed(
    session: Session, viewer: Viewer, report_id: uuid.UUID, action: Action, form: FormData, exc: DomainError
) -> Response:
    """The report page again, with the action's form open, the error shown and what was typed kept."""
    report = get_visible(session, report_id, viewer.actor)
    on_editor = forms.text(form, "page") == "editor"
    if on_editor:
        from paht.web.editor import editor_context

        typed = forms.values(form, "title", "description", "result")
        context = editor_context(session, report, viewer, typed if action is Action.publish else None)
    else:
        context = page_context(session, report, viewer)
    fields = exc.details if isinstance(exc.details, dict) and "missing" not in exc.details else {}
    if isinstance(exc.details, dict) and "missing" in exc.details:
        fields = {name: viewer.t._("This field is required.") for name in exc.details["missing"]}
    context.update(
        errors={"form": exc.message, **{str(k): str(v) for k, v in fields.items()}},
        values=forms.values(form, *FIELDS[action]),
        open_action=action.value,
        next_url=safe_next(form.get("next"), "") or None,
    )
    template = "console/editor.html" if on_editor else "console/report.html"
    return render(viewer, template, status=exc.status_code, readonly=False, **context)


@router.post("/reports/{report_id}/contact")
def reveal_contact(report_id: uuid.UUID, viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    """The reporter's contact, for IOC staff only; every reveal is an audited event."""
    viewer.require(*STAFF_ROLES)
    if not viewer.actor.sees_contacts:
        raise NotPermitted(viewer.t._("Only IOC staff may see the reporter's contact details."))
    report = get_visible(session, report_id, viewer.actor)
    record_contact_view(session, report, viewer.actor, purpose="web:report_page")
    session.commit()
    return render(viewer, "partials/contact.html", report=report)


@router.get("/reports/{report_id}/photos/{attachment_id}")
def photo(report_id: uuid.UUID, attachment_id: uuid.UUID, viewer: PageViewer, session: ReadSession) -> Response:
    viewer.require(*STAFF_ROLES)
    attachment = staff_file(session, report_id, attachment_id, viewer.actor)
    return FileResponse(
        attachment.public_path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"}
    )


@router.get("/lookup")
def lookup(viewer: PageViewer, session: ReadSession, code: str = "", duplicate_of_code: str = "") -> Response:
    """HTMX: a report found by its tracking code (to mark a duplicate)."""
    viewer.require(*STAFF_ROLES)
    code = code or duplicate_of_code
    found = by_code(session, viewer, code) if code else None
    d = Directory.load(session, viewer.lang)
    return render(viewer, "partials/lookup.html", found=found, code=code, d=d)


@router.get("/find")
def find(viewer: PageViewer, session: ReadSession, code: str = "") -> Response:
    viewer.require(*STAFF_ROLES)
    found = by_code(session, viewer, code)
    if found is None:
        raise NotFound(viewer.t._("No report with this code."))
    return redirect(viewer, f"/console/reports/{found.id}")
