"""Build the check-in policy from the app's settings."""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from checkins import evidence, tokens
from checkins.rules import Thresholds
from checkins.services import Policy

_SETTINGS = (
    "CHECKIN_COOLDOWN_MINUTES",
    "CHECKIN_DAILY_CAP",
    "CHECKIN_MAX_ACCURACY_M",
    "CHECKIN_ACCURACY_ALLOWANCE_M",
    "CHECKIN_MAX_SPEED_KMH",
    "CHECKIN_SPEED_MIN_DISTANCE_M",
    "CHECKIN_LATE_MAX_MINUTES",
    "CHECKIN_LATE_DAILY_CAP",
    "CHECKIN_CLOCK_GAP_SUSPICIOUS_MINUTES",
    "CHECKIN_REFUSALS_STORED_PER_DAY",
    "CHECKIN_DOUBT_ACCURACY_M",
    "CHECKIN_DOUBT_SPEED_SHARE",
    "CHECKIN_DOUBT_SHARED_PHONE_PEOPLE",
    "CHECKIN_DOUBT_SHARED_PHONE_MINUTES",
    "CHECKIN_DOUBT_CONSTANT_ACCURACY_SCANS",
    "LOCAL_TIMEZONE",
    "SECRET_KEY",
    "QR_SIGNING_KEY",
)


def current_policy() -> Policy:
    """The policy for the settings as they are now. Every check-in asks for it, so it is built
    once per distinct settings (building derives the signing key) and shared: it is frozen."""
    config = current_app.config
    return _policy(
        tuple(config[name] for name in _SETTINGS),
        tuple(config["STREAK_BONUS_POINTS"].items()),
    )


@lru_cache(maxsize=16)
def _policy(settings: tuple[Any, ...], streak_bonuses: tuple[tuple[Any, Any], ...]) -> Policy:
    config = dict(zip(_SETTINGS, settings, strict=True))
    return Policy(
        thresholds=Thresholds.from_config(config),
        signing_key=_signing_key(config["SECRET_KEY"], config["QR_SIGNING_KEY"]),
        timezone=ZoneInfo(config["LOCAL_TIMEZONE"]),
        streak_bonuses=MappingProxyType({int(k): int(v) for k, v in streak_bonuses}),
        doubt=evidence.Limits.from_config(config),
    )


def signing_key() -> bytes:
    return _signing_key(current_app.config["SECRET_KEY"], current_app.config["QR_SIGNING_KEY"])


@lru_cache(maxsize=16)
def _signing_key(secret_key: Any, qr_signing_key: Any) -> bytes:
    return tokens.signing_key(secret_key, qr_signing_key)
