"""Human tracking codes: 'PA-' and eight Crockford base-32 characters (no I, L, O, U to misread)."""

from __future__ import annotations

import hashlib
import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "PA-"
_CODE = re.compile(r"^PA-?[0-9A-HJKMNP-TV-Z]{8}$")
_SEPARATORS = re.compile(r"[\s\-]")
_MISREAD = str.maketrans("ILO", "110")  # letters a citizen types for the digits they look like


def new_code() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(8))


def normalise_code(value: str) -> str | None:
    """Accept what a citizen types ('pa 7k3m 9qxz', 'PA-7K3M9QXZ'); None when it cannot be a code."""
    raw = _SEPARATORS.sub("", value.upper()).translate(_MISREAD)
    candidate = f"{PREFIX}{raw[2:]}" if raw.startswith("PA") else ""
    return candidate if _CODE.match(candidate) else None


def new_secret() -> tuple[str, str]:
    """A reporter's secret (returned once) and its digest (stored)."""
    token = secrets.token_urlsafe(24)
    return token, hashlib.sha256(token.encode()).hexdigest()


def secret_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
