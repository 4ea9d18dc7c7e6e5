"""What the database holds after a run, read with the models: the sets
stored, and workouts left half-written. Imported once Django is set up."""

from django.db.models import Exists, OuterRef

from members.logbook.plan import build_plan
from members.models import KnobSetting, PainFlag, Profile, SetLog, Workout


def stored_sets(workouts) -> list[tuple]:
    """(workout, step, set number, side, amount) for every row of these workouts."""
    rows = SetLog.objects.filter(workout_id__in=list(workouts)).values_list(
        "workout_id", "step_id", "set_number", "side", "reps", "seconds"
    )
    return [
        (workout, step, number, side, reps if reps is not None else seconds)
        for workout, step, number, side, reps, seconds in rows
    ]


def half_written(workouts) -> dict[str, int]:
    """Workouts that are not whole: each write of the logger is one
    transaction, so a cut-off request leaves nothing or all of it."""
    sets_without_knobs = (
        SetLog.objects.filter(workout_id__in=list(workouts))
        .exclude(knobs={})
        .exclude(
            Exists(
                KnobSetting.objects.filter(
                    workout=OuterRef("workout"), exercise=OuterRef("exercise")
                )
            )
        )
        .count()
    )
    finished = Workout.objects.filter(pk__in=list(workouts), finished_at__isnull=False)
    disagreeing = sum(
        workout.is_complete
        != build_plan(
            workout, weaker_side=Profile.objects.get(user_id=workout.member_id).weaker_side
        ).is_complete
        for workout in finished.filter(pain_before=0)
    )
    pain_without_flag = (
        Workout.objects.filter(pk__in=list(workouts), pain_before__gt=0)
        .exclude(Exists(PainFlag.objects.filter(workout=OuterRef("pk"))))
        .count()
    )
    return {
        "sets without their knob settings": sets_without_knobs,
        "finished, completeness not as its sets": disagreeing,
        "pain before, no flag": pain_without_flag,
    }
