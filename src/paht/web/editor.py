"""The IOC editor's console: approved results waiting for publication, and the side-by-side editor."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.responses import Response
from sqlalchemy.orm import Session

from paht.auth.roles import Role
from paht.clock import utc_now
from paht.deps import ReadSession
from paht.models import Report
from paht.reports.queries import current_assignment, get_visible
from paht.reports.service import actions_for
from paht.web import forms
from paht.web.context import Form, PageViewer, Viewer, render
from paht.web.diff import differs, word_diff
from paht.web.lists import Directory, ListQuery, list_reports
from paht.web.routing import web_router
from paht.workflow import Action, ReportState

router = web_router(prefix="/console/ioc/editor")


def public_defaults(report: Report) -> dict[str, str]:
    """What publishing without edits would show (the same defaults as the publish action)."""
    return {
        "title": report.title or report.description[:120],
        "description": report.description,
        "result": report.approved_result or report.result or "",
    }


def originals(report: Report) -> dict[str, str]:
    return {"title": report.title or "", "description": report.description, "result": report.approved_result or ""}


def diffs(report: Report, public: dict[str, str]) -> dict[str, Any]:
    before = originals(report)
    return {name: word_diff(before[name], public[name]) for name in public} | {
        "changed": [name for name in public if differs(before[name], public[name])]
    }


def editor_context(session: Session, report: Report, viewer: Viewer, values: dict[str, str] | None = None) -> dict:
    public = values or public_defaults(report)
    return {
        "report": report,
        "d": Directory.load(session, viewer.lang),
        "assignment": current_assignment(session, report),
        "leader_edited": differs(report.result, report.approved_result),
        "leader_diff": word_diff(report.result, report.approved_result),
        "public": public,
        "diffs": diffs(report, public),
        "actions": actions_for(session, report, viewer.actor, viewer.settings),
        "errors": {},
        "values": {},
        "open_action": None,
        "now": utc_now(),
    }


@router.get("")
def queue(viewer: PageViewer, session: ReadSession, cursor: str | None = None, done: str | None = None) -> Response:
    viewer.require(Role.ioc_editor)
    page = list_reports(
        session, viewer.actor, ListQuery(states=(ReportState.approved.value,), sort="due"), cursor=cursor
    )
    context = {"page": page, "d": Directory.load(session, viewer.lang), "now": utc_now(), "done": done}
    if viewer.request.headers.get("HX-Request") == "true" and cursor:
        return render(viewer, "console/_editor_rows.html", **context)
    return render(viewer, "console/editor_queue.html", **context)


@router.get("/{report_id}")
def editor(report_id: uuid.UUID, viewer: PageViewer, session: ReadSession) -> Response:
    viewer.require(Role.ioc_editor)
    report = get_visible(session, report_id, viewer.actor)
    context = editor_context(session, report, viewer)
    if Action.publish not in context["actions"]:
        return render(viewer, "console/editor.html", readonly=True, **context)
    return render(viewer, "console/editor.html", readonly=False, **context)


@router.post("/{report_id}/preview")
def preview(report_id: uuid.UUID, viewer: PageViewer, form: Form, session: ReadSession) -> Response:
    """HTMX: the differences between the original and the public version being typed."""
    viewer.require(Role.ioc_editor)
    report = get_visible(session, report_id, viewer.actor)
    public = forms.values(form, "title", "description", "result")
    return render(viewer, "partials/public_diff.html", diffs=diffs(report, public))
