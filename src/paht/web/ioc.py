"""The IOC operator's console: the triage queue, hotline entry and the deadline board."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from paht.abuse.submissions import Submitter
from paht.auth.roles import Role
from paht.clock import utc_now
from paht.deps import ReadSession, WriteSession
from paht.enums import Channel
from paht.errors import DomainError
from paht.intake.service import submit_report
from paht.models import Assignment
from paht.web import deadlines, forms, report_form
from paht.web.context import Form, PageViewer, Viewer, redirect, render
from paht.web.lists import Directory, ListQuery, count_reports, list_reports
from paht.web.routing import web_router
from paht.workflow import ReportState

router = web_router(prefix="/console/ioc")
QUEUE = (ReportState.received.value, ReportState.returned.value)
HELD = ReportState.held.value  # reporters on the abuse list: shown only under their own tab (paht.abuse)


def is_htmx(viewer: Viewer) -> bool:
    return viewer.request.headers.get("HX-Request") == "true"


@router.get("/triage")
def triage(
    viewer: PageViewer,
    session: ReadSession,
    cursor: str | None = None,
    state: str = "",
    category_id: str = "",
    channel: str = "",
    done: str | None = None,
) -> Response:
    """Received and returned reports: urgent on top, then oldest first."""
    viewer.require(Role.ioc_operator)
    states = (state,) if state in (*QUEUE, HELD) else QUEUE
    q = ListQuery(
        states=states,
        category_id=forms.integer(category_id),
        channel=channel if channel in {c.value for c in Channel} else None,
        sort="urgent",
    )
    page = list_reports(session, viewer.actor, q, cursor=cursor)
    returned_ids = [r.current_assignment_id for r in page.reports if r.state == "returned" and r.current_assignment_id]
    returns = (
        {a.report_id: a for a in session.scalars(select(Assignment).where(Assignment.id.in_(returned_ids)))}
        if returned_ids
        else {}
    )
    context: dict[str, Any] = {
        "page": page,
        "returns": returns,
        "d": Directory.load(session, viewer.lang),
        "filters": {"state": state, "category_id": category_id, "channel": channel},
        "now": utc_now(),
        "done": done,
    }
    if is_htmx(viewer) and cursor:
        return render(viewer, "console/_triage_rows.html", **context)
    counts = {s: count_reports(session, viewer.actor, ListQuery(states=(s,))) for s in QUEUE}
    held = count_reports(session, viewer.actor, ListQuery(states=(HELD,)))
    return render(viewer, "console/triage.html", counts=counts, held=held, **context)


def _hotline_page(session: Session, viewer: Viewer, *, status: int = 200, **values: Any) -> Response:
    d = Directory.load(session, viewer.lang)
    values.setdefault("values", {})
    values.setdefault("errors", {})
    return render(viewer, "console/hotline.html", status=status, d=d, **values)


@router.get("/hotline")
def hotline_form(viewer: PageViewer, session: ReadSession) -> Response:
    viewer.require(Role.ioc_operator)
    return _hotline_page(session, viewer)


@router.post("/hotline")
def hotline_submit(viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    """A call recorded as a report, through the same intake service as every other channel."""
    viewer.require(Role.ioc_operator)
    try:
        data = report_form.draft(form, viewer.t, channel=Channel.hotline)
        submitter = Submitter(staff_id=viewer.actor.user_id)  # abuse limits: per operator
        report, _ = submit_report(session, data, actor=viewer.actor, settings=viewer.settings, submitter=submitter)
        session.commit()
    except DomainError as exc:
        session.rollback()
        fields = exc.details if isinstance(exc.details, dict) else {}
        errors = {"form": exc.message, **fields}
        return _hotline_page(session, viewer, status=exc.status_code, values=report_form.typed(form), errors=errors)
    return redirect(viewer, f"/console/reports/{report.id}?done=hotline")


@router.get("/deadlines")
def deadline_board(
    viewer: PageViewer,
    session: ReadSession,
    status: str = "all",
    body: str = "",
    stage: str = "",
    cursor: str | None = None,
) -> Response:
    viewer.require(Role.ioc_operator, Role.ioc_editor, Role.admin)
    now = utc_now()
    board = deadlines.BoardFilter(
        status=status if status in ("all", "at_risk", "overdue") else "all",
        organization_id=forms.integer(body),
        ioc_only=body == "ioc",
        stage=stage if stage in {s.value for s in deadlines.AT_RISK} else None,
    )
    rows, next_cursor = deadlines.clocks(session, now, board, cursor=cursor)
    context: dict[str, Any] = {
        "rows": rows,
        "next_cursor": next_cursor,
        "d": Directory.load(session, viewer.lang),
        "filters": {"status": board.status, "body": body, "stage": board.stage or ""},
        "now": now,
        "margins": deadlines.AT_RISK,
    }
    if is_htmx(viewer) and cursor:
        return render(viewer, "console/_deadline_rows.html", **context)
    return render(viewer, "console/deadlines.html", lines=deadlines.summary(session, now), **context)
