"""Who may read their own data and close their own account."""

from app.permissions import register
from app.roles import ALL_ROLES, FIELD_ROLES, Role

PERMISSIONS = {
    "my_data.export": set(ALL_ROLES),
    # Police accounts are closed by an administrator, who also hands their work on.
    "my_data.close_account": set(FIELD_ROLES | {Role.RESIDENT}),
}

register(PERMISSIONS)
