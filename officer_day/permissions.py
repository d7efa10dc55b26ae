"""Who may open the officer's day."""

from app.permissions import register
from app.roles import Role

PERMISSIONS = {
    "officer_day.view": {Role.OFFICER, Role.ADMIN},
}

register(PERMISSIONS)
