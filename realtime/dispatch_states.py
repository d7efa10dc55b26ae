"""Statuses of incidents and offers, and the order in which an accepted person reports progress."""

OPEN, CLOSED = "open", "closed"
OFFERED, ACCEPTED, DECLINED, EXPIRED, WITHDRAWN = (
    "offered",
    "accepted",
    "declined",
    "expired",
    "withdrawn",
)
EN_ROUTE, ARRIVED, DONE = "en_route", "arrived", "done"
ENGAGED = (ACCEPTED, EN_ROUTE, ARRIVED)  # busy with an incident: not asked elsewhere
NEXT = {ACCEPTED: EN_ROUTE, EN_ROUTE: ARRIVED, ARRIVED: DONE}
STAMP = {EN_ROUTE: "en_route_at", ARRIVED: "arrived_at", DONE: "done_at"}
