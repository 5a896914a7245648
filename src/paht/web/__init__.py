"""The web: staff consoles and the public portal, server-rendered (Jinja2 + HTMX) over the same services as the API."""

from __future__ import annotations

from fastapi import FastAPI

from paht.config import Settings
from paht.web.assets import mount_static
from paht.web.formatting import build_environment


def install(app: FastAPI, settings: Settings) -> None:
    """Mount the static files and include every web router (called by `paht.main.create_app`)."""
    from paht.web import account, admin, auth, body, console, editor, ioc, public, report_page

    app.state.web_templates = build_environment(settings)
    mount_static(app)
    for module in (auth, account, public, console, ioc, editor, body, report_page, admin):
        app.include_router(module.router)
