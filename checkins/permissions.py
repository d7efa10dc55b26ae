"""Who may check in and who manages patrol points."""

from app.permissions import register
from app.roles import FIELD_ROLES, Role

PERMISSIONS = {
    "checkins.checkin": set(FIELD_ROLES),
    "checkins.history.view": set(FIELD_ROLES),
    "checkins.points.manage": {Role.OFFICER, Role.ADMIN},
}

register(PERMISSIONS)
