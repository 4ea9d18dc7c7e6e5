"""The logger's services: what a member's taps write, and what they never write twice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.logbook import sets, workouts
from members.logbook.plan import build_plan, plan_history
from members.models import KnobSetting, PainFlag, PlannedSession, Profile, SetLog, Workout
from routines.models import Knob, Step
from tests.members.logger_helpers import no_pain, started_workout, step


def _plan(workout):
    workout = Workout.objects.get(pk=workout.pk)
    return build_plan(workout, weaker_side=Profile.objects.get(user=workout.member).weaker_side)


@pytest.mark.django_db
def test_starting_twice_returns_the_same_workout_with_the_prescription_copied(member, trainer):
    workout = started_workout(member, trainer)
    again = workouts.start_workout(member=member)
    assert again.pk == workout.pk
    assert Workout.objects.count() == 1
    walking = step(workout, "Backwards walking")
    assert walking["seconds"] == 600 and walking["options"][0]["name"] == "Deadmill"

    # Editing the routine later does not rewrite what this workout asked for.
    Step.objects.filter(pk=walking["id"]).update(duration_seconds=900)
    workout.refresh_from_db()
    assert step(workout, "Backwards walking")["seconds"] == 600


@pytest.mark.django_db
def test_the_seeded_session_has_eighteen_sets_in_order(member, trainer):
    plan = _plan(started_workout(member, trainer))
    assert [group.label for group in plan.groups] == ["1", "2a and 2b", "3", "4", "5"]
    assert plan.planned == 18
    pair = plan.groups[1]
    assert [(s.name, s.set_number) for s in pair.slots] == [
        ("Tibialis raise", 1),
        ("Calf raise", 1),
        ("Tibialis raise", 2),
        ("Calf raise", 2),
    ]
    patrick = plan.groups[2]
    assert [(s.set_number, s.side) for s in patrick.slots] == [
        (1, "left"),
        (1, "right"),
        (2, "left"),
        (2, "right"),
        (3, "left"),  # the extra set, on the weaker side from the profile
    ]
    assert patrick.slots[-1].is_extra


@pytest.mark.django_db
def test_an_unknown_weaker_side_is_asked_on_the_spot(member, trainer):
    workout = started_workout(member, trainer, weaker_side=Profile.WeakerSide.UNSURE)
    patrick = _plan(workout).card(step(workout, "Patrick step")["id"])
    # The extra set is due before the side is known, on a row that asks for it.
    assert patrick.needs_side and len(patrick.slots) == 5
    assert patrick.slots[-1].needs_side and patrick.slots[-1].set_number == 3
    sets.set_weaker_side(member=member, side="right")
    patrick = _plan(workout).card(patrick.step_id)
    assert not patrick.needs_side
    assert (patrick.slots[-1].set_number, patrick.slots[-1].side) == (3, "right")
    with pytest.raises(ValidationError):
        sets.set_weaker_side(member=member, side="both")


@pytest.mark.django_db
def test_log_edit_and_undo_a_set(member, trainer):
    workout = started_workout(member, trainer)
    tibialis = step(workout, "Tibialis raise")["id"]
    first = sets.log_set(workout=workout, step_id=tibialis, set_number=1, side="both", reps=25)
    assert (first.reps, first.target_reps, first.knobs) == (
        25,
        25,
        {"Feet distance from wall": "12 in"},
    )
    # A retried post, or an edit, updates the same row.
    again = sets.log_set(workout=workout, step_id=tibialis, set_number=1, side="both", reps=22)
    assert again.pk == first.pk
    assert SetLog.objects.get().reps == 22
    sets.undo_set(workout=workout, step_id=tibialis, set_number=1, side="both")
    assert not SetLog.objects.exists()
    # The knob's value for this workout is kept for the trend.
    assert KnobSetting.objects.get().display == "12 in"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reps": -1}, "Enter between 0 and 500 reps."),
        ({"reps": 10_000}, "Enter between 0 and 500 reps."),
        ({"reps": None}, "Enter the reps you did."),
        ({"reps": 25, "side": "left"}, "This exercise is not done one side at a time."),
        ({"reps": 25, "set_number": 3}, "That set is not part of this exercise."),
    ],
)
def test_bad_sets_are_refused_and_nothing_is_saved(member, trainer, fields, message):
    workout = started_workout(member, trainer)
    arguments = {"set_number": 1, "side": "both", **fields}
    with pytest.raises(ValidationError, match=message):
        sets.log_set(workout=workout, step_id=step(workout, "Calf raise")["id"], **arguments)
    assert not SetLog.objects.exists()


@pytest.mark.django_db
def test_a_per_side_step_wants_a_side(member, trainer):
    workout = started_workout(member, trainer)
    patrick = step(workout, "Patrick step")["id"]
    with pytest.raises(ValidationError, match="Choose the left or right side"):
        sets.log_set(workout=workout, step_id=patrick, set_number=1, side="both", reps=25)
    log = sets.log_set(workout=workout, step_id=patrick, set_number=3, side="left", reps=25)
    assert log.side == "left"


@pytest.mark.django_db
def test_all_as_prescribed_logs_the_open_sets_at_their_targets(member, trainer):
    workout = started_workout(member, trainer)
    curl = step(workout, "Single-leg hamstring curl")["id"]
    sets.log_set(workout=workout, step_id=curl, set_number=1, side="left", reps=12)
    done = sets.log_all_as_prescribed(workout=workout, step_id=curl)
    logs = SetLog.objects.filter(step_id=curl)
    assert logs.count() == 6
    # The answer shows the workout as stored: the set by hand and the five
    # (by their rows: sets stored together do not read their ids back).
    row = ("step_id", "set_number", "side", "reps")
    answer = {tuple(getattr(log, field) for field in row) for log in done.logged.logs}
    assert answer == set(logs.values_list(*row))
    # The set logged by hand keeps its count.
    assert logs.get(set_number=1, side="left").reps == 12
    assert {log.reps for log in logs.exclude(set_number=1, side="left")} == {15}
    assert logs.first().knobs == {"Load": "15 lb"}
    # A second tap adds nothing.
    again = sets.log_all_as_prescribed(workout=workout, step_id=curl)
    assert SetLog.objects.filter(step_id=curl).count() == 6
    assert {tuple(getattr(log, field) for field in row) for log in again.logged.logs} == answer


@pytest.mark.django_db
def test_switching_to_the_alternative_follows_its_prescription(member, trainer):
    workout = started_workout(member, trainer)
    walking = step(workout, "Backwards walking")
    deadmill = step(workout, "Deadmill")
    sets.choose_option(workout=workout, step_id=walking["id"], option_id=deadmill["id"])
    card = _plan(workout).card(walking["id"])
    assert card.exercise.name == "Deadmill"
    assert card.slots[0].target_seconds == 300
    log = sets.log_set(
        workout=workout, step_id=walking["id"], set_number=1, side="both", seconds=300
    )
    assert log.exercise == card.exercise
    with pytest.raises(ValidationError):
        sets.choose_option(
            workout=workout, step_id=walking["id"], option_id=step(workout, "Calf raise")["id"]
        )
    sets.choose_option(workout=workout, step_id=walking["id"], option_id=None)
    assert _plan(workout).card(walking["id"]).exercise.name == "Backwards walking"


@pytest.mark.django_db
def test_knobs_step_easier_and_harder_within_their_range(member, trainer):
    workout = started_workout(member, trainer)
    nordic = step(workout, "Regressed reverse Nordic")["id"]
    band = Knob.objects.get(label="Band assistance")
    # More band is easier: from "none", easier is "light".
    setting = sets.set_knob(
        workout=workout, step_id=nordic, knob_id=band.pk, direction="easier"
    ).setting
    assert setting.level == "light"
    setting = sets.set_knob(
        workout=workout, step_id=nordic, knob_id=band.pk, direction="harder"
    ).setting
    assert setting.level == "none"
    assert KnobSetting.objects.filter(knob=band).count() == 1

    tibialis = step(workout, "Tibialis raise")["id"]
    wall = Knob.objects.get(exercise__name="Tibialis raise")
    assert sets.set_knob(
        workout=workout, step_id=tibialis, knob_id=wall.pk, direction="harder"
    ).setting.value == Decimal(13)
    moved = sets.set_knob(workout=workout, step_id=tibialis, knob_id=wall.pk, raw_value="36")
    assert moved.setting.value == Decimal(36)
    # The answer shows the knob where it is now, and no other setting of it.
    assert [s.value for s in moved.logged.settings if s.knob_id == wall.pk] == [Decimal(36)]
    for raw, message in [("37", "Enter a value from 2 in to 36 in."), ("far", "Enter a number")]:
        with pytest.raises(ValidationError, match=message):
            sets.set_knob(workout=workout, step_id=tibialis, knob_id=wall.pk, raw_value=raw)
    with pytest.raises(ValidationError, match="not part of this exercise"):
        sets.set_knob(workout=workout, step_id=tibialis, knob_id=band.pk, raw_value="1")


@pytest.mark.django_db
def test_pain_on_an_exercise_stops_it_and_raises_one_flag_and_one_email(
    member, trainer, mailoutbox, django_capture_on_commit_callbacks
):
    workout = started_workout(member, trainer)
    calf = step(workout, "Calf raise")["id"]
    sets.log_set(workout=workout, step_id=calf, set_number=1, side="both", reps=25)
    with django_capture_on_commit_callbacks(execute=True):
        sets.report_pain(workout=workout, step_id=calf, level=3, note="Left heel")
        sets.report_pain(workout=workout, step_id=calf, level=3, note="Left heel")
    flag = PainFlag.objects.get()
    assert (flag.level, flag.exercise.name, flag.note) == (3, "Calf raise", "Left heel")
    assert flag.alert_sent_at is not None
    (message,) = mailoutbox
    assert message.to == ["makana@example.com"]
    assert message.reply_to == ["alex@example.com"]
    assert message.subject == "Pain reported: Alex Rivera, 3/10 on Calf raise"
    assert "Left heel" in message.body

    card = _plan(workout).card(calf)
    assert [slot.stopped for slot in card.slots] == [False, True]
    with pytest.raises(ValidationError, match="stopped because of pain"):
        sets.log_set(workout=workout, step_id=calf, set_number=2, side="both", reps=25)
    with pytest.raises(ValidationError, match="from 1 to 10"):
        sets.report_pain(workout=workout, step_id=calf, level=11)


@pytest.mark.django_db
def test_pain_before_starting_means_no_workout_today(
    member, trainer, mailoutbox, django_capture_on_commit_callbacks
):
    workout = started_workout(member, trainer)
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    session = workout.planned_session
    with django_capture_on_commit_callbacks(execute=True):
        workout = workouts.record_pain_before(workout=workout, level=4, note="Knee")
    assert workout.stopped_for_pain and workout.is_finished
    # The planned session stays open for a day without pain.
    assert workout.planned_session is None
    assert session.workouts.count() == 0
    assert PainFlag.objects.get().exercise is None
    assert len(mailoutbox) == 1
    assert "before starting a session" in mailoutbox[0].body
    fresh = workouts.start_workout(member=member)
    assert fresh.pk != workout.pk and fresh.planned_session == session


@pytest.mark.django_db
def test_finishing_sets_the_planned_session_status(member, trainer):
    workout = started_workout(member, trainer)
    for main in workout.prescription["steps"]:
        sets.log_all_as_prescribed(workout=workout, step_id=main["id"])
    no_pain(workout)
    workout = workouts.finish_workout(workout=workout, feeling="too_hard", note="Tough")
    assert workout.is_complete and workout.feeling == "too_hard"
    session = PlannedSession.objects.prefetch_related("workouts").get(
        pk=workout.planned_session_id
    )
    assert session.status_on(timezone.localdate()) == PlannedSession.Status.DONE
    assert SetLog.objects.count() == 18
    with pytest.raises(workouts.WorkoutClosed):
        sets.log_set(
            workout=workout,
            step_id=workout.prescription["steps"][0]["id"],
            set_number=1,
            side="both",
            seconds=60,
        )


@pytest.mark.django_db
def test_a_partial_session_is_partly_done_and_can_be_reopened_today(member, trainer):
    workout = started_workout(member, trainer)
    calf = step(workout, "Calf raise")["id"]
    sets.log_all_as_prescribed(workout=workout, step_id=calf)
    sets.report_pain(workout=workout, step_id=calf, level=0)
    workout = workouts.finish_workout(workout=workout)
    assert not workout.is_complete
    session = PlannedSession.objects.prefetch_related("workouts").get(
        pk=workout.planned_session_id
    )
    assert session.status_on(timezone.localdate()) == PlannedSession.Status.PARTLY
    assert workouts.reopen_workout(workout=workout).finished_at is None
    workout = workouts.finish_workout(workout=workout)
    with pytest.raises(ValidationError, match="Only today's session"):
        workouts.reopen_workout(workout=workout, today=workout.date + dt.timedelta(days=1))


@pytest.mark.django_db
def test_last_sessions_values_prefill_the_next(member, trainer):
    workout = started_workout(member, trainer)
    tibialis = step(workout, "Tibialis raise")["id"]
    wall = Knob.objects.get(exercise__name="Tibialis raise")
    sets.set_knob(workout=workout, step_id=tibialis, knob_id=wall.pk, raw_value="14")
    sets.log_set(workout=workout, step_id=tibialis, set_number=1, side="both", reps=20)
    sets.report_pain(workout=workout, step_id=tibialis, level=0)
    workouts.finish_workout(workout=workout)

    later = workouts.start_workout(member=member, today=workout.date + dt.timedelta(days=3))
    card = _plan(later).card(tibialis)
    assert card.knobs[0].display == "14 in"
    assert card.knobs[0].setting is None  # where it was left, not yet touched
    assert card.slots[0].prefill == 20 and card.slots[0].last_time_differs
    assert card.slots[1].prefill == 25


def _history(workout):
    """What the plan shows of earlier workouts, as plain values."""
    history = plan_history(Workout.objects.get(pk=workout.pk))
    sets_before = sorted(
        (key, log.reps, log.seconds, log.target_reps, log.target_seconds)
        for key, log in history.last_logs.items()
    )
    knobs_before = sorted(
        (knob, str(s.value), s.level, s.unit, s.workout.started_at)
        for knob, s in history.last_settings.items()
    )
    return history.returning, sets_before, knobs_before


@pytest.mark.django_db
def test_a_started_workout_keeps_a_copy_of_last_times_sets_and_knobs(member, trainer):
    workout = started_workout(member, trainer)
    tibialis = step(workout, "Tibialis raise")["id"]
    wall = Knob.objects.get(exercise__name="Tibialis raise")
    sets.set_knob(workout=workout, step_id=tibialis, knob_id=wall.pk, raw_value="14")
    sets.log_all_as_prescribed(workout=workout, step_id=tibialis)
    walking = step(workout, "Backwards walking")["id"]
    sets.log_set(workout=workout, step_id=walking, set_number=1, side="both", seconds=462)
    no_pain(workout)
    workout = workouts.finish_workout(workout=workout)
    last_time = sorted(
        (
            (log.step_id, log.set_number, log.side, log.exercise_id),
            log.reps,
            log.seconds,
            log.target_reps,
            log.target_seconds,
        )
        for log in SetLog.objects.filter(workout=workout)
    )
    left_at = sorted(
        (setting.knob_id, str(setting.value), setting.level, setting.unit, workout.started_at)
        for setting in KnobSetting.objects.filter(workout=workout)
    )
    assert len(last_time) == 3 and len(left_at) >= 1

    later = workouts.start_workout(member=member, today=workout.date + dt.timedelta(days=3))
    assert later.earlier is not None
    assert _history(later) == (True, last_time, left_at)
    # A workout made without the copy reads the workouts before it instead.
    Workout.objects.filter(pk=later.pk).update(earlier=None)
    assert _history(later) == (True, last_time, left_at)


@pytest.mark.django_db
def test_sessions_not_started_yet_each_show_their_own_last_time(member, trainer):
    workout = started_workout(member, trainer)
    tibialis = step(workout, "Tibialis raise")
    row = {"step": tibialis["id"], "exercise": tibialis["exercise_id"], "set": 1, "side": "both"}
    row |= {"seconds": None, "target_reps": 25, "target_seconds": None}
    pages = [
        Workout(member=member, prescription=workout.prescription, earlier=earlier)
        for earlier in (
            {"returning": True, "sets": [{**row, "reps": reps}], "knobs": []} for reps in (20, 22)
        )
    ]
    key = (tibialis["id"], 1, "both", tibialis["exercise_id"])
    assert [plan_history(page).last_logs[key].reps for page in pages] == [20, 22]


@pytest.mark.django_db
def test_the_zero_pain_rule_comes_before_the_first_session(member, trainer):
    workout = started_workout(member, trainer)
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)
    Profile.objects.filter(user=member).update(zero_pain_accepted_at=None)
    workout.refresh_from_db()
    with pytest.raises(ValidationError, match="Accept the zero-pain rule"):
        workouts.record_pain_before(workout=workout, level=0)
    # Nothing is logged before the pain check either.
    with pytest.raises(ValidationError, match="before logging"):
        sets.log_set(
            workout=workout,
            step_id=step(workout, "Calf raise")["id"],
            set_number=1,
            side="both",
            reps=25,
        )
    workouts.accept_zero_pain_rule(member=member)
    accepted = Profile.objects.get(user=member).zero_pain_accepted_at
    assert accepted is not None
    assert workouts.record_pain_before(workout=workout, level=0).pain_before == 0
    # Accepting again keeps the first time.
    workouts.accept_zero_pain_rule(member=member)
    assert Profile.objects.get(user=member).zero_pain_accepted_at == accepted


@pytest.mark.django_db
@pytest.mark.parametrize(
    "server_side_binding", [False, True], ids=["client-bound", "server-bound"]
)
def test_the_lock_reads_the_members_own_workout_however_parameters_are_bound(
    member, second_member, trainer, server_side_binding, monkeypatch
):
    """Bound on the client (Django's default), the lock and the read go as one
    query string; bound on the server, where a string is one statement, apart."""
    workout = started_workout(member, trainer)
    options = connection.settings_dict["OPTIONS"]
    monkeypatch.setitem(options, "server_side_binding", server_side_binding)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        locked = workouts.lock_for_logging(Workout(pk=workout.pk, member=member))
    assert (locked.pk, locked.weaker_side) == (workout.pk, Profile.WeakerSide.LEFT)
    if connection.vendor == "postgresql":
        locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
        assert len(locks) == 1
        assert ("; SELECT" in locks[0]) is not server_side_binding
    with pytest.raises(Workout.DoesNotExist), transaction.atomic():
        workouts.lock_for_logging(Workout(pk=workout.pk, member=second_member))


@pytest.mark.parametrize("typed", ["-0", "-0.04", "0"])
def test_a_knob_typed_as_minus_zero_is_zero(typed):
    """Stored, -0.0 is 0; the answer, built from the value as typed, said "-0"."""
    knob = Knob(label="Lean", unit="in", minimum=Decimal(-10), maximum=Decimal(10))
    value, level = sets.parse_knob_value(knob, typed)
    assert (value, level) == (Decimal("0.0"), "")
    assert value is not None and not value.is_signed()
    assert knob.format_value(value) == "0 in"
