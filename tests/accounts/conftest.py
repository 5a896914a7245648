"""The web tests' browser-like client (`browser("admin")` signs in, with the demo TOTP code when needed)."""

from tests.web.conftest import browser  # noqa: F401
