"""Who sees the heat layer and who decides the patrol points hotspots propose."""

from app.permissions import register
from app.roles import Role

PERMISSIONS = {
    "hotspots.view": {Role.DISPATCHER, Role.OFFICER, Role.ADMIN},
    # Placing a patrol point, even a temporary one, is an officer's call.
    "hotspots.manage": {Role.OFFICER, Role.ADMIN},
}

register(PERMISSIONS)
