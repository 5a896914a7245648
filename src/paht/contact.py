"""Normalising citizens' contact details: phone numbers to E.164 (Vietnam by default), e-mail addresses."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email


def normalise_phone(value: str) -> str:
    """'0912 345 678' → '+84912345678'; raises ValueError with a message a citizen can act on."""
    try:
        number = phonenumbers.parse(value, "VN")
    except phonenumbers.NumberParseException as exc:
        raise ValueError("số điện thoại không hợp lệ (invalid phone number)") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValueError("số điện thoại không hợp lệ (invalid phone number)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"địa chỉ email không hợp lệ (invalid e-mail address): {exc}") from exc
