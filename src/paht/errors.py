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
