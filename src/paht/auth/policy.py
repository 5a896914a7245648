"""The rules for staff accounts, taken from Settings once per request (services receive them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from paht.config import Settings

DEFAULT_TOTP_ROLES = frozenset({"admin", "ioc_operator", "ioc_editor"})


@dataclass(frozen=True)
class AccountPolicy:
    password_min_length: int = 14
    password_min_length_with_totp: int = 8
    password_max_length: int = 128
    totp_required_roles: frozenset[str] = DEFAULT_TOTP_ROLES
    totp_attempts: int = 5
    totp_attempt_window_seconds: int = 300

    @classmethod
    def from_settings(cls, settings: Settings) -> AccountPolicy:
        return cls(
            password_min_length=settings.password_min_length,
            password_min_length_with_totp=settings.password_min_length_with_totp,
            password_max_length=settings.password_max_length,
            totp_required_roles=frozenset(settings.totp_required_roles),
            totp_attempts=settings.totp_attempts,
            totp_attempt_window_seconds=settings.totp_attempt_window_seconds,
        )

    def totp_required(self, roles: Iterable[str]) -> bool:
        return bool(self.totp_required_roles & set(roles))

    def min_password_length(self, *, second_factor: bool) -> int:
        return self.password_min_length_with_totp if second_factor else self.password_min_length
