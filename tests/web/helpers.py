"""Driving the web pages with a TestClient as a browser would: cookies, CSRF tokens from the forms."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from tests.factories import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


class Browser:
    """One visitor: its own cookie jar, the CSRF token of the last page it read."""

    def __init__(self, app: Any, base_url: str = "http://testserver") -> None:
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
        self.get("/dang-nhap")
        response = self.post("/dang-nhap", {"username": username, "password": password})
        assert response.status_code == 303, response.text
        return response

    def follow(self, response: Response) -> Response:
        assert response.status_code in (302, 303), (response.status_code, response.text[:500])
        return self.get(response.headers["location"])

    def close(self) -> None:
        self.client.close()
