"""Vietnamese text as the search index sees it: tokens, diacritic folding and canonical tone placement.

One Python definition serves both databases (research/performance-anchors.md §4.2): the stored texts
are already tokenised into space-separated runs of letters and digits, so SQLite's FTS5 `unicode61`
tokenizer and PostgreSQL's `simple` parser split them identically, and the two return the same rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from paht.text import fold

# Letters and digits only: FTS5 unicode61 and the PostgreSQL parser both break on everything else.
_TOKEN = re.compile(r"[^\W_]+")
# The five Vietnamese tone marks (huyền, sắc, ngã, hỏi, nặng) as combining characters.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Open syllables whose tone is written on either vowel: old style hòa/khỏe/thủy, new style hoà/khoẻ/thuỷ.
_MOVABLE_ENDINGS = ("oa", "oe", "uy")
MIN_PREFIX = 2


def tokens(value: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", value).lower())


@lru_cache(maxsize=65_536)  # a language's syllables, a few thousand: indexing a report asks ~190 times
def canonical_tone(token: str) -> str:
    """Put the tone of an open oa/oe/uy syllable on its last vowel, so 'hòa' and 'hoà' are the same word."""
    decomposed = unicodedata.normalize("NFD", token)
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) != 1:
        return token
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    if not bare.endswith(_MOVABLE_ENDINGS):
        return token
    return unicodedata.normalize("NFC", bare + tones[0])


def raw_tokens(value: str) -> list[str]:
    """Lower-case tokens that keep their diacritics (tone placement made canonical)."""
    return [canonical_tone(token) for token in tokens(value)]


def folded_tokens(value: str) -> list[str]:
    """Tokens without any diacritic: đ→d, NFD input and both tone placements all meet here."""
    return _TOKEN.findall(fold(unicodedata.normalize("NFC", value)))


def indexed(parts: list[str | None]) -> tuple[str, str]:
    """The (raw, folded) texts stored for a document made of `parts`."""
    text = "\n".join(part for part in parts if part)
    return " ".join(raw_tokens(text)), " ".join(folded_tokens(text))


@dataclass(frozen=True)
class Term:
    raw: str
    folded: str
    prefix: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """What the user typed, tokenised. Never spliced into SQL: the engines get it through builders.

    `phrases` are the quoted parts (each must appear as written, in order); `words` are the unquoted
    ones, each a small group of tokens that came from one whitespace-separated word ("PA-7K3M9QXZ").
    """

    phrases: tuple[tuple[Term, ...], ...]
    words: tuple[tuple[Term, ...], ...]

    @property
    def empty(self) -> bool:
        return not self.phrases and not self.words

    def strict(self) -> tuple[tuple[Term, ...], ...]:
        """Quoted phrases, and all unquoted words together as one more phrase (the default match)."""
        loose = tuple(term for word in self.words for term in word)
        return self.phrases + ((loose,) if loose else ())

    def relaxed(self) -> tuple[tuple[Term, ...], ...]:
        """Quoted phrases, and each unquoted word on its own (the fallback when the phrase finds nothing)."""
        return self.phrases + self.words

    @property
    def can_relax(self) -> bool:
        return len(self.words) > 1

    def raw_sequences(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(t.raw for t in group) for group in self.strict())


def _terms(text: str) -> tuple[Term, ...]:
    star = text.endswith("*")
    raw = raw_tokens(text)
    folded = folded_tokens(text)
    if len(raw) != len(folded):  # a character that folds to nothing or to two tokens: keep what folds
        raw = folded
    terms = [Term(r, f) for r, f in zip(raw, folded, strict=True)]
    if star and terms and len(terms[-1].folded) >= MIN_PREFIX:
        terms[-1] = Term(terms[-1].raw, terms[-1].folded, prefix=True)
    return tuple(terms)


def parse(value: str) -> SearchQuery:
    """Quoted parts are phrases; a trailing `*` on a word makes its last token a prefix (≥ 2 letters)."""
    value = unicodedata.normalize("NFC", value)
    phrases: list[tuple[Term, ...]] = []
    words: list[tuple[Term, ...]] = []
    for index, segment in enumerate(value.split('"')):
        if index % 2:  # inside quotes
            terms = tuple(term for word in segment.split() for term in _terms(word))
            if terms:
                phrases.append(terms)
        else:
            words.extend(terms for word in segment.split() if (terms := _terms(word)))
    return SearchQuery(tuple(phrases), tuple(words))
