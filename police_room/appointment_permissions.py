"""Who books the officers and who answers the bookings."""

from app.permissions import register
from app.roles import FIELD_ROLES, Role

PERMISSIONS = {
    # Residents, and the volunteers, guards and grid workers who live there too.
    "police_room.appointments.book": {Role.RESIDENT, *FIELD_ROLES},
    "police_room.appointments.decide": {Role.OFFICER, Role.ADMIN},
}

register(PERMISSIONS)
