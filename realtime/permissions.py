"""Who may open which live channel."""

from app.permissions import register
from app.roles import FIELD_ROLES, Role

PERMISSIONS = {
    "realtime.field.connect": set(FIELD_ROLES),
    "realtime.console.connect": {Role.DISPATCHER, Role.OFFICER, Role.ADMIN},
    "realtime.position.share": set(FIELD_ROLES),
    "realtime.offer.answer": set(FIELD_ROLES),
    "realtime.dispatch": {Role.DISPATCHER, Role.OFFICER, Role.ADMIN},
}

register(PERMISSIONS)
