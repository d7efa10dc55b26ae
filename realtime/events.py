"""Names of namespaces, rooms and events, kept in one place."""

FIELD_NS = "/field"
CONSOLE_NS = "/console"
ALL_NAMESPACES = (FIELD_NS, CONSOLE_NS)


def console_room(police_area_id: int) -> str:
    """Consoles join the room of each police area they work in; an area's news goes there."""
    return f"console:{police_area_id}"


# server -> client
ERROR = "error"
STATE = "state"
DUTY_CHANGED = "duty_changed"
ROUTE_CLOSED = "route_closed"
INCIDENT = "incident"  # console: the whole incident with its offers, after any change
PRESENCE = "presence"  # console: someone's live position
PRESENCE_GONE = "presence_gone"  # console: someone left the live map
OFFER = "offer"  # field: a request to go, or a change to one (withdrawn, expired)

# client -> server, both namespaces
PING = "ping"

# client -> server, /field
SET_DUTY = "set_duty"
POSITION = "position"
ANSWER_OFFER = "answer_offer"
PROGRESS = "progress"

# client -> server, /console
ROSTER = "roster"
CREATE_INCIDENT = "create_incident"
FIND_NEAREST = "find_nearest"
SEND_OFFERS = "send_offers"
CLOSE_INCIDENT = "close_incident"
WIDEN_INCIDENT = "widen_incident"  # let a neighbouring area of the station be asked too


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def login_room(login_session_id: str) -> str:
    return f"login:{login_session_id}"
