"""Pure rules about people: phone numbers, passwords, invite codes."""

from __future__ import annotations

import re
import secrets

from flask_babel import lazy_gettext as _l

from app.errors import Invalid

# Mainland mobile numbers: 11 digits starting 13-19; "+86", spaces and dashes are forgiven.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
MIN_PASSWORD_LENGTH = 6
# No 0/O/1/I: codes are read aloud and typed by older people.
INVITE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
INVITE_LENGTH = 8


def normalize_phone(raw: str) -> str:
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _MOBILE.match(digits):
        raise Invalid("phone_malformed", _l("Please enter an 11-digit mainland mobile number."))
    return digits


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise Invalid(
            "password_too_short",
            _l("The password must have at least %(n)s characters."),
            n=MIN_PASSWORD_LENGTH,
        )


def check_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not 1 <= len(cleaned) <= 60:
        raise Invalid("name_missing", _l("Please enter your name (at most 60 characters)."))
    return cleaned


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


def normalize_invite_code(raw: str) -> str:
    return re.sub(r"[\s\-]", "", raw or "").upper()
