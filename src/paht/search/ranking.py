"""Relevance order, computed here rather than by bm25/ts_rank so that both databases agree exactly.

Ranking runs over the newest `cap` matches only (research: ranking costs ~1–2 µs per match in either
engine, so uncapped ranking of a common word would cost a tenth of a second). Order: documents that
contain the query with its exact diacritics first, then those that contain it as a phrase once folded,
then by how densely the words occur, then newest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from paht.search.text import SearchQuery, Term


@dataclass(frozen=True)
class Candidate:
    key: object
    at: datetime
    raw: str
    folded: str


def _matches(token: str, term: str, prefix: bool) -> bool:
    return token.startswith(term) if prefix else token == term


def _occurrences(tokens: list[str], terms: tuple[Term, ...], *, raw: bool) -> int:
    """How many times the terms occur in a row."""
    wanted = [(t.raw if raw else t.folded, t.prefix) for t in terms]
    if not wanted:
        return 0
    width = len(wanted)
    return sum(
        1
        for start in range(len(tokens) - width + 1)
        if all(_matches(tokens[start + i], term, prefix) for i, (term, prefix) in enumerate(wanted))
    )


def score(query: SearchQuery, candidate: Candidate) -> tuple[int, int, float]:
    groups = query.strict()
    raw_tokens, folded_tokens = candidate.raw.split(), candidate.folded.split()
    exact = all(_occurrences(raw_tokens, g, raw=True) for g in groups)
    phrase = [_occurrences(folded_tokens, g, raw=False) for g in groups]
    words = sum(_occurrences(folded_tokens, (t,), raw=False) for g in groups for t in g)
    density = (sum(phrase) * 4 + words) / math.sqrt(len(folded_tokens) + 1)
    return int(exact), int(all(phrase)), round(density, 9)


def rank(query: SearchQuery, candidates: list[Candidate]) -> list[Candidate]:
    """Best first; ties go to the newest (then to the key, so the order is total and repeatable)."""
    newest_first = sorted(candidates, key=lambda c: (c.at, str(c.key)), reverse=True)
    return sorted(newest_first, key=lambda c: score(query, c), reverse=True)
