"""The signed-in user's own account: change the password, set up the TOTP second factor."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from paht.auth import totp
from paht.auth.policy import AccountPolicy
from paht.auth.service import change_password
from paht.deps import ReadSession, WriteSession
from paht.errors import DomainError, RateLimited
from paht.models import User
from paht.web import forms, sessions
from paht.web.context import Form, PageViewer, Viewer, redirect, render
from paht.web.routing import web_router

router = web_router(prefix="/tai-khoan")


def enrolment_view(user: User, viewer: Viewer) -> dict[str, Any] | None:
    """The secret being set up, as text and as a QR code for the authenticator app (shown only while pending)."""
    if not user.totp_pending_secret:
        return None
    uri = totp.provisioning_uri(user.totp_pending_secret, username=user.username, issuer=viewer.settings.totp_issuer)
    # segno draws the QR code from the URI as <path> elements: no user text reaches the markup unescaped.
    return {"secret": user.totp_pending_secret, "qr": Markup(totp.qr_svg(uri)), "uri": uri}  # noqa: S704  # nosec B704


def _user(session: Session, viewer: Viewer) -> User:
    viewer.require()
    user = session.get(User, viewer.actor.user_id)
    assert user is not None
    return user


def _page(viewer: Viewer, user: User, *, status: int = 200, **values: Any) -> Response:
    policy = AccountPolicy.from_settings(viewer.settings)
    values.setdefault("errors", {})
    return render(
        viewer,
        "account.html",
        status=status,
        account=user,
        totp_required=policy.totp_required(user.role_names),
        min_length=policy.min_password_length(second_factor=user.has_totp or policy.totp_required(user.role_names)),
        max_length=policy.password_max_length,
        enrolment=enrolment_view(user, viewer),
        values={},
        **values,
    )


@router.get("")
def account(viewer: PageViewer, session: ReadSession, done: str | None = None) -> Response:
    return _page(viewer, _user(session, viewer), done=done)


@router.post("/mat-khau")
def password(viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    """A new password ends every sign-in, this one included; the user gets a fresh session."""
    user = _user(session, viewer)
    policy = AccountPolicy.from_settings(viewer.settings)
    try:
        change_password(
            session, user, current=str(form.get("current") or ""), new=str(form.get("new") or ""), policy=policy
        )
        token = sessions.start(
            session, user, settings=viewer.settings, user_agent=viewer.request.headers.get("user-agent")
        )
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _page(viewer, _user(session, viewer), status=exc.status_code, errors={"password": exc.message})
    response = redirect(viewer, "/tai-khoan?done=password")
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


@router.post("/xac-thuc")
def totp_start(viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    user = _user(session, viewer)
    totp.start_enrolment(session, user)
    session.commit()
    return _page(viewer, user)


@router.post("/xac-thuc/xac-nhan")
def totp_confirm(viewer: PageViewer, form: Form, session: WriteSession) -> Response:
    user = _user(session, viewer)
    try:
        totp.confirm_enrolment(
            session, user, forms.text(form, "code"), policy=AccountPolicy.from_settings(viewer.settings)
        )
    except RateLimited as exc:
        page = _page(viewer, user, status=429, errors={"code": exc.message})
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except DomainError:
        session.commit()  # the wrong code's attempt counts (abuse limit)
        error = viewer.t._("Wrong or already used code. Enter the current code from your app.")
        return _page(viewer, user, status=401, errors={"code": error})
    session.commit()
    return redirect(viewer, "/tai-khoan?done=totp")
