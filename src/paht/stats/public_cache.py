"""A short-lived cache of the public statistics' answers (issue 7, W6).

The public figures are sums over maintained rows, and at a million reports one answer costs ~100 ms of
CPU (every body's counters and histograms over the period). Anyone can ask, as often as they like, and
the figures move by a few reports a minute: each distinct question (period, filters, grouping, language)
is answered from the database at most once per `PAHT_PUBLIC_STATS_CACHE_SECONDS` (30 by default; 0
turns the cache off) and served as the same JSON bytes meanwhile. Staff dashboards are never cached.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

MAX_ENTRIES = 512


class AnswerCache:
    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], bytes]) -> bytes:
        if self.seconds <= 0:
            return build()
        now = self.clock()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] > now:
                self._entries.move_to_end(key)
                return found[1]
        answer = build()  # outside the lock: two first askers may both build; both get a right answer
        with self._lock:
            self._entries[key] = (now + self.seconds, answer)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return answer
