"""Why points change hands: every ledger entry names one of these."""

CHECKIN = "checkin"
ROUTE_BONUS = "route_bonus"
STREAK_BONUS = "streak_bonus"
TIP_CONFIRMED = "tip_confirmed"  # a sighting an officer confirmed, to its reporter
SIGHTING_SECONDED = "sighting_seconded"  # to the reporter of a duplicate of a confirmed one
DISPATCH_ACCEPTED = "dispatch_accepted"
DISPATCH_ARRIVED = "dispatch_arrived"
REDEMPTION = "redemption"
REDEMPTION_REFUND = "redemption_refund"
CORRECTION = "correction"
OFFICER_AWARD = "officer_award"

# Reasons whose points count on the leaderboards (spending and refunds do not).
LEADERBOARD = frozenset(
    {
        CHECKIN,
        ROUTE_BONUS,
        STREAK_BONUS,
        TIP_CONFIRMED,
        SIGHTING_SECONDED,
        DISPATCH_ACCEPTED,
        DISPATCH_ARRIVED,
        OFFICER_AWARD,
        CORRECTION,
    }
)
