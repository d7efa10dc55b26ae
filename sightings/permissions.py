"""Who reports sightings, who triages them, who sets what they pay."""

from app.permissions import register
from app.roles import FIELD_ROLES, Role

PERMISSIONS = {
    "sightings.report": set(FIELD_ROLES),
    "sightings.triage": {Role.DISPATCHER, Role.OFFICER, Role.ADMIN},
    # Muting a reporter and setting the points a category pays are officers' calls.
    "sightings.manage": {Role.OFFICER, Role.ADMIN},
}

register(PERMISSIONS)
