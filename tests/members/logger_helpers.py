"""Shared set-up for the logger's tests: a member on the ground-up routine with
a workout started, the zero-pain rule accepted and no pain before starting."""

import datetime as dt

from django.utils import timezone

from members import logbook
from members.models import Profile
from tests.factories import put_on_block


def started_workout(member, trainer, *, weaker_side=Profile.WeakerSide.LEFT):
    Profile.objects.filter(user=member).update(weaker_side=weaker_side)
    today = timezone.localdate()
    put_on_block(member, trainer=trainer, start_date=today - dt.timedelta(days=today.weekday()))
    workout = logbook.start_workout(member=member)
    logbook.accept_zero_pain_rule(member=member)
    return logbook.record_pain_before(workout=workout, level=0)


def step(workout, name):
    """The prescription's step (or alternative) for an exercise name."""
    for main in workout.prescription["steps"]:
        if main["name"] == name:
            return main
        for option in main["options"]:
            if option["name"] == name:
                return option
    raise KeyError(name)
