"""Who may check in (and appeal a held check-in), who manages patrol points and who decides
held check-ins."""

from app.permissions import register
from app.roles import FIELD_ROLES, Role

PERMISSIONS = {
    "checkins.checkin": set(FIELD_ROLES),
    "checkins.history.view": set(FIELD_ROLES),
    "checkins.points.manage": {Role.OFFICER, Role.ADMIN},
    "checkins.appeal": set(FIELD_ROLES),  # one's own held check-ins
    "checkins.held.decide": {Role.OFFICER, Role.ADMIN},
}

register(PERMISSIONS)
