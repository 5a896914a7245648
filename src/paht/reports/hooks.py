"""Work that must happen in the same transaction as every change to a report.

Capabilities that keep derived data (the search index, the statistics aggregates) register a dotted
path here; `after_change` calls each one with the change's event, in the change's transaction, so derived
data commits with the change or not at all. Listed explicitly, imported lazily: no import-time side effects.

A workflow step's event row is written before its hooks run (the statistics read the report's history back).
A new report's `created` event is not: intake writes it after the hooks, since on PostgreSQL writing it takes
the audit chain's lock until the commit (paht.audit.chain) and everything after it is done one submission at
a time. So for `created` a hook gets the event unsaved, without its id, and must not read it back.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module

from sqlalchemy.orm import Session

from paht.models import Event, Report

# "module:function" — each function takes (session, report, event) and must not commit.
HOOKS: tuple[str, ...] = (
    # Search, places and duplicate notices (issue 6): the area is placed first so later hooks can read it.
    "paht.places.service:place_on_intake",
    "paht.search.index:sync_report",
    "paht.dispatching.notify:tell_duplicate_reporter",
    # Statistics stay last: they read the report's area, which an earlier hook may place.
    "paht.stats.aggregates:on_report_change",
)

Hook = Callable[[Session, Report, Event], None]

# session.info key: {new report id: area id}, filled by the places hook for the statistics hook after it. The
# session holds a flushed object only weakly, so a place looked up in the identity map could be gone already.
NEW_REPORT_AREAS = "paht.new_report_areas"


@cache
def _resolve(path: str) -> Hook:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


def after_change(session: Session, report: Report, event: Event) -> None:
    for path in HOOKS:
        _resolve(path)(session, report, event)
