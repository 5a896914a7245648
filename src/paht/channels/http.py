"""Outbound HTTP for the chat providers: one place for timeouts and for sorting failures into
transient (retry later) and permanent (stop and show an administrator)."""

from __future__ import annotations

from typing import Any

import httpx

from paht.channels.base import ChannelError


def post_json(
    url: str,
    *,
    json: dict[str, Any],
    timeout: float,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    """POST a JSON body; returns (HTTP status, JSON answer). Network trouble is transient."""
    try:
        response = httpx.post(url, json=json, params=params, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:  # refused, reset, timed out: the provider is down or unreachable
        raise ChannelError(f"{type(exc).__name__}: {exc}", permanent=False) from exc
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code >= 500 or response.status_code == 429:
        raise ChannelError(f"HTTP {response.status_code}", permanent=False)
    return response.status_code, answer if isinstance(answer, dict) else {}
