"""How many invitation emails one trainer may send in an hour.

Enough for a class of fifty invited at once and a few more; few enough that
a trainer's account in the wrong hands cannot send the club's invitation,
whose greeting carries a name anyone can type, to thousands of addresses.
Counted like the contact form's limits (members.web.ratelimit): taken before the
invitations are made, so posts at once cannot share the last few."""

from members.models import User
from members.web import ratelimit

INVITATIONS_PER_HOUR = 60
SCOPE = "invitations"
HOUR = 3600


def _limits(trainer: User) -> list[ratelimit.Limit]:
    return [ratelimit.Limit(f"user:{trainer.pk}", INVITATIONS_PER_HOUR)]


def reserve(trainer: User, count: int = 1) -> str | None:
    """Take ``count`` invitations from ``trainer``'s hour and return None; or,
    when fewer are left, take none and say why in the trainer's words.
    ``give_back`` what was reserved for invitations that were not sent."""
    (limit,) = _limits(trainer)
    if ratelimit.take(SCOPE, [limit], period=HOUR, uses=count) is None:
        return None
    left = ratelimit.uses_left(SCOPE, limit, period=HOUR)
    again = f"{ratelimit.window_ends(HOUR):%-I:%M %p}"
    if not left:
        return (
            f"You have sent {INVITATIONS_PER_HOUR} invitations this hour, the most one "
            f"trainer can send. Send more after {again}."
        )
    return (
        f"That is {count} invitations, and {left} more can go this hour (at most "
        f"{INVITATIONS_PER_HOUR} an hour). Invite {left} now, or everyone after {again}."
    )


def give_back(trainer: User, count: int = 1) -> None:
    ratelimit.give_back(SCOPE, _limits(trainer), period=HOUR, uses=count)
