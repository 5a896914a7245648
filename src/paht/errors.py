"""Domain errors. Services raise these; the API maps each to one HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "error"

    def __init__(self, message: str, *, details: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"


# Issue 8 item 4 (staff accounts): the second factor of a login, each with its own machine code.
class TotpRequired(NotAuthenticated):
    code = "totp_required"


class TotpEnrolmentRequired(NotAuthenticated):
    code = "totp_enrolment_required"


class TotpInvalid(NotAuthenticated):
    code = "totp_invalid"


class NotPermitted(DomainError):
    status_code = 403
    code = "forbidden"


class InvalidTransition(DomainError):
    status_code = 409
    code = "invalid_transition"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class StaleVersion(DomainError):
    status_code = 412
    code = "stale_version"


class Invalid(DomainError):
    status_code = 422
    code = "invalid"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMedia(DomainError):
    status_code = 415
    code = "unsupported_media_type"


class BadRequest(DomainError):
    status_code = 400
    code = "bad_request"


class RateLimited(DomainError):
    """Too many requests from one device, account, address or sender; `retry_after` is in whole seconds."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, details: object | None = None) -> None:
        super().__init__(message, details=details)
        self.retry_after = max(1, retry_after)


# Issue 8 items 1 and 9 (crash safety, backups): refusals of the operations commands.
class UnsafeDatabase(DomainError):
    """The database would acknowledge writes it could lose on a crash (SQLite or PostgreSQL settings)."""

    status_code = 503
    code = "unsafe_database"


class BackupRefused(DomainError):
    """A backup file that is corrupt or does not match its manifest, or a restore target that is not empty."""

    status_code = 422
    code = "backup_refused"
