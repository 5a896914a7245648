"""Password hashing with Argon2id (argon2-cffi defaults follow RFC 9106) and the staff password policy.

Passwords are NFC-normalised before hashing and checking: Vietnamese typed on different keyboards
(precomposed "ệ" or "e" + combining marks) must give the same password (ASVS 6.2.x, NIST 800-63B 5.1.1.2).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from paht.auth.policy import AccountPolicy
from paht.errors import Invalid
from paht.text import fold

# Vietnamese favourites that the English-language list lacks.
VIETNAMESE_COMMON = (
    "matkhau",
    "matkhau123",
    "matkhau@123",
    "anhyeuem",
    "emyeuanh",
    "anhyeuem123",
    "yeuem",
    "vietnam",
    "vietnam123",
    "hanoi123",
    "saigon123",
    "hue123456",
    "123456789a",
    "a123456789",
    "12345678a",
    "admin123",
    "admin@123",
    "abc@123",
    "qwerty123",
)


def normalized(password: str) -> str:
    return unicodedata.normalize("NFC", password)


@lru_cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(normalized(password))


def verify_password(password_hash: str, password: str) -> bool:
    # Hashes made before normalisation was introduced may hold the password exactly as typed.
    candidates = dict.fromkeys((normalized(password), password))
    for candidate in candidates:
        try:
            if _hasher().verify(password_hash, candidate):
                return True
        except (VerificationError, InvalidHashError):
            continue
    return False


# A verification against this hash takes as long as a real one, so unknown usernames are not revealed by timing.
_DUMMY_HASH = None


def burn_time(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not-a-real-password")
    verify_password(_DUMMY_HASH, password)


@lru_cache
def common_passwords() -> frozenset[str]:
    """zxcvbn's 30,000 most frequent leaked passwords (lower case) plus Vietnamese favourites."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | frozenset(VIETNAMESE_COMMON)


def _is_common(password: str) -> bool:
    lowered = password.lower()
    common = common_passwords()
    # "Password123!" is as guessable as "password": also try without trailing digits and symbols.
    stem = lowered.rstrip("0123456789!@#$%^&*.?_-")
    return lowered in common or fold(lowered) in common or (len(stem) >= 4 and stem in common)


def _letters_and_digits(value: str) -> str:
    return "".join(ch for ch in fold(value) if ch.isalnum())


def _contains_own_name(password: str, personal: Iterable[str]) -> bool:
    """ "sxd.handler2026" or "NguyenVanAn!" for sxd.handler / Nguyễn Văn An (case, accents, punctuation ignored)."""
    folded = _letters_and_digits(password)
    for value in personal:
        name = _letters_and_digits(value)
        if len(name) >= 4 and (name in folded or folded in name):
            return True
    return False


def check_password(password: str, *, policy: AccountPolicy, second_factor: bool, personal: Iterable[str] = ()) -> str:
    """The NFC-normalised password, or Invalid naming the first rule it breaks.

    `second_factor`: the account has (or must have) TOTP, so 8 characters are enough; otherwise 14.
    `personal`: the username and full name, which must not make up the password.
    """
    password = normalized(password)
    minimum = policy.min_password_length(second_factor=second_factor)
    if len(password) < minimum:
        raise Invalid(
            f"Mật khẩu cần ít nhất {minimum} ký tự (the password needs at least {minimum} characters).",
            details={"rule": "min_length", "min_length": minimum},
        )
    if len(password) > policy.password_max_length:
        maximum = policy.password_max_length
        raise Invalid(
            f"Mật khẩu dài tối đa {maximum} ký tự (the password may have at most {maximum} characters).",
            details={"rule": "max_length", "max_length": maximum},
        )
    if _is_common(password):
        raise Invalid(
            "Mật khẩu này quá phổ biến, dễ bị đoán (this password is on the list of common passwords).",
            details={"rule": "common"},
        )
    if _contains_own_name(password, personal):
        raise Invalid(
            "Mật khẩu không được chứa tên đăng nhập hoặc họ tên (the password must not contain the username or name).",
            details={"rule": "personal"},
        )
    return password
