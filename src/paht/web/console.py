"""The console's front door (each role's home) and the general report list with filters."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi.responses import Response

from paht.auth.roles import STAFF_ROLES, Role
from paht.clock import utc_now
from paht.deps import ReadSession
from paht.enums import Channel
from paht.errors import Invalid
from paht.web import forms
from paht.web.context import PageViewer, Viewer, redirect, render
from paht.web.lists import SORTS, Directory, ListQuery, Page, list_reports
from paht.web.routing import web_router
from paht.workflow import ReportState

router = web_router(prefix="/console")

HOMES = (
    (Role.ioc_operator, "/console/ioc/triage"),
    (Role.ioc_editor, "/console/ioc/editor"),
    (Role.handler, "/console/body/inbox"),
    (Role.leader, "/console/body/approvals"),
    (Role.admin, "/console/admin/organizations"),
    (Role.viewer, "/console/reports"),
)


def home_of(viewer: Viewer) -> str:
    for role, url in HOMES:
        if viewer.has(role):
            return url
    return "/cua-toi" if viewer.has(Role.citizen) else "/"


@router.get("")
def console_home(viewer: PageViewer) -> Response:
    viewer.require()
    return redirect(viewer, home_of(viewer))


def _local_day(value: str, timezone: str, *, end: bool = False) -> datetime | None:
    """A date typed in the filter, as the start (or the end) of that local day."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return datetime.combine(day + timedelta(days=1 if end else 0), time.min, tzinfo=ZoneInfo(timezone))


@router.get("/reports")
def report_list(
    viewer: PageViewer,
    session: ReadSession,
    state: str = "",
    body: str = "",
    category_id: str = "",
    channel: str = "",
    urgent: str = "",
    overdue: str = "",
    created_from: str = "",
    created_to: str = "",
    sort: str = "newest",
    q: str = "",
    cursor: str | None = None,
) -> Response:
    """Every report the viewer may see: filter, search, sort, page on."""
    viewer.require(*STAFF_ROLES)
    tz = viewer.settings.timezone
    query = ListQuery(
        states=(state,) if state in {s.value for s in ReportState} else (),
        organization_id=forms.integer(body),
        category_id=forms.integer(category_id),
        channel=channel if channel in {c.value for c in Channel} else None,
        urgent={"1": True, "0": False}.get(urgent),
        overdue={"1": True, "0": False}.get(overdue),
        created_from=_local_day(created_from, tz),
        created_to=_local_day(created_to, tz, end=True),
        sort=sort if sort in SORTS else "newest",
        q=q.strip() or None,
    )
    try:
        page = list_reports(session, viewer.actor, query, cursor=cursor)
        error = None
    except Invalid as exc:  # a search with no words, or too long
        page, error = Page([], {}, None), exc.message
    filters = {
        "state": state,
        "body": body,
        "category_id": category_id,
        "channel": channel,
        "urgent": urgent,
        "overdue": overdue,
        "created_from": created_from,
        "created_to": created_to,
        "sort": query.sort,
        "q": q,
    }
    context = {"page": page, "d": Directory.load(session, viewer.lang), "filters": filters, "now": utc_now()}
    context["errors"] = {"q": error} if error else {}
    if viewer.request.headers.get("HX-Request") == "true" and cursor:
        return render(viewer, "console/_report_rows.html", **context)
    return render(viewer, "console/reports.html", **context)
