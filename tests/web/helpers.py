"""Driving the web pages with a TestClient as a browser would: cookies, CSRF tokens from the forms."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from paht.auth.service import token_digest
from paht.models import User, WebSession
from paht.web.auth import PENDING_COOKIE, SECOND_STEP
from tests.factories import PASSWORD, demo_totp_code

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NEXT = re.compile(r'name="next" value="([^"]*)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


class Browser:
    """One visitor: its own cookie jar, the CSRF token of the last page it read."""

    def __init__(self, app: Any, base_url: str = "http://testserver") -> None:
        self.app = app
        self.client = TestClient(app, base_url=base_url, follow_redirects=False)
        self.csrf = ""

    def get(self, url: str, **kwargs: Any) -> Response:
        response = self.client.get(url, **kwargs)
        if "text/html" in response.headers.get("content-type", "") and 'name="csrf_token"' in response.text:
            self.csrf = csrf_of(response.text)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any) -> Response:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        response = self.client.post(url, data=form, **kwargs)
        if "text/html" in response.headers.get("content-type", "") and 'name="csrf_token"' in response.text:
            self.csrf = csrf_of(response.text)
        return response

    def login(self, username: str, password: str = PASSWORD) -> Response:
        """Password, then (for demo accounts with the demo TOTP key) the code from the authenticator."""
        self.get("/dang-nhap")
        response = self.post("/dang-nhap", {"username": username, "password": password})
        assert response.status_code == 303, response.text
        if response.headers["location"].startswith("/dang-nhap/xac-thuc"):
            response = self.second_factor(response)
        return response

    def second_factor(self, response: Response) -> Response:
        page = self.follow(response)
        target = NEXT.search(page.text)
        with self.app.state.db.write() as session:
            user_name = session.scalar(
                select(User.username)
                .join(WebSession, WebSession.user_id == User.id)
                .where(WebSession.token_hash == token_digest(self.client.cookies.get(PENDING_COOKIE) or ""))
            )
            assert user_name is not None, "no sign-in waiting for its second factor"
            code = demo_totp_code(session, user_name)
        response = self.post(SECOND_STEP, {"code": code, "next": html.unescape(target.group(1)) if target else ""})
        assert response.status_code == 303, response.text
        return response

    def follow(self, response: Response) -> Response:
        assert response.status_code in (302, 303), (response.status_code, response.text[:500])
        return self.get(response.headers["location"])

    def close(self) -> None:
        self.client.close()
