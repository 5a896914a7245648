"""A short-lived cache of the public statistics' answers (issue 7, W6).

The public figures are sums over maintained rows, and at a million reports one answer costs ~100 ms of
CPU (every body's counters and histograms over the period). Anyone can ask, as often as they like, and
the figures move by a few reports a minute: each distinct question (period, filters, grouping, language)
is answered from the database at most once per `PAHT_PUBLIC_STATS_CACHE_SECONDS` (30 by default; 0
turns the cache off) and served as the same JSON bytes meanwhile. Staff dashboards are never cached.

When an answer has expired, the next asker still gets it at once while one background thread builds the
new one (for up to another window; after that, the asker waits for a fresh answer). Otherwise every
asker in the ~100 ms a rebuild takes waited for it: the 1 % slowest answers took 270 ms at 1 M reports.
So a published figure is at most two windows old. The first askers of a question wait for one answer
(at 1 M reports 32 of them each built their own: 7 s of CPU before the first was served).

A request asked in the same words as one the route answered within the window (`remember`) is answered
from here by `paht.stats.fast` on the event loop, before FastAPI: no routing, no dependencies, no thread
hop. Once that window has passed the route resolves the words again (a period such as `month` ends
today, so the same words name a new question after midnight).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

MAX_ENTRIES = 512
log = logging.getLogger(__name__)


def _in_a_thread(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="paht-public-stats-refresh", daemon=True).start()


class AnswerCache:
    def __init__(
        self,
        seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        spawn: Callable[[Callable[[], None]], None] = _in_a_thread,
    ) -> None:
        self.seconds = seconds
        self.clock = clock
        self.spawn = spawn
        self._entries: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self._refreshing: set[Hashable] = set()
        self._building: dict[Hashable, threading.Lock] = {}
        self._refreshers: dict[Hashable, Callable[[], bytes]] = {}
        # The words of a request (path, query, language) -> (until when, the question they resolved to).
        self._words: OrderedDict[Hashable, tuple[float, Hashable]] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_build(
        self, key: Hashable, build: Callable[[], bytes], refresh: Callable[[], bytes] | None = None
    ) -> bytes:
        """The answer to `key`: cached, cached while `refresh` builds a fresh one in a thread (it must not
        use the caller's request, which may have ended by then), or built now by `build`. Askers who
        arrive while an answer is built now wait for that one instead of building it again."""
        if self.seconds <= 0:
            return build()
        found = self._lookup(key, refresh or build)
        if found is not None:
            return found
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            found = self._lookup(key, refresh or build)  # built meanwhile by the asker before this one
            if found is not None:
                return found
            answer = build()
            self._store(key, answer, self.clock())
            return answer

    def remember(self, words: Hashable, key: Hashable, refresh: Callable[[], bytes]) -> None:
        """Record that a request in these words asked question `key` (answered with `refresh` hereafter)."""
        if self.seconds <= 0:
            return
        with self._lock:
            self._words[words] = (self.clock() + self.seconds, key)
            self._words.move_to_end(words)
            while len(self._words) > MAX_ENTRIES:  # anyone can vary the words: the map stays bounded
                self._words.popitem(last=False)
            self._refreshers[key] = refresh

    def answer_for(self, words: Hashable) -> bytes | None:
        """The cached answer to a request in words the route resolved within the window; None: ask the route."""
        if self.seconds <= 0:
            return None
        with self._lock:
            found = self._words.get(words)
            if found is None or self.clock() >= found[0]:
                return None
            refresh = self._refreshers.get(found[1])
        return self._lookup(found[1], refresh) if refresh is not None else None

    def _lookup(self, key: Hashable, refresh: Callable[[], bytes]) -> bytes | None:
        now = self.clock()
        with self._lock:
            found = self._entries.get(key)
            if found is None or now >= found[0] + self.seconds:
                return None
            self._entries.move_to_end(key)
            if now >= found[0] and key not in self._refreshing:
                self._refreshing.add(key)
                self.spawn(lambda: self._refresh(key, refresh))
            return found[1]

    def _refresh(self, key: Hashable, build: Callable[[], bytes]) -> None:
        try:
            self._store(key, build(), self.clock())
        except Exception:  # the stale answer stays; once it is too old an asker builds and sees the error
            log.exception("public statistics: refreshing a cached answer failed")
        finally:
            with self._lock:
                self._refreshing.discard(key)

    def _store(self, key: Hashable, answer: bytes, built_at: float) -> None:
        with self._lock:
            self._entries[key] = (built_at + self.seconds, answer)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                oldest, _ = self._entries.popitem(last=False)
                self._building.pop(oldest, None)
                self._refreshers.pop(oldest, None)
