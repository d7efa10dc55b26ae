"""Who shops, who hands gifts over, who corrects points."""

from app.permissions import register
from app.roles import FIELD_ROLES, POLICE_ROLES, Role

PERMISSIONS = {
    "rewards.shop": set(FIELD_ROLES),
    "rewards.leaderboards.view": set(FIELD_ROLES | POLICE_ROLES),
    # Any group's leaderboard and team page; field roles read only their own groups.
    "rewards.groups.any": set(POLICE_ROLES),
    "rewards.desk": {Role.OFFICER, Role.ADMIN},
    "rewards.catalog.manage": {Role.OFFICER, Role.ADMIN},
    "rewards.points.correct": {Role.OFFICER, Role.ADMIN},
    # The corrections' audit list, and deciding on another officer's pending correction.
    "rewards.corrections.view": {Role.OFFICER, Role.ADMIN},
    "rewards.corrections.decide": {Role.OFFICER, Role.ADMIN},
}

register(PERMISSIONS)
