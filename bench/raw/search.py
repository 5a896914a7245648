"""Search in the raw app (W4): the same index, the same plan as `paht.search`, plain SQL.

The query text is parsed and turned into an FTS5 expression / tsquery by PAHT's own pure functions
(`paht.search.text.parse`, `paht.search.engine`), so both apps look up exactly the same thing; the
plan follows `engine.report_matches`: a bounded count decides between collecting the few matches from
the index and probing each row of the list (the count remembered for a while by PAHT's own
`paht.search.counts`); `queries.searched_page` falls back from the phrase to each word.
"""

from __future__ import annotations

import base64
import weakref
from collections.abc import Callable
from typing import Any

from bench.raw import reads, shapes
from bench.raw.auth import Caller, visibility
from bench.raw.db import Dialect, Store
from paht.search.counts import CountMemory
from paht.search.engine import Scope, collect_limit, fts5_expression, like_pattern, likeable, tsquery_text, words_key
from paht.search.text import parse

MAX_QUERY_LENGTH = 200
Groups = Any
_COUNTS: weakref.WeakKeyDictionary[Store, CountMemory] = weakref.WeakKeyDictionary()


def _index_match(d: Dialect, groups: Groups, scope: Scope) -> tuple[str, tuple]:
    """Rows of report_search (alias s) that match, answered from the index."""
    if d.sqlite:
        sql = "s.id IN (SELECT rowid FROM report_search_fts WHERE report_search_fts MATCH ?)"
        return sql, (fts5_expression(groups, scope),)
    return f"s.{scope.value}_tsv @@ to_tsquery('simple'::regconfig, ?)", (tsquery_text(groups),)


def _row_probe(d: Dialect, groups: Groups, scope: Scope) -> tuple[str, tuple]:
    if d.sqlite and likeable(groups):
        padded = f"' ' || s.{scope.value}_folded || ' '"
        return " AND ".join(f"{padded} LIKE ?" for _ in groups), tuple(like_pattern(g) for g in groups)
    if d.sqlite:
        sql = "EXISTS (SELECT 1 FROM report_search_fts f WHERE f.rowid = s.id AND f.report_search_fts MATCH ?)"
        return sql, (fts5_expression(groups, scope),)
    return _index_match(d, groups, scope)


def _matches(store: Store, groups: Groups, scope: Scope) -> tuple[str, tuple]:
    """A condition on reports (alias r): IN (the few matches), or EXISTS per row when they are many."""
    d = store.dialect
    condition, params = _index_match(d, groups, scope)
    collected = f"r.id IN (SELECT s.report_id FROM report_search s WHERE {condition})", params
    if any(t.prefix for g in groups for t in g) and not (d.sqlite and likeable(groups)):
        return collected
    limit = collect_limit(store.indexed_reports())
    counted = (  # paht.search.engine._count_up_to: straight off FTS5 on SQLite
        "SELECT rowid FROM report_search_fts WHERE report_search_fts MATCH ?"
        if d.sqlite
        else f"SELECT s.id FROM report_search s WHERE {condition}"
    )

    def count(up_to: int) -> int:
        found = store.read_one(f"SELECT count(*) FROM ({counted} LIMIT {up_to}) x", params)
        return found[0] if found is not None else 0

    memory = _COUNTS.get(store) or _COUNTS.setdefault(store, CountMemory())
    if not memory.at_least(words_key(groups, scope), limit, count):
        return collected
    probe, probe_params = _row_probe(d, groups, scope)
    return f"EXISTS (SELECT 1 FROM report_search s WHERE s.report_id = r.id AND {probe})", probe_params


def searched(
    store: Store, q: str, scope: Scope, base: str, params: tuple, page: Callable[[str, tuple], list]
) -> list | None:
    """`page(base AND <matches q>)`: the phrase's page, or each word's when that first page is empty
    (`paht.search.queries.searched_page`; the benchmark's lists have no cursor). None: no words in q."""
    query = parse(q)
    if query.empty or len(q) > MAX_QUERY_LENGTH:
        return None
    condition, extra = _matches(store, query.strict(), scope)
    rows = page(f"{base} AND {condition}", params + extra)
    if rows or not query.can_relax:
        return rows
    condition, extra = _matches(store, query.relaxed(), scope)
    return page(f"{base} AND {condition}", params + extra)


def public_list(store: Store, query: dict[str, list[str]]) -> reads.Response:
    """GET /api/v1/public/reports?q=…: PublicReportPage, newest published first."""
    limit = int(query.get("limit", ["50"])[0])
    if not 1 <= limit <= 200:
        return 422, {"detail": "invalid limit", "code": "invalid"}
    hint = "+" if store.dialect.sqlite else ""  # paht.queryhints.unindexed, as in publishing.queries
    rows = searched(
        store,
        query["q"][0],
        Scope.public,
        f"{hint}r.state = 'published'",
        (),
        lambda where, params: store.read(
            f"SELECT r.code FROM reports r WHERE {where} ORDER BY r.published_at DESC, r.id DESC LIMIT ?",
            (*params, limit + 1),
        ),
    )
    if rows is None:
        return 422, {"detail": "q: cần ít nhất một từ", "code": "invalid"}
    items = [reads.public_report(store, code)[1] for (code,) in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = store.read_one("SELECT published_at, id FROM reports WHERE code = ?", (rows[limit - 1][0],))
        assert last is not None
        at = store.dialect.ts_value(last[0])
        assert at is not None
        raw = f'["{at.isoformat()}", "{store.dialect.uid_out(last[1])}"]'.encode()
        next_cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return 200, {"items": items, "next_cursor": next_cursor}


def staff_list(store: Store, who: Caller, query: dict[str, list[str]]) -> reads.Response:
    """GET /api/v1/reports?q=…: ReportPage of the caller's visible reports, newest first."""
    limit = int(query.get("limit", ["50"])[0])
    if not 1 <= limit <= 200:
        return 422, {"detail": "invalid limit", "code": "invalid"}
    base, params = visibility(who)
    rows = searched(
        store,
        query["q"][0],
        Scope.staff,
        base,
        params,
        lambda where, values: store.read(
            f"SELECT {shapes.REPORT_SELECT} FROM reports r WHERE {where} ORDER BY r.created_at DESC, r.id DESC LIMIT ?",
            (*values, limit + 1),
        ),
    )
    if rows is None:
        return 422, {"detail": "q: cần ít nhất một từ", "code": "invalid"}
    page = rows[:limit]
    d = store.dialect
    next_cursor = shapes.cursor(d, page[-1][21], page[-1][0]) if len(rows) > limit else None
    return 200, {"items": [shapes.report(d, row) for row in page], "next_cursor": next_cursor}
