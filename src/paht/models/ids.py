"""Ids of the rows created often and referenced by many indexes (reports, attachments): UUIDv7 (RFC 9562).

A random (version 4) id put each new report's rows at a random place in every index keyed by report id
(reports, events, sla_clocks, report_search, consents, statistics): at 1,000,000 reports every submission
read and rewrote a page of each of those indexes that was seldom in memory. A time-ordered id puts them
next to the previous report's (issue 7, W1 at 1 M in process: 5.7-6.2 -> 4.8-4.9 ms of CPU, 9.0-10.0 ->
6.7-6.9 ms of wall time per submission). The id shows when the row was created, which whoever can read
the id can already read. Python has `uuid.uuid7` from 3.14; until then the `uuid6` package makes them.
"""

from __future__ import annotations

import uuid

from uuid6 import uuid7


def new_id() -> uuid.UUID:
    """A new time-ordered id, as a plain `uuid.UUID` (the package returns a subclass of its own)."""
    return uuid.UUID(int=uuid7().int)


def id_at(milliseconds: int, random_bits: int) -> uuid.UUID:
    """The version 7 id of a row created `milliseconds` after 1970, its 74 other bits from `random_bits`
    (data made ahead of time, such as bench-data's, from a seeded generator). Laid out by hand: Python
    3.11's UUID takes versions 1-5 only."""
    value = milliseconds << 80 | 0x7 << 76 | (random_bits >> 62 & 0xFFF) << 64 | 0b10 << 62
    return uuid.UUID(int=value | random_bits & ((1 << 62) - 1))
