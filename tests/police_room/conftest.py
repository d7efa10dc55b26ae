"""Fixtures of the police room's tests."""

from tests.police_room.appointment_fixtures import room  # noqa: F401 - the appointment tests'
