"""The security headers every response carries — API, pages, static files, errors — set in one place.

ASVS 5.0 row 20 of research/reliability-anchors.md: nosniff, a Referrer-Policy, a CSP without inline
scripts and with `frame-ancestors 'none'` (plus X-Frame-Options for old browsers), HSTS in production
only (a development server on plain http must stay reachable), and a charset on every text type.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from paht.config import Settings

HSTS = "max-age=31536000; includeSubDomains"
# Swagger UI and ReDoc (development only: off in production) load their code from a CDN with an inline
# bootstrap script; every other response gets the strict policy.
DOCS_PATHS = ("/docs", "/redoc")
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "font-src 'self' https://fonts.gstatic.com; "
    "worker-src blob:; frame-ancestors 'none'"
)
# Text types that need an explicit charset so that no browser guesses one (UTF-7 sniffing and friends).
TEXT_TYPES = (b"text/", b"application/json", b"application/javascript", b"application/xml")


def content_security_policy(settings: Settings) -> str:
    """The pages' policy: our own scripts and styles only (HTMX and Leaflet work without inline code)."""
    images = ["'self'", "data:", "blob:"]
    if settings.map_tiles_url:  # the optional base map's tile server
        parts = urlsplit(settings.map_tiles_url.replace("{s}", "*"))
        images.append(f"{parts.scheme}://{parts.netloc}")
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {' '.join(images)}; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'self'; object-src 'none'"
    )


def security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    """The fixed header set (besides the CSP, which depends on the path)."""
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if settings.environment == "production":
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


def with_charset(content_type: bytes) -> bytes:
    """`application/json` → `application/json; charset=utf-8`; binary types and explicit charsets unchanged."""
    lowered = content_type.lower()
    if b"charset=" in lowered or not lowered.startswith(TEXT_TYPES):
        return content_type
    return content_type + b"; charset=utf-8"


class HeaderSet:
    """The header set of one configuration, added to a response's raw headers in one pass: replacing any
    copy a route set itself (and any name in `owned`, which the caller adds after), with a charset on text
    types and each `set-cookie` value passed through `cookie`. Every response goes through this, the public
    report's (W2) among them: the names to drop are worked out once, not per response."""

    def __init__(self, fixed: list[tuple[bytes, bytes]], *, owned: tuple[bytes, ...] = ()) -> None:
        self.fixed = fixed
        self.dropped = frozenset({name for name, _ in fixed} | {b"content-security-policy", *owned})

    def applied(
        self, headers: list[tuple[bytes, bytes]], *, csp: bytes, cookie: Callable[[bytes], bytes]
    ) -> list[tuple[bytes, bytes]]:
        out = []
        for name, value in headers:
            lowered = name.lower()
            if lowered in self.dropped:
                continue
            if lowered == b"content-type":
                value = with_charset(value)
            elif lowered == b"set-cookie":
                value = cookie(value)
            out.append((name, value))
        out += self.fixed
        out.append((b"content-security-policy", csp))
        return out
