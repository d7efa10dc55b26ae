"""Who answers the tip box, keeps the officers' public profiles and posts public notices.

Sending a tip and reading its reply need no permission: residents may have no account."""

from app.permissions import register
from app.roles import Role

PERMISSIONS = {
    "police_room.tips": {Role.OFFICER, Role.ADMIN},
    "police_room.profile": {Role.OFFICER},  # an officer's own public profile
    "police_room.notices": {Role.OFFICER, Role.ADMIN},
}

register(PERMISSIONS)
