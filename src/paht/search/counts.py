"""Bounded match counts, remembered for a few minutes: which plan a search takes (issue 7, W4).

Before a search, `paht.search.engine.report_matches` counts its matches in the index, stopping at
`collect_limit`, to choose between collecting the few matches and probing each row of the list. On
PostgreSQL at 100,000 reports that count was 63 % of the database time of the benchmark's searches: a
phrase of two common words ("Nguyễn Huệ", "Đống Đa") rechecks thousands of index rows before it stops.
Residents search the same street names over and over, and the count only decides how the answer is
found, never what it is (both plans return the same reports), so a count is kept for `SECONDS` and
reused by later searches for the same words. A count that is out of date costs speed, never a wrong
answer: the plan it picks is slower for at most `SECONDS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

SECONDS = 300.0
# Enough for every street and ward name of a city in both scopes; past it the memory starts again.
ENTRIES = 4096


@dataclass(frozen=True)
class _Counted:
    found: int  # matches counted, at most `limit`
    limit: int  # where the count stopped
    until: float


class CountMemory:
    def __init__(
        self, *, seconds: float = SECONDS, entries: int = ENTRIES, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds, self.entries, self.clock = seconds, entries, clock
        self._counted: dict[Hashable, _Counted] = {}

    def at_least(self, key: Hashable, limit: int, count: Callable[[int], int]) -> bool:
        """Whether the words `key` have at least `limit` matches; `count(limit)` counts them, stopping at
        `limit`, when no remembered count answers the question."""
        now = self.clock()
        known = self._counted.get(key)
        if known is not None and known.until > now:
            if known.found >= limit:  # a count that stopped at an earlier limit still reached this one
                return True
            if known.found < known.limit:  # the exact number of matches, fewer than this limit too
                return False
            # It stopped at a lower limit than this one: how many more there are is not known.
        found = count(limit)
        if len(self._counted) >= self.entries:
            self._counted.clear()
        self._counted[key] = _Counted(found, limit, now + self.seconds)
        return found >= limit
