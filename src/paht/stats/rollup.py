"""Entry point for bulk loads (`paht bench-data`'s fillers): rebuild the statistics in one transaction."""

from __future__ import annotations

from paht.db import Database
from paht.stats.bulk import rebuild as rebuild_tables


def rebuild(db: Database) -> int:
    """Recompute every statistic from events and assignments; returns how many reports were counted."""
    with db.write() as session:
        return rebuild_tables(session)
