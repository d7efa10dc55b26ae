"""Names of namespaces, rooms and events, kept in one place."""

FIELD_NS = "/field"
CONSOLE_NS = "/console"
ALL_NAMESPACES = (FIELD_NS, CONSOLE_NS)

CONSOLE_ROOM = "console"

# server -> client
ERROR = "error"
STATE = "state"
DUTY_CHANGED = "duty_changed"
ROUTE_CLOSED = "route_closed"

# client -> server
SET_DUTY = "set_duty"
ROSTER = "roster"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def login_room(login_session_id: str) -> str:
    return f"login:{login_session_id}"
