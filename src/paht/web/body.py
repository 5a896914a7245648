"""The handling body's console: the inbox, the processing list, the leader's approvals and the body's figures."""

from __future__ import annotations

from fastapi.responses import Response

from paht.auth.roles import Role
from paht.clock import utc_now
from paht.deps import ReadSession
from paht.errors import NotPermitted
from paht.web import figures
from paht.web.context import PageViewer, Viewer, render
from paht.web.lists import Directory, ListQuery, count_reports, list_reports
from paht.web.routing import web_router
from paht.workflow import ReportState

router = web_router(prefix="/console/body")

# list name → (state, who opens it, sort)
LISTS = {
    "inbox": (ReportState.dispatched, (Role.handler, Role.leader), "oldest"),
    "processing": (ReportState.processing, (Role.handler, Role.leader), "due"),
    "approvals": (ReportState.awaiting_approval, (Role.leader,), "oldest"),
}


def _own_body(viewer: Viewer) -> int:
    if viewer.actor.organization_id is None:
        raise NotPermitted(viewer.t._("Your account belongs to no handling body."))
    return viewer.actor.organization_id


def _body_list(name: str, viewer: Viewer, session, cursor: str | None, done: str | None) -> Response:  # type: ignore[no-untyped-def]
    state, roles, sort = LISTS[name]
    viewer.require(*roles)
    org_id = _own_body(viewer)
    q = ListQuery(states=(state.value,), organization_id=org_id, sort=sort)
    page = list_reports(session, viewer.actor, q, cursor=cursor)
    context = {
        "page": page,
        "d": Directory.load(session, viewer.lang),
        "mode": name,
        "now": utc_now(),
        "done": done,
    }
    if viewer.request.headers.get("HX-Request") == "true":
        return render(viewer, "console/_body_rows.html", **context)
    counts = {
        other: count_reports(session, viewer.actor, ListQuery(states=(s.value,), organization_id=org_id))
        for other, (s, _, _) in LISTS.items()
    }
    return render(viewer, "console/body_list.html", counts=counts, **context)


@router.get("/inbox")
def inbox(viewer: PageViewer, session: ReadSession, cursor: str | None = None, done: str | None = None) -> Response:
    """Dispatched to this body: acknowledge each within 30 minutes."""
    return _body_list("inbox", viewer, session, cursor, done)


@router.get("/processing")
def processing(
    viewer: PageViewer, session: ReadSession, cursor: str | None = None, done: str | None = None
) -> Response:
    return _body_list("processing", viewer, session, cursor, done)


@router.get("/approvals")
def approvals(viewer: PageViewer, session: ReadSession, cursor: str | None = None, done: str | None = None) -> Response:
    return _body_list("approvals", viewer, session, cursor, done)


@router.get("/figures")
def body_figures(viewer: PageViewer, session: ReadSession) -> Response:
    """This week's and this month's figures of the leader's own body."""
    viewer.require(Role.leader, Role.handler, Role.viewer)
    org_id = _own_body(viewer)
    now = utc_now()
    periods = {
        name: figures.body_figures(session, org_id, start, now)
        for name, start in figures.period_starts(now, viewer.settings.timezone).items()
    }
    return render(viewer, "console/figures.html", periods=periods, d=Directory.load(session, viewer.lang))
