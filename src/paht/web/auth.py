"""Sign in (password, then the TOTP code or its set-up) and out of the web, and switch the language."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi.responses import Response
from sqlalchemy.orm import Session

from paht.abuse import logins
from paht.abuse.client import client_ip
from paht.auth import totp
from paht.auth.policy import AccountPolicy
from paht.auth.service import actor_for, authenticate, second_factor_step
from paht.deps import ReadSession, WriteSession
from paht.errors import NotAuthenticated, RateLimited
from paht.models import User
from paht.web import forms, sessions
from paht.web.account import enrolment_view
from paht.web.console import home_of
from paht.web.context import Form, PageViewer, Viewer, redirect, render, safe_next
from paht.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from paht.web.routing import web_router

router = web_router()
SECOND_STEP = "/dang-nhap/xac-thuc"
# Carries a sign-in between the password and the second factor; only the sign-in pages receive it.
PENDING_COOKIE = "paht_login"


@router.get("/dang-nhap")
def login_form(viewer: PageViewer, next: str = "") -> Response:
    if viewer.signed_in:
        return redirect(viewer, safe_next(next, home_of(viewer)))
    return render(viewer, "login.html", next=safe_next(next, ""), values={}, error=None)


@router.post("/dang-nhap")
def login(viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    username, password = forms.text(form, "username"), form.get("password")
    target = safe_next(form.get("next"), "")
    ip = client_ip(viewer.request, viewer.settings.trusted_proxies)  # wrong-password limits (paht.abuse.logins)
    try:
        if not username or not isinstance(password, str) or not password:
            raise NotAuthenticated(viewer.t._("Enter your username and password."))
        logins.guard(session, username=username, ip=ip, settings=viewer.settings)
        user = authenticate(session, username=username, password=password)
    except RateLimited as exc:
        page = render(viewer, "login.html", status=429, next=target, values={"username": username}, error=exc.message)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except NotAuthenticated:
        if username and password:
            logins.failed(session, username=username, ip=ip, settings=viewer.settings)
        message = viewer.t._("Wrong username or password.")
        return render(viewer, "login.html", status=401, next=target, values={"username": username}, error=message)
    for old in (viewer.request.cookies.get(sessions.SESSION_COOKIE), viewer.request.cookies.get(PENDING_COOKIE)):
        if old:  # a new sign-in never reuses a session id (session fixation)
            sessions.end(session, old)
    step = second_factor_step(user, policy=AccountPolicy.from_settings(viewer.settings))
    if step is None:
        return _signed_in(viewer, session, user, target)
    if step == "enrol":
        totp.start_enrolment(session, user)
    pending = sessions.start(
        session, user, settings=viewer.settings, user_agent=viewer.request.headers.get("user-agent"), pending_step=step
    )
    session.commit()
    response = redirect(viewer, f"{SECOND_STEP}?{urlencode({'next': target})}" if target else SECOND_STEP)
    _set_cookie(viewer, response, PENDING_COOKIE, pending, max_age=viewer.settings.login_pending_minutes * 60)
    return response


@router.get(SECOND_STEP)
def second_step_form(viewer: PageViewer, session: ReadSession, next: str = "") -> Response:
    found = sessions.pending(session, viewer.request.cookies.get(PENDING_COOKIE))
    if found is None:
        return redirect(viewer, "/dang-nhap")
    user, step = found
    return _second_step_page(viewer, user, step, target=safe_next(next, ""))


@router.post(SECOND_STEP)
def second_step(viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    """The code from the authenticator app (and, at enrolment, from the secret just shown)."""
    target = safe_next(form.get("next"), "")
    pending_token = viewer.request.cookies.get(PENDING_COOKIE)
    found = sessions.pending(session, pending_token)
    if found is None:
        return redirect(viewer, "/dang-nhap")
    user, step = found
    policy = AccountPolicy.from_settings(viewer.settings)
    code = forms.text(form, "code")
    try:
        if step == "enrol":
            totp.confirm_enrolment(session, user, code, policy=policy)
        else:
            totp.verify(session, user, code, policy=policy)
    except RateLimited as exc:
        page = _second_step_page(viewer, user, step, target=target, status=429, error=exc.message)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except NotAuthenticated:
        session.commit()  # the wrong code's attempt counts (abuse limit)
        error = viewer.t._("Wrong or already used code. Enter the current code from your app.")
        return _second_step_page(viewer, user, step, target=target, status=401, error=error)
    assert pending_token is not None
    sessions.end(session, pending_token)
    response = _signed_in(viewer, session, user, target)
    response.delete_cookie(PENDING_COOKIE, path="/dang-nhap")
    return response


def _second_step_page(
    viewer: Viewer, user: User, step: str, *, target: str, status: int = 200, error: str | None = None
) -> Response:
    enrolment = enrolment_view(user, viewer) if step == "enrol" else None
    return render(
        viewer, "login_totp.html", status=status, step=step, enrolment=enrolment, next=target, error=error, values={}
    )


def _signed_in(viewer: Viewer, session: Session, user: User, target: str) -> Response:
    """A brand-new session (its id rotates at every sign-in and after the second factor)."""
    ip = client_ip(viewer.request, viewer.settings.trusted_proxies)
    logins.succeeded(session, username=user.username, ip=ip, settings=viewer.settings)
    token = sessions.start(session, user, settings=viewer.settings, user_agent=viewer.request.headers.get("user-agent"))
    session.commit()
    viewer.user = user
    viewer.actor = actor_for(session, user)
    viewer.new_csrf_cookie = False
    response = redirect(viewer, target or home_of(viewer))
    _set_cookie(viewer, response, sessions.SESSION_COOKIE, token, max_age=viewer.settings.session_absolute_hours * 3600)
    return response


def _set_cookie(viewer: Viewer, response: Response, name: str, value: str, *, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=viewer.settings.environment == "production",
        max_age=max_age,
        path="/dang-nhap" if name == PENDING_COOKIE else "/",
    )


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
