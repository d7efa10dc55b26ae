"""The roles people hold. Field roles go on patrol; police-room roles work the console."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VOLUNTEER = "volunteer"
    GUARD = "guard"
    GRID_WORKER = "grid_worker"
    OFFICER = "officer"
    DISPATCHER = "dispatcher"
    ADMIN = "admin"
    RESIDENT = "resident"  # reads the online police room, leaves tips, books its officers


FIELD_ROLES = frozenset({Role.VOLUNTEER, Role.GUARD, Role.GRID_WORKER})
POLICE_ROLES = frozenset({Role.OFFICER, Role.DISPATCHER, Role.ADMIN})
ALL_ROLES = FIELD_ROLES | POLICE_ROLES | {Role.RESIDENT}
