"""Pure rules about people: phone numbers, passwords, invite codes."""

from __future__ import annotations

import functools
import re
import secrets

from flask_babel import lazy_gettext as _l

from app.errors import Invalid
from app.roles import POLICE_ROLES, Role

# Mainland mobile numbers: 11 digits starting 13-19; "+86", spaces and dashes are forgiven.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
MIN_PASSWORD_LENGTH = 6
# Police-room accounts see everyone's position and hand out points: longer, and not a common one.
MIN_POLICE_PASSWORD_LENGTH = 10
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


def check_password(password: str, role: Role | str = Role.VOLUNTEER) -> None:
    """Field roles: at least 6 characters. Police-room roles (officer, dispatcher, admin): at
    least 10, and not a common password."""
    password = password or ""
    police = Role(role) in POLICE_ROLES
    minimum = MIN_POLICE_PASSWORD_LENGTH if police else MIN_PASSWORD_LENGTH
    if len(password) < minimum:
        raise Invalid(
            "password_too_short",
            _l("The password must have at least %(n)s characters."),
            n=minimum,
        )
    if police and is_common_password(password):
        raise Invalid(
            "password_common",
            _l(
                "This password is one of the most common ones, or a simple pattern such as "
                "1111111111 or qwertyuiop. Please choose another."
            ),
        )


@functools.cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn's list: the 30,000 most common passwords of large leaks (imported when first needed:
    # only account creation asks, and the lists take a moment and a few MB).
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common_password(password: str) -> bool:
    """On zxcvbn's common-password list (any case), or what zxcvbn reads as one such entry
    disguised (l33t, reversed) or as one simple pattern: a repeat, a run, a keyboard walk."""
    if password.lower() in _common_passwords():
        return True
    if len(password) > 72:  # zxcvbn's own limit; nothing that long is on any list
        return False
    from zxcvbn import zxcvbn

    sequence = zxcvbn(password)["sequence"]
    if len(sequence) != 1:
        return False
    match = sequence[0]
    if match["pattern"] == "dictionary":
        return match["dictionary_name"] == "passwords"
    return match["pattern"] in {"repeat", "sequence", "spatial"}


# The phone column of an account its owner closed (my_data/closing.py): unique, at most 20
# characters and no mobile number, so the number itself is free to register again.
CLOSED_PHONE_PREFIX = "closed-"


def closed_phone(user_id: int) -> str:
    return f"{CLOSED_PHONE_PREFIX}{user_id}"


def is_closed(phone: str) -> bool:
    """Whether an account was closed by its owner (never to be enabled again)."""
    return phone.startswith(CLOSED_PHONE_PREFIX)


def check_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not 1 <= len(cleaned) <= 60:
        raise Invalid("name_missing", _l("Please enter your name (at most 60 characters)."))
    return cleaned


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


def normalize_invite_code(raw: str) -> str:
    return re.sub(r"[\s\-]", "", raw or "").upper()
