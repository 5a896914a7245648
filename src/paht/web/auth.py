"""Sign in and out of the web (a session cookie), and switch the language."""

from __future__ import annotations

from fastapi.responses import Response

from paht.auth.service import actor_for, authenticate
from paht.deps import WriteSession
from paht.errors import NotAuthenticated
from paht.web import forms, sessions
from paht.web.console import home_of
from paht.web.context import Form, PageViewer, redirect, render, safe_next
from paht.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from paht.web.routing import web_router

router = web_router()


@router.get("/dang-nhap")
def login_form(viewer: PageViewer, next: str = "") -> Response:
    if viewer.signed_in:
        return redirect(viewer, safe_next(next, home_of(viewer)))
    return render(viewer, "login.html", next=safe_next(next, ""), values={}, error=None)


@router.post("/dang-nhap")
def login(viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    username, password = forms.text(form, "username"), form.get("password")
    target = safe_next(form.get("next"), "")
    try:
        if not username or not isinstance(password, str) or not password:
            raise NotAuthenticated(viewer.t._("Enter your username and password."))
        user = authenticate(session, username=username, password=password)
    except NotAuthenticated:
        message = viewer.t._("Wrong username or password.")
        return render(viewer, "login.html", status=401, next=target, values={"username": username}, error=message)
    old = viewer.request.cookies.get(sessions.SESSION_COOKIE)
    if old:  # a new sign-in never reuses a session id (session fixation)
        sessions.end(session, old)
    token = sessions.start(session, user, settings=viewer.settings, user_agent=viewer.request.headers.get("user-agent"))
    session.commit()
    viewer.user = user
    viewer.actor = actor_for(session, user)
    viewer.new_csrf_cookie = False
    response = redirect(viewer, target or home_of(viewer))
    response.set_cookie(
        sessions.SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=viewer.settings.environment == "production",
        max_age=viewer.settings.session_absolute_hours * 3600,
        path="/",
    )
    return response


@router.post("/dang-xuat")
def logout(viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    token = viewer.request.cookies.get(sessions.SESSION_COOKIE)
    if token:
        sessions.end(session, token)
        session.commit()
    response = redirect(viewer, "/dang-nhap?signed_out=1")
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    return response


@router.get("/ngon-ngu/{lang}")
def switch_language(lang: str, viewer: PageViewer, next: str = "/") -> Response:
    response = redirect(viewer, safe_next(next))
    if lang in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response
