"""Text hygiene: everything stored is NFC-normalised UTF-8 without control characters.

Both functions work through `str.translate` with a table filled the first time each character is seen:
per character in Python they were most of a submission's text handling and of generating test data
(8.6 million generator steps for 10,000 reports, issue 7). A character's entry depends on that character
alone, so the result is the same as the whole-string definition (tests/fuzz/test_text_properties.py).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

_ALLOWED_CONTROLS = {"\n", "\t"}
_TABLE_LIMIT = 65_536  # characters remembered per table; others are worked out on each use


class _Table(dict[int, "str | int | None"]):
    """A `str.translate` table that works out and remembers each character's entry on first sight."""

    def __init__(self, entry: Callable[[str], str | int | None]) -> None:
        super().__init__()
        self.entry = entry

    def __missing__(self, code: int) -> str | int | None:
        value = self.entry(chr(code))
        if len(self) < _TABLE_LIMIT:
            self[code] = value
        return value


def _kept(ch: str) -> int | None:
    """Control, format, surrogate and unassigned characters (category C*) go, except newline and tab."""
    return ord(ch) if ch in _ALLOWED_CONTROLS or unicodedata.category(ch)[0] != "C" else None


def _bare(ch: str) -> str:
    """The character without its diacritics (đ/Đ included)."""
    if ch in "đĐ":
        return "d" if ch == "đ" else "D"
    return "".join(part for part in unicodedata.normalize("NFD", ch) if not unicodedata.combining(part))


_CLEAN = _Table(_kept)
_FOLD = _Table(_bare)


def clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    return value.translate(_CLEAN).strip()


def fold(value: str) -> str:
    """Lower-case and strip diacritics (đ/Đ included) for accent-insensitive matching."""
    return value.translate(_FOLD).lower()
