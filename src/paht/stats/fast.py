"""The public statistics' cached answers, served on the event loop (issue 7, W6: p99 at most 20 ms).

`GET /api/v1/public/stats` answers from `paht.stats.public_cache`, yet each hit still went through
FastAPI: route matching, the period and scope dependencies, a thread-pool round trip. Under load those
hops queue behind each other and behind the background thread that rebuilds an expired answer (it holds
the GIL for most of its ~100 ms at a million reports): p99 was 147 ms for a ~2 ms answer. This lean
answer (paht.fastpath, like `paht.publishing.fast`) answers a request in words the route resolved
within the cache window (`AnswerCache.remember`) with the cached bytes; anything else goes on to the
route, which stays the reference (validation, 404s, first answers, the OpenAPI document).
"""

from __future__ import annotations

from collections.abc import Hashable

from starlette.datastructures import State
from starlette.types import Scope

from paht.fastpath import language_of_scope, route_path

PATH = "/api/v1/public/stats"


def request_words(scope: Scope) -> Hashable:
    """What a request asks, before any parsing: the same words always resolve to the same question
    within one cache window."""
    return (route_path(scope), scope["query_string"], language_of_scope(scope))


class FastPublicStats:
    def __init__(self, state: State) -> None:
        self.state = state  # the application's: the route keeps the cache there

    async def answer(self, scope: Scope, path: str) -> bytes | None:
        if path != PATH:
            return None
        cache = getattr(self.state, "public_stats_cache", None)
        return cache.answer_for(request_words(scope)) if cache is not None else None
