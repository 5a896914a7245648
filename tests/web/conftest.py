"""Fixtures for the web tests: a browser-like HTTP client per persona, and real Chromium sessions on a live server."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.web.helpers import Browser


@pytest.fixture
def browser(app) -> Iterator[Callable[[str | None], Browser]]:  # type: ignore[no-untyped-def]
    """`browser("ioc.operator")` signs in as that demo account; `browser(None)` is an anonymous visitor."""
    opened: list[Browser] = []

    def open_as(username: str | None = None) -> Browser:
        visitor = Browser(app)
        opened.append(visitor)
        if username:
            visitor.login(username)
        return visitor

    yield open_as
    for visitor in opened:
        visitor.close()


@pytest.fixture(scope="module")
def chromium():  # type: ignore[no-untyped-def]
    """One Chromium per test module: Playwright's event loop never outlives the browser tests."""
    from tests.web.browser import launch

    yield from launch()


@pytest.fixture
def live(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app on a real uvicorn server on a free loopback port."""
    from tests.live_server import serve

    with serve(app) as base:
        yield base


@pytest.fixture
def people(chromium, live, app, request):  # type: ignore[no-untyped-def]
    """`people("operator")` opens a fresh browser context; screenshots go to tests/artifacts/web/<test>/."""
    from tests.web.browser import open_session

    opened = []

    def open_(name: str, *, phone: bool = False):  # type: ignore[no-untyped-def]
        session = open_session(chromium, live, request.node.name.split("[")[0], phone=phone, db=app.state.db)
        opened.append(session)
        return session

    yield open_
    errors = [e for s in opened for e in s.errors]
    for session in opened:
        session.context.close()
    assert not errors, f"JavaScript errors in the pages: {errors}"
