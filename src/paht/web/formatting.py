"""The Jinja environment of the web pages and its filters: local times, durations, labels."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from paht.config import Settings
from paht.web.labels import CHANNELS, ORG_KINDS, ROLES, STAGES
from paht.workflow.actions import LABELS as ACTION_LABELS
from paht.workflow.actions import Action
from paht.workflow.states import label as state_label

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def duration_text(seconds: float, ngettext) -> str:  # type: ignore[no-untyped-def]
    """'2 ngày 3 giờ', '3 giờ 5 phút', '12 phút' — two units at most, rounded down."""
    minutes = max(int(seconds // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(num)d day", "%(num)d days", days))
    if hours and len(parts) < 2:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", hours))
    if (mins or not parts) and len(parts) < 2 and not days:
        parts.append(ngettext("%(num)d minute", "%(num)d minutes", mins))
    return " ".join(parts)


def build_environment(settings: Settings) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    zone = ZoneInfo(settings.timezone)

    def localtime(value: datetime | None, pattern: str = "%d/%m/%Y %H:%M") -> str:
        return value.astimezone(zone).strftime(pattern) if value else ""

    @pass_context
    def duration(context: Context, start: datetime | None, end: datetime | None = None) -> str:
        if start is None or end is None:
            return ""
        return duration_text((end - start).total_seconds(), context["ngettext"])

    @pass_context
    def seconds(context: Context, value: float) -> str:
        return duration_text(value, context["ngettext"])

    @pass_context
    def state(context: Context, value: str) -> str:
        return state_label(value, context["lang"])

    @pass_context
    def action(context: Context, value: str) -> str:
        vi, en = ACTION_LABELS[Action(value)]
        return en if context["lang"] == "en" else vi

    def with_query(request: Request, **changes: object) -> str:
        """This page's URL with some query parameters changed (None removes one): for "more" links and filters."""
        params = dict(request.query_params)
        for name, value in changes.items():
            if value is None:
                params.pop(name, None)
            else:
                params[name] = str(value)
        return request.url.path + (f"?{urlencode(params)}" if params else "")

    env.globals.update(
        with_query=with_query, CHANNELS=CHANNELS, STAGES=STAGES, ROLES=ROLES, ORG_KINDS=ORG_KINDS, Action=Action
    )
    env.filters.update(
        localtime=localtime,
        iso=lambda value: value.isoformat() if value else "",
        duration=duration,
        seconds=seconds,
        state=state,
        action=action,
    )
    return env
