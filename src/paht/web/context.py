"""Who is looking at a page, and how a page is answered.

Every web route takes a `Viewer` (the signed-in user or an anonymous visitor, the language, the CSRF
token) and answers through `render()` or `redirect()`, which add the security headers and, for an
anonymous visitor, the CSRF cookie. Other capabilities' pages (statistics) use the same two.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from paht.auth.actor import ANONYMOUS, Actor
from paht.auth.roles import STAFF_ROLES, Role
from paht.auth.service import actor_for
from paht.clock import utc_now
from paht.config import Settings
from paht.db import Database
from paht.errors import NotAuthenticated, NotPermitted
from paht.models import Organization, User
from paht.web import sessions
from paht.web.i18n import Translator, language_of

CSRF_COOKIE = "paht_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class CsrfRejected(NotPermitted):
    code = "csrf"


@dataclass
class Viewer:
    request: Request
    settings: Settings
    db: Database
    lang: str
    actor: Actor = ANONYMOUS
    user: User | None = None
    organization: Organization | None = None
    csrf_token: str = ""
    # Set when an anonymous visitor had no CSRF cookie yet: render() sends it.
    new_csrf_cookie: bool = False
    extra_headers: dict[str, str] = field(default_factory=dict)

    @property
    def t(self) -> Translator:
        return Translator(self.lang)

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def is_staff(self) -> bool:
        return bool(self.actor.roles & STAFF_ROLES)

    def has(self, *roles: Role) -> bool:
        return self.actor.has(*roles)

    def require(self, *roles: Role) -> Viewer:
        if not self.signed_in:
            raise NotAuthenticated(self.t._("Please sign in."))
        if roles and not self.actor.has(*roles):
            raise NotPermitted(self.t._("Your role may not open this page."))
        return self


def build_viewer(request: Request) -> Viewer:
    settings: Settings = request.app.state.settings
    db: Database = request.app.state.db
    viewer = Viewer(request=request, settings=settings, db=db, lang=language_of(request))
    signed = sessions.lookup(db, request.cookies.get(sessions.SESSION_COOKIE), settings=settings)
    if signed is not None:
        with db.reader() as session:
            user = session.get(User, signed.user_id)
            if user is not None:
                viewer.user = user
                viewer.actor = actor_for(session, user)
                viewer.organization = session.get(Organization, user.organization_id) if user.organization_id else None
        if viewer.user is not None:
            viewer.csrf_token = signed.csrf_token
            return viewer
    cookie = request.cookies.get(CSRF_COOKIE)
    viewer.csrf_token = cookie if cookie and len(cookie) >= 32 else sessions.new_csrf_token()
    viewer.new_csrf_cookie = viewer.csrf_token != cookie
    return viewer


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the viewer's (and the Origin, when sent, is ours)."""
    form = await request.form()
    viewer = await _viewer_of(request)
    sent = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not isinstance(sent, str) or not _same_origin(request) or viewer.new_csrf_cookie:
        raise CsrfRejected(viewer.t._("This form has expired. Reload the page and send it again."))
    if not hmac.compare_digest(sent.encode(), viewer.csrf_token.encode()):
        raise CsrfRejected(viewer.t._("This form has expired. Reload the page and send it again."))
    return form


async def _viewer_of(request: Request) -> Viewer:
    cached = getattr(request.state, "viewer", None)
    if cached is None:
        from starlette.concurrency import run_in_threadpool

        cached = await run_in_threadpool(build_viewer, request)
        request.state.viewer = cached
    return cached


async def current_viewer(request: Request) -> Viewer:
    return await _viewer_of(request)


PageViewer = Annotated[Viewer, Depends(current_viewer)]
Form = Annotated[FormData, Depends(checked_form)]


def finish(viewer: Viewer, response: Response) -> Response:
    """The anonymous CSRF cookie when it is new (paht.security adds the security headers to every response)."""
    secure = viewer.settings.environment == "production"
    if viewer.signed_in:  # staff pages hold personal data: never keep them in a shared cache
        response.headers["Cache-Control"] = "no-store"
    if viewer.new_csrf_cookie:
        response.set_cookie(CSRF_COOKIE, viewer.csrf_token, httponly=True, samesite="lax", secure=secure, path="/")
    for name, value in viewer.extra_headers.items():
        response.headers[name] = value
    return response


def render(viewer: Viewer, template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
    env = viewer.request.app.state.web_templates
    t = viewer.t
    html = env.get_template(template).render(
        v=viewer,
        _=t.gettext,
        ngettext=t.ngettext,
        lang=viewer.lang,
        csrf=viewer.csrf_token,
        settings=viewer.settings,
        request=viewer.request,
        path=viewer.request.url.path,
        server_now=utc_now().isoformat(),
        **values,
    )
    return finish(viewer, HTMLResponse(html, status_code=status))  # type: ignore[return-value]


def redirect(viewer: Viewer, url: str) -> Response:
    if viewer.request.headers.get("HX-Request") == "true":
        return finish(viewer, Response(status_code=204, headers={"HX-Redirect": url}))
    return finish(viewer, RedirectResponse(url, status_code=303))


def safe_next(value: object, default: str = "/") -> str:
    """Only same-site paths: never `//host` or `https://…`, so a link cannot send a user elsewhere."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default
