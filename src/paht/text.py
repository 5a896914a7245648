"""Text hygiene: everything stored is NFC-normalised UTF-8 without control characters."""

from __future__ import annotations

import unicodedata

_ALLOWED_CONTROLS = {"\n", "\t"}


def clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = "".join(ch for ch in value if ch in _ALLOWED_CONTROLS or unicodedata.category(ch)[0] != "C")
    return value.strip()


def fold(value: str) -> str:
    """Lower-case and strip diacritics (đ/Đ included) for accent-insensitive matching."""
    value = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in value if not unicodedata.combining(ch)).lower()
