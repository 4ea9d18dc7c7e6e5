"""Check-ins for the demo club, by a member's story: how their daily life
went with the routine, so Today, History and the trainer's pages show them."""

import datetime as dt

from members.models import Assignment, CheckIn
from members.outcomes.services import record_check_in, schedule

# The baseline: worst and usual pain by area, and the activities named.
BASELINE_PAIN = {"feet": (6, 4), "ankles": (5, 3), "knees": (7, 4)}
ACTIVITIES = [("Walking down stairs", 4), ("Standing for an hour", 5)]
# Points better at each later check-in, by story: pain down, activities up.
BETTER_BY = {"all": 2, "fast": 2, "eased": 1, "first": 1, "too_hard": 0, "pain": -1}


def check_in_as_the_story_goes(block: Assignment, story: str, today: dt.date) -> None:
    """The baseline on the block's first day, then every later check-in open
    by ``today``, each better (or worse) by the story's step. A member who
    has done nothing ("none") has not checked in either."""
    if story not in BETTER_BY or block.check_ins.exists():
        return
    for step, due in enumerate(schedule(block, block.progress(today), [])):
        if due.opens > today:
            break
        better = BETTER_BY[story] * step
        record_check_in(
            block,
            due.kind,
            areas={
                area: (_within(worst - better), _within(usual - better))
                for area, (worst, usual) in BASELINE_PAIN.items()
            },
            new_activities=ACTIVITIES if due.kind == CheckIn.Kind.BASELINE else [],
            scores={
                activity.pk: _within(score + better)
                # None yet at the baseline, which names them.
                for activity, (_, score) in zip(block.activities.all(), ACTIVITIES, strict=False)
            },
            today=max(due.opens, block.start_date),
        )


def _within(score: int) -> int:
    return max(0, min(10, score))
