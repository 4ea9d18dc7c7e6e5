"""How many invitation emails one trainer may send in an hour.

Enough for a class of fifty invited at once and a few more; few enough that
a trainer's account in the wrong hands cannot send the club's invitation,
whose greeting carries a name anyone can type, to thousands of addresses.
Counted in the shared cache, like the contact form's limits."""

from members.models import User
from members.ratelimit import Limit, count_use, tripped, uses_left, window_ends

INVITATIONS_PER_HOUR = 60
SCOPE = "invitations"
HOUR = 3600


def _limit(trainer: User) -> Limit:
    return Limit(f"user:{trainer.pk}", INVITATIONS_PER_HOUR)


def refusal(trainer: User, count: int = 1) -> str | None:
    """Why ``count`` more invitations from ``trainer`` cannot go this hour, in
    the trainer's words; None when they can."""
    limit = _limit(trainer)
    if tripped(SCOPE, [limit], period=HOUR, uses=count) is None:
        return None
    left = uses_left(SCOPE, limit, period=HOUR)
    again = f"{window_ends(HOUR):%-I:%M %p}"
    if not left:
        return (
            f"You have sent {INVITATIONS_PER_HOUR} invitations this hour, the most one "
            f"trainer can send. Send more after {again}."
        )
    return (
        f"That is {count} invitations, and {left} more can go this hour (at most "
        f"{INVITATIONS_PER_HOUR} an hour). Invite {left} now, or everyone after {again}."
    )


def count_sent(trainer: User, count: int = 1) -> None:
    count_use(SCOPE, [_limit(trainer)], period=HOUR, uses=count)
