"""A check-in made through the service, for tests about something else."""

import datetime as dt

from members.models import Assignment, CheckIn
from members.outcomes.services import record_check_in


def baseline(block: Assignment, *, on: dt.date | None = None) -> CheckIn:
    """The block's baseline: some pain in daily life, one activity named."""
    check_in, _ = record_check_in(
        block,
        CheckIn.Kind.BASELINE,
        areas={"feet": (5, 3)},
        new_activities=[("Walking down stairs", 5)],
        scores={},
        today=on or block.start_date,
    )
    return check_in
