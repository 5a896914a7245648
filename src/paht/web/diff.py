"""Word-level differences between two texts, as HTML with <del> and <ins> (everything else escaped)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from markupsafe import Markup, escape

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(before: str | None, after: str | None) -> Markup:
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    parts: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(str(escape("".join(old[i1:i2]))))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(old[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(new[j1:j2]))}</ins>")
    # Every piece above is escaped.
    return Markup("".join(parts))  # noqa: S704  # nosec B704


def differs(before: str | None, after: str | None) -> bool:
    return (before or "").strip() != (after or "").strip()
