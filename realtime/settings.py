"""Dispatch settings from the app's configuration."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from realtime.dispatch import DispatchSettings
from rewards import earning, reasons


def dispatch_settings() -> DispatchSettings:
    config = current_app.config
    return DispatchSettings(
        offer_seconds=int(config["DISPATCH_OFFER_SECONDS"]),
        max_rounds=int(config["DISPATCH_MAX_ROUNDS"]),
        radius_m=int(config["DISPATCH_RADIUS_M"]),
        batch=int(config["DISPATCH_BATCH"]),
        accepted_points=earning.points_for(reasons.DISPATCH_ACCEPTED, config),
        arrived_points=earning.points_for(reasons.DISPATCH_ARRIVED, config),
        arrival_radius_m=float(config["DISPATCH_ARRIVAL_RADIUS_M"]),
        arrival_position_age=timedelta(seconds=float(config["DISPATCH_ARRIVAL_POSITION_SECONDS"])),
    )


def min_position_interval() -> timedelta:
    return timedelta(seconds=float(current_app.config["POSITION_MIN_INTERVAL_SECONDS"]))


def presence_grace() -> timedelta:
    return timedelta(seconds=float(current_app.config["PRESENCE_GRACE_SECONDS"]))


POSITION_SAVE_SECONDS = 60  # default; less than the presence grace, or restores find nobody


def position_save_interval() -> timedelta:
    """How often a person's live position is also saved for restarts (realtime.last_positions);
    ``WANJIA_POSITION_SAVE_SECONDS`` changes it."""
    seconds = current_app.config.get("POSITION_SAVE_SECONDS", POSITION_SAVE_SECONDS)
    return timedelta(seconds=float(seconds))
