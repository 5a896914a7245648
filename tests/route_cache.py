"""FastAPI's route analysis, once per test process instead of once per test.

Every test builds its own app (its own database and settings), and FastAPI analyses each included route's
signature, dependencies and response model on the app's first request: about 0.2 s of CPU per test, a fifth
of the whole suite. The analysis depends only on the route and how its router is included, both the same
module-level objects in every app, so this plugin memoises it per (route, include). The one thing that
differs between apps, `dependency_overrides_provider`, only matters to apps with dependency overrides, and
those (none today) bypass the memo. Production builds each route once per process anyway.
"""

from __future__ import annotations

from typing import Any

from fastapi import routing

_build = routing._EffectiveRouteContext.from_api_route.__func__  # fails loudly if FastAPI renames it
_built: dict[tuple[Any, ...], Any] = {}


def _key(route: Any, include: Any) -> tuple[Any, ...]:
    # Routes compare by value and do not hash: key on identities, and keep the objects alive in the memo
    # (see _from_api_route) so that no identity is ever reused by another object.
    return (
        id(route),
        id(include.included_router),
        include.prefix,
        tuple(map(str, include.tags)),
        tuple(map(id, include.dependencies)),
        include.deprecated,
        include.include_in_schema,
    )


def _from_api_route(cls: Any, *, original_route: Any, include_context: Any) -> Any:
    if getattr(include_context.dependency_overrides_provider, "dependency_overrides", None):
        return _build(cls, original_route=original_route, include_context=include_context)
    key = _key(original_route, include_context)
    if key not in _built:
        built = _build(cls, original_route=original_route, include_context=include_context)
        _built[key] = (original_route, include_context.included_router, built)
    return _built[key][2]


routing._EffectiveRouteContext.from_api_route = classmethod(_from_api_route)  # type: ignore[method-assign]
