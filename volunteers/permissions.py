"""What each role may do with people and organisation."""

from app.permissions import register
from app.roles import FIELD_ROLES, POLICE_ROLES, Role

PERMISSIONS = {
    "volunteers.invite.issue": {Role.OFFICER, Role.ADMIN},
    "volunteers.people.manage": {Role.OFFICER, Role.ADMIN},
    "volunteers.boundaries.edit": {Role.OFFICER, Role.ADMIN},
    "volunteers.duty.switch": set(FIELD_ROLES),
    "volunteers.profile.view": set(FIELD_ROLES | POLICE_ROLES),
    # Police areas, communities and police accounts: the whole server's organisation.
    "volunteers.areas.manage": {Role.ADMIN},
}

register(PERMISSIONS)
