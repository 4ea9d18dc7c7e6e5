"""Shared set-up for the logger's tests: a member on the ground-up routine with
a workout started, the zero-pain rule accepted and no pain before starting."""

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from members.logbook.sets import log_all_as_prescribed, report_pain, set_knob
from members.logbook.workouts import (
    accept_zero_pain_rule,
    finish_workout,
    record_pain_before,
    start_workout,
)
from members.models import Profile, Workout
from routines.models import Knob
from tests.factories import put_on_block

CLUB = zoneinfo.ZoneInfo(settings.TIME_ZONE)
# A block's first day, and Thursday of its second week, late: Friday in UTC,
# so a date taken from UTC instead of the club's clock is a day off.
MONDAY = dt.date(2026, 11, 16)
LATE_THURSDAY = dt.datetime(2026, 11, 26, 23, 30, tzinfo=CLUB)
# What htmx adds to each of its requests.
HTMX = {"HTTP_HX_REQUEST": "true"}


def started_workout(member, trainer, *, weaker_side=Profile.WeakerSide.LEFT):
    Profile.objects.filter(user=member).update(weaker_side=weaker_side)
    today = timezone.localdate()
    put_on_block(member, trainer=trainer, start_date=today - dt.timedelta(days=today.weekday()))
    workout = start_workout(member=member)
    accept_zero_pain_rule(member=member)
    return record_pain_before(workout=workout, level=0)


def no_pain(workout):
    """“Any pain during it?” answered None for every exercise not stopped for pain."""
    for main in workout.prescription["steps"]:
        report_pain(workout=workout, step_id=main["id"], level=0)


def step(workout, name):
    """The prescription's step (or alternative) for an exercise name."""
    for main in workout.prescription["steps"]:
        if main["name"] == name:
            return main
        for option in main["options"]:
            if option["name"] == name:
                return option
    raise KeyError(name)


def finished_workout(
    member, session, *, day=None, feeling="about_right", wall=None, complete=True
):
    """A finished workout through the logger's services, on ``day``."""
    day = day or session.date
    workout = start_workout(member=member, planned_session=session, today=day)
    accept_zero_pain_rule(member=member)
    record_pain_before(workout=workout, level=0)
    steps = workout.prescription["steps"]
    if complete:
        # A session done in full answered the weaker-side question on the
        # extra set's row, when the profile did not say.
        Profile.objects.filter(user=member, weaker_side=Profile.WeakerSide.UNSURE).update(
            weaker_side=Profile.WeakerSide.LEFT
        )
    for main in steps if complete else steps[:1]:
        if wall is not None and main["name"] == "Tibialis raise":
            knob = Knob.objects.get(exercise__name="Tibialis raise")
            set_knob(workout=workout, step_id=main["id"], knob_id=knob.pk, raw_value=str(wall))
        log_all_as_prescribed(workout=workout, step_id=main["id"])
    no_pain(workout)
    finish_workout(workout=workout, feeling=feeling)
    started = dt.datetime.combine(day, dt.time(18), tzinfo=CLUB)
    Workout.objects.filter(pk=workout.pk).update(started_at=started, finished_at=started)
    return Workout.objects.get(pk=workout.pk)


def session_url(workout, action=""):
    """The logger's page for ``workout``, or one of its actions."""
    return f"/me/sessions/{workout.pk}/{action}"


def set_post(workout, name, *, set_number=1, side="both", **amount):
    """A set of the exercise ``name``, as the logger's form posts it."""
    return {"step": step(workout, name)["id"], "set_number": set_number, "side": side, **amount}


def sessions_of(block):
    """The block's planned sessions, by number."""
    return list(block.planned_sessions.order_by("number"))


def session_of(block, number):
    """The block's planned session ``number``."""
    return block.planned_sessions.get(number=number)


def box_height_without_bounds(exercise_id) -> Knob:
    """A setting an author left without a range, as the admin allows: the
    height of the Patrick step's box, in steps of half a centimetre."""
    return Knob.objects.create(
        exercise_id=exercise_id,
        label="Box height",
        unit=Knob.Unit.CENTIMETRE,
        step=Decimal("0.5"),
        order=1,
        easier_guidance="Lower the box.",
        harder_guidance="Raise the box.",
    )
