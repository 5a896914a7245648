"""Turning a parsed query into an index lookup on each engine, with the user's text always bound.

The user's words reach the database only as bound parameter values, and inside those values only as
tokens of letters and digits that we quoted ourselves, so neither SQL nor the FTS5/tsquery syntax can
be injected. Both engines index the same pre-tokenised folded text (see `paht.search.text`).
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Engine,
    String,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.orm import Session, aliased

from paht.models import Report, ReportSearch
from paht.prepared import Prepared
from paht.queryhints import walk_threshold
from paht.search.counts import CountMemory
from paht.search.text import Term

Groups = tuple[tuple[Term, ...], ...]

# Probing row by row is tried from this many matches on (a small city) ...
COMMON = 2000
# ... and from sqrt(COMMON_SCALE × indexed reports) in a large one (see `collect_limit`).
COMMON_SCALE = 50
_FTS = table("report_search_fts", column("rowid"), column("report_search_fts"))


class Scope(StrEnum):
    staff = "staff"
    public = "public"


def fts5_expression(groups: Groups, scope: Scope) -> str:
    """`staff_folded : ("duong" + "nguyen" + "hu" *) AND …` — every token double-quoted."""

    def phrase(terms: tuple[Term, ...]) -> str:
        return " + ".join('"' + t.folded.replace('"', '""') + '"' + (" *" if t.prefix else "") for t in terms)

    return " AND ".join(f"{scope.value}_folded : ({phrase(g)})" for g in groups)


def tsquery_text(groups: Groups) -> str:
    """`'duong' <-> 'nguyen' <-> 'hu':* & …` — every token single-quoted and escaped."""

    def quoted(term: Term) -> str:
        body = term.folded.replace("\\", "\\\\").replace("'", "''")
        return f"'{body}'" + (":*" if term.prefix else "")

    return " & ".join("(" + " <-> ".join(quoted(t) for t in g) + ")" for g in groups)


def _words(value: str) -> BindParameter[str]:
    """The index expression as the named parameter `search_words`: a statement kept by shape
    (`paht.prepared.Shapes`) takes it anew at each search."""
    return bindparam("search_words", value, type_=String())


def _fts_match(groups: Groups, scope: Scope) -> ColumnElement[bool]:
    """`report_search_fts MATCH <expression>` (SQLite)."""
    return _FTS.c.report_search_fts.op("MATCH")(_words(fts5_expression(groups, scope)))


def _condition(dialect: str, groups: Groups, scope: Scope) -> ColumnElement[bool]:
    """Rows of `report_search` that match, answered from the index (FTS5 table / GIN)."""
    if dialect == "sqlite":
        rowids = select(_FTS.c.rowid).where(_fts_match(groups, scope))
        return ReportSearch.id.in_(rowids)
    if dialect == "postgresql":
        return _tsv_match(groups, scope)
    raise NotImplementedError(f"search is not available on {dialect}")


def _tsv_match(groups: Groups, scope: Scope, table_name: str = "report_search") -> ColumnElement[bool]:
    vector = literal_column(f"{table_name}.{scope.value}_tsv")
    return vector.op("@@")(func.to_tsquery(literal_column("'simple'::regconfig"), _words(tsquery_text(groups))))


def newest_matches(session: Session, groups: Groups, scope: Scope, cap: int) -> ColumnElement[bool]:
    """`Report.id` among the `cap` matches indexed last (≈ the newest): read straight off the index in
    reverse order, which both engines do without collecting every match of a common word."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        match = _fts_match(groups, scope)
        rowids = select(_FTS.c.rowid).where(match).order_by(_FTS.c.rowid.desc()).limit(cap)
        rows = select(ReportSearch.report_id).where(ReportSearch.id.in_(rowids))
    else:
        rows = (
            select(ReportSearch.report_id).where(_tsv_match(groups, scope)).order_by(ReportSearch.id.desc()).limit(cap)
        )
    return Report.id.in_(rows)


_PROBE = aliased(ReportSearch, name="search_probe")


def likeable(groups: Groups) -> bool:
    """Whether each group is a plain run of tokens, a prefix only as its last token (then LIKE is exact)."""
    return all(not term.prefix for group in groups for term in group[:-1])


def like_pattern(group: tuple[Term, ...]) -> str:
    """`% duong nguyen hu%` for a phrase in the stored folded text, ` `-padded: tokens are letters and
    digits only, so neither `%` nor `_` can come from the user."""
    return "% " + " ".join(t.folded for t in group) + ("%" if group[-1].prefix else " %")


def _probed(dialect: str, groups: Groups, scope: Scope) -> ColumnElement[bool]:
    """The current report's own index row matches (checked row by row, for lists walked newest first).

    On SQLite the row's stored folded text is matched with LIKE: an FTS5 MATCH restricted to one rowid
    still reads the phrase's whole doclists (~0.3 ms per row for three common street-name words, ~27 ms
    for a prefix), LIKE on the row ~9 µs including the lookups.
    """
    if dialect == "sqlite" and likeable(groups):
        space = literal_column("' '", String())  # in the SQL, not a parameter: kept statements name every one
        padded = space + getattr(_PROBE, f"{scope.value}_folded") + space
        patterns = [bindparam(name, value, type_=String()) for name, value in _like_values(groups).items()]
        return exists().where(_PROBE.report_id == Report.id, *(padded.like(p) for p in patterns))
    if dialect == "sqlite":
        match = _fts_match(groups, scope)
        row = exists().where(_FTS.c.rowid == _PROBE.id, match)
    else:
        row = _tsv_match(groups, scope, "search_probe")
    return exists().where(_PROBE.report_id == Report.id, row)


def _like_values(groups: Groups) -> dict[str, str]:
    return {f"search_like_{i}": like_pattern(group) for i, group in enumerate(groups)}


def collect_limit(indexed: int) -> int:
    """How many matches make a word common enough to probe row by row, among `indexed` reports.

    A page of 50 by probing walks ~50 / f reports for a word in a fraction f of them; collecting reads
    the f × N matches and sorts them. Both cost ~9 µs per row on SQLite at 1,000,000 reports, so they
    meet near f × N = sqrt(50 × N): 7,071 matches there (a street name in 1.2 % of reports: 25-37 ms
    probed, ~105 ms collected), and the old fixed 2,000 below 80,000 reports.
    """
    return walk_threshold(indexed, scale=COMMON_SCALE, floor=COMMON)


_INDEXED = Prepared(select(func.max(ReportSearch.id).label("indexed")))


def indexed_reports(source: Session | Connection) -> int:
    """The size of the search index, from its primary key (one index lookup, no count; on the driver's cursor,
    as every search asks)."""
    return _INDEXED.rows(source)[0].indexed or 0


@dataclass(frozen=True)
class Match:
    """How a search finds its reports: `condition()` on `Report`, whose values are the named `params`.

    Two matches of the same `shape` differ only in those values, so a statement built with one serves the other
    (`paht.prepared.Shapes`: the searched lists build and compile each shape once)."""

    dialect: str
    groups: Groups
    scope: Scope
    probed: bool

    @property
    def likes(self) -> bool:
        """Whether each row's folded text is tested with LIKE, a pattern per group (`_probed` on SQLite)."""
        return self.probed and self.dialect == "sqlite" and likeable(self.groups)

    @property
    def shape(self) -> Hashable:
        # The engines' statements differ, and LIKE takes a pattern per group.
        return self.dialect, self.scope.value, self.probed, len(self.groups) if self.likes else None

    @property
    def params(self) -> dict[str, Any]:
        if self.likes:
            return _like_values(self.groups)
        expression = fts5_expression(self.groups, self.scope) if self.dialect == "sqlite" else tsquery_text(self.groups)
        return {"search_words": expression}

    def condition(self) -> ColumnElement[bool]:
        if self.probed:
            return _probed(self.dialect, self.groups, self.scope)
        return Report.id.in_(select(ReportSearch.report_id).where(_condition(self.dialect, self.groups, self.scope)))


def report_match(source: Session | Connection, groups: Groups, scope: Scope) -> Match:
    """How the engine answers "matches" fastest for these words.

    Few matches (fewer than `collect_limit`), or a prefix: collect them from the index and keep those
    (`Report.id IN (…)`). Many: walk the list in its own order (newest first) and check each report's
    row, which stops as soon as the page is full — collecting 100,000 matches of a common word to show
    50 costs far more. A count from the index that reads at most `collect_limit` rows decides.
    """
    dialect = _dialect(source)
    prefix = any(term.prefix for group in groups for term in group)
    if prefix and not (dialect == "sqlite" and likeable(groups)):  # costly to test row by row otherwise
        return Match(dialect, groups, scope, probed=False)
    limit = collect_limit(indexed_reports(source))
    count = partial(_count_up_to, source, dialect, groups, scope)
    many = _remembered_counts(source).at_least(words_key(groups, scope), limit, count)
    return Match(dialect, groups, scope, probed=many)


def report_matches(source: Session | Connection, groups: Groups, scope: Scope) -> ColumnElement[bool]:
    """`report_match(…).condition()`: a condition on `Report` for "matches"."""
    return report_match(source, groups, scope).condition()


def _dialect(source: Session | Connection) -> str:
    return source.get_bind().dialect.name if isinstance(source, Session) else source.dialect.name


# One memory per engine: a database's counts never answer for another's (tests open many).
_COUNTS: weakref.WeakKeyDictionary[Engine, CountMemory] = weakref.WeakKeyDictionary()


def _remembered_counts(source: Session | Connection) -> CountMemory:
    bind = source.get_bind() if isinstance(source, Session) else source
    engine = bind if isinstance(bind, Engine) else bind.engine
    memory = _COUNTS.get(engine)
    if memory is None:
        memory = _COUNTS[engine] = CountMemory()
    return memory


def words_key(groups: Groups, scope: Scope) -> tuple:
    """What a count depends on: the folded words (NFD and NFC, "Huệ" and "hue" count alike) and the scope."""
    return scope.value, tuple(tuple((t.folded, t.prefix) for t in group) for group in groups)


def _count_up_to(source: Session | Connection, dialect: str, groups: Groups, scope: Scope, limit: int) -> int:
    """Matches in the index, counting stops at `limit`. On SQLite straight off the FTS5 table: through
    `report_search.id IN (…)` SQLite first gathered every match (35 ms for a word in 15 % of 1,000,000
    reports, 0.6 ms counted off FTS5)."""
    if dialect == "sqlite":
        rows = select(_FTS.c.rowid).where(_fts_match(groups, scope))
    else:
        rows = select(ReportSearch.id).where(_condition(dialect, groups, scope))
    return source.scalar(select(func.count()).select_from(rows.limit(limit).subquery())) or 0
