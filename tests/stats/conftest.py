from __future__ import annotations

import pytest
from sqlalchemy import select

from paht.models import Organization


@pytest.fixture
def world_orgs(db) -> dict[str, int]:
    with db.read() as session:
        return {o.code: o.id for o in session.scalars(select(Organization))}


# The web's fixtures: a browser-like client per persona, and Chromium on a live server.
from tests.web.conftest import browser, chromium, live, people  # noqa: E402, F401
