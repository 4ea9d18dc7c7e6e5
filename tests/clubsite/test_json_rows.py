"""Rows read through a JSON subquery (``clubsite.json_rows``) are the rows the
ORM reads: every field, of the same type, with the same value."""

from decimal import Decimal

import pytest

from clubsite.json_rows import RelatedRows, rows_from
from members.logbook.sets import log_set, report_pain, set_knob
from members.models import KnobSetting, PainFlag, Profile, SetLog, Workout
from routines.models import Knob
from tests.members.logger_helpers import started_workout, step


def _fields(rows):
    """Each row as (field, type, value): a Decimal by its digits, so 14.0 is not 14."""
    return sorted(
        tuple(
            (
                field.attname,
                type(value).__name__,
                str(value) if isinstance(value, Decimal) else value,
            )
            for field in type(row)._meta.concrete_fields
            for value in [getattr(row, field.attname)]
        )
        for row in rows
    )


def _with_rows(workout):
    return Workout.objects.annotate(
        logged_sets=RelatedRows(SetLog, key="workout"),
        logged_settings=RelatedRows(KnobSetting, key="workout"),
        logged_pains=RelatedRows(PainFlag, key="workout"),
        # Rows that point where the workout points: its member's profile.
        member_profile=RelatedRows(Profile, key="user", to="member"),
    ).get(pk=workout.pk)


@pytest.mark.django_db
def test_a_workouts_sets_knob_settings_and_pain_flags_read_with_it_equal_the_orms(member, trainer):
    workout = started_workout(member, trainer)
    tibialis, curl = (
        step(workout, "Tibialis raise")["id"],
        step(workout, "Single-leg hamstring curl")["id"],
    )
    wall = Knob.objects.get(exercise__name="Tibialis raise")
    set_knob(workout=workout, step_id=tibialis, knob_id=wall.pk, raw_value="14")
    log_set(workout=workout, step_id=tibialis, set_number=1, side="both", reps=25)
    log_set(workout=workout, step_id=curl, set_number=1, side="left", reps=12)
    report_pain(workout=workout, step_id=curl, level=3, note="Behind the knee")

    read = _with_rows(workout)

    for model, text, stored in (
        (SetLog, read.logged_sets, SetLog.objects.filter(workout=workout)),
        (KnobSetting, read.logged_settings, KnobSetting.objects.filter(workout=workout)),
        (PainFlag, read.logged_pains, PainFlag.objects.filter(workout=workout)),
        (Profile, read.member_profile, Profile.objects.filter(user=member)),
    ):
        assert stored.exists(), model
        assert _fields(rows_from(model, text)) == _fields(stored), model
    # The values the logger reads: a decimal setting, a JSON field, moments.
    setting = next(s for s in rows_from(KnobSetting, read.logged_settings) if s.knob == wall)
    assert str(setting.value) == "14.0"
    logs = rows_from(SetLog, read.logged_sets)
    assert {log.reps for log in logs} == {25, 12}
    assert all(isinstance(log.knobs, dict) for log in logs)
    assert all(log.logged_at.utcoffset() is not None for log in logs)
    # Read like any row: not new, and from the database it came from.
    assert not setting._state.adding and setting._state.db == "default"


@pytest.mark.django_db
def test_a_workout_with_nothing_logged_reads_no_rows(member, trainer):
    workout = started_workout(member, trainer)
    read = _with_rows(workout)
    assert rows_from(SetLog, read.logged_sets) == []
    assert rows_from(PainFlag, read.logged_pains) == []
