"""Who sends broadcasts and who answers them."""

from app.permissions import register
from app.roles import FIELD_ROLES, Role

PERMISSIONS = {
    "broadcasts.send": {Role.OFFICER, Role.DISPATCHER, Role.ADMIN},
    "broadcasts.receive": set(FIELD_ROLES),
}

register(PERMISSIONS)
