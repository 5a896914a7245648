"""Headers, cookies, CORS and error answers come from the middleware, not the database: SQLite only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def database_url(templates: dict[str, str], tmp_path: Path) -> str:
    target = tmp_path / "paht.sqlite3"
    shutil.copyfile(templates["sqlite"], target)
    return f"sqlite:///{target}"
