"""Build the check-in policy from the app's settings."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app

from checkins import tokens
from checkins.rules import Thresholds
from checkins.services import Policy


def current_policy() -> Policy:
    config = current_app.config
    return Policy(
        thresholds=Thresholds.from_config(config),
        signing_key=signing_key(),
        timezone=ZoneInfo(config["LOCAL_TIMEZONE"]),
        streak_bonuses={int(k): int(v) for k, v in config["STREAK_BONUS_POINTS"].items()},
    )


def signing_key() -> bytes:
    return tokens.signing_key(
        current_app.config["SECRET_KEY"], current_app.config["QR_SIGNING_KEY"]
    )
