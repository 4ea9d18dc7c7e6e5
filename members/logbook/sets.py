"""Writes of the session logger: start, pain checks, sets, knobs, alternatives
and finish. Every write is idempotent where a phone may retry it."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from members.logbook import emails as notices
from members.logbook.cards import SetSlot
from members.logbook.plan import Logged, PlanHistory, build_plan, logged_in, plan_history
from members.logbook.refusals import Conflict
from members.logbook.workouts import LockedWorkout, lock_for_logging
from members.models import (
    KnobSetting,
    PainFlag,
    Profile,
    SetLog,
    User,
    Workout,
)
from members.models.workouts import clock
from routines.limits import MAX_REPS, MAX_SECONDS, PAIN_LEVELS
from routines.models import Knob

TIME_HINT = "Enter minutes (8) or minutes and seconds (7:42)."
TIME_RANGE = f"Enter a time from 0:01 to {clock(MAX_SECONDS)}."
# The largest setting a workout or an override stores (six digits, one after
# the point): it bounds a knob whose author gave it no range of its own.
LARGEST_SETTING = Decimal("99999.9")


def _slot_or_error(
    workout: LockedWorkout,
    *,
    step_id: int,
    set_number: int,
    side: str,
    history: PlanHistory | None = None,
    logged: Logged | None = None,
):
    """The plan of a locked workout (``lock_for_logging``), the card of
    ``step_id`` and its row; or why that row cannot be logged."""
    plan = build_plan(workout, weaker_side=workout.weaker_side, history=history, logged=logged)
    card = plan.card(step_id)
    if card is None:
        raise ValidationError({"step": "That exercise is not part of this session."})
    sides = {slot.side for slot in card.slots}
    if side not in sides:
        raise ValidationError(
            {"side": "This exercise is not done one side at a time."}
            if side != SetLog.Side.BOTH and SetLog.Side.BOTH in sides
            else {"side": "Choose the left or right side."}
        )
    slot = plan.slot(step_id, set_number, side)
    if slot is None:
        raise Conflict({"set_number": "That set is not part of this exercise."})
    if slot.stopped:
        raise Conflict({"set_number": "This exercise was stopped because of pain."})
    return plan, card, slot


def _knobs_in_effect(card) -> dict[str, str]:
    return {state.knob.label: state.display for state in card.knobs if state.has_value}


def _keep_knob_settings(workout: Workout, card) -> list[KnobSetting]:
    """Store where each knob of the exercise was for this workout, even when
    the member did not touch it, so the trend has a point for every workout.
    One insert; a setting made earlier in the workout wins. The settings it
    made (under the workout's lock, nothing else made them meanwhile)."""
    return KnobSetting.objects.bulk_create(
        [
            KnobSetting(
                workout=workout,
                knob=state.knob,
                exercise_id=state.knob.exercise_id,
                value=None if state.knob.is_levels else state.value,
                level=state.level if state.knob.is_levels else "",
                unit=state.knob.unit,
            )
            for state in card.knobs
            if state.has_value and state.setting is None
        ],
        ignore_conflicts=True,
    )


@dataclass
class LoggedSet:
    """A set just logged, the workout as its lock read it, everything the
    workout holds now and its history: what the answer shows, without
    reading it again."""

    log: SetLog
    workout: Workout
    logged: Logged
    history: PlanHistory


def log_set(**arguments) -> SetLog:
    """``logged_set``, for callers that need only the set."""
    return logged_set(**arguments).log


@transaction.atomic
def logged_set(
    *,
    workout: Workout,
    step_id: int,
    set_number: int,
    side: str,
    reps: int | None = None,
    seconds: int | None = None,
) -> LoggedSet:
    """Log (or correct) one set: an upsert on (workout, step, set number, side),
    so a retried post returns the same row with the latest count. The workout
    may name one by its id and member alone (``lock_for_logging``)."""
    workout = lock_for_logging(workout)
    before = logged_in(workout)
    history = plan_history(workout)
    _plan, card, slot = _slot_or_error(
        workout,
        step_id=step_id,
        set_number=set_number,
        side=side,
        history=history,
        logged=before,
    )
    if slot.is_timed:
        if seconds is None:
            raise ValidationError({"minutes": TIME_HINT})
        if not 0 < seconds <= MAX_SECONDS:
            raise ValidationError({"minutes": TIME_RANGE})
        reps = None
    else:
        if reps is None:
            raise ValidationError({"reps": "Enter the reps you did."})
        if not 0 <= reps <= MAX_REPS:
            raise ValidationError({"reps": f"Enter between 0 and {MAX_REPS} reps."})
        seconds = None
    (log,) = _upsert_sets(
        [
            _set_log(
                workout,
                step_id,
                slot,
                reps=reps,
                seconds=seconds,
                knobs=_knobs_in_effect(card),
                at=timezone.now(),
            )
        ]
    )
    made = _keep_knob_settings(workout, card)
    row = (log.step_id, log.set_number, log.side)
    others = [kept for kept in before.logs if (kept.step_id, kept.set_number, kept.side) != row]
    after = Logged([*others, log], [*before.settings, *made], before.pains)
    return LoggedSet(log, workout, after, history)


def _set_log(
    workout: Workout, step_id: int, slot: SetSlot, *, reps, seconds, knobs: dict[str, str], at
) -> SetLog:
    """One set done in ``slot``, beside the targets it was done against."""
    return SetLog(
        workout=workout,
        step_id=step_id,
        exercise_id=slot.exercise_id,
        set_number=slot.set_number,
        side=slot.side,
        reps=reps,
        seconds=seconds,
        target_reps=slot.target_reps,
        target_seconds=slot.target_seconds,
        knobs=knobs,
        logged_at=at,
    )


def _upsert_sets(rows: list[SetLog]) -> list[SetLog]:
    """An upsert on (workout, step, set number, side): a retried post gets its
    row back with the latest count, never a second row."""
    return SetLog.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["workout", "step", "set_number", "side"],
        update_fields=["exercise", "reps", "seconds", "knobs", "logged_at"],
    )


@transaction.atomic
def undo_set(*, workout: Workout, step_id: int, set_number: int, side: str) -> None:
    workout = lock_for_logging(workout)
    SetLog.objects.filter(
        workout=workout, step_id=step_id, set_number=set_number, side=side
    ).delete()


@transaction.atomic
def log_all_as_prescribed(*, workout: Workout, step_id: int) -> int:
    """Every open set of one exercise at its target, in one write."""
    workout = lock_for_logging(workout)
    plan = build_plan(workout, weaker_side=workout.weaker_side)
    card = plan.card(step_id)
    if card is None:
        raise ValidationError({"step": "That exercise is not part of this session."})
    knobs = _knobs_in_effect(card)
    now = timezone.now()
    _upsert_sets(
        [
            _set_log(
                workout,
                step_id,
                slot,
                reps=slot.target_reps,
                seconds=slot.target_seconds,
                knobs=knobs,
                at=now,
            )
            for slot in card.open_slots
        ]
    )
    _keep_knob_settings(workout, card)
    return len(card.open_slots)


def parse_knob_value(knob: Knob, raw: str) -> tuple[Decimal | None, str]:
    """A typed knob value as (number, level), checked against the knob's range
    or levels; a ValidationError at the ``value`` field otherwise."""
    raw = (raw or "").strip()
    if knob.is_levels:
        if raw not in knob.level_names:
            raise ValidationError({"value": f"Choose one of: {', '.join(knob.level_names)}."})
        return None, raw
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError({"value": "Enter a number, such as 12."}) from None
    if not value.is_finite():
        raise ValidationError({"value": "Enter a number, such as 12."})
    if problem := knob.range_problem(value):
        raise ValidationError({"value": problem})
    if abs(value) > LARGEST_SETTING:
        raise ValidationError(
            {
                "value": f"Enter a value from {knob.format_value(-LARGEST_SETTING)} "
                f"to {knob.format_value(LARGEST_SETTING)}."
            }
        )
    return value.quantize(Decimal("0.1")), ""


def stepped(knob: Knob, *, value: Decimal | None, level: str, direction: str):
    """The next setting one tap easier or harder, clamped to the range."""
    harder_is_up = knob.harder == Knob.Harder.HIGHER
    up = (direction == "harder") == harder_is_up
    if knob.is_levels:
        names = knob.level_names
        index = names.index(level) if level in names else 0
        index = max(0, min(len(names) - 1, index + (1 if up else -1)))
        return None, names[index]
    if value is None:
        raise ValidationError({"value": "Enter where you are now first."})
    step = knob.step or Decimal(1)
    value = value + step if up else value - step
    if knob.minimum is not None:
        value = max(knob.minimum, value)
    if knob.maximum is not None:
        value = min(knob.maximum, value)
    return max(-LARGEST_SETTING, min(LARGEST_SETTING, value)), ""


@transaction.atomic
def set_knob(
    *,
    workout: Workout,
    step_id: int,
    knob_id: int,
    direction: str = "",
    raw_value: str = "",
) -> KnobSetting:
    """Record where a knob is for this workout: a typed value, or one step
    easier or harder than where it is now. One row per knob per workout."""
    workout = lock_for_logging(workout)
    plan = build_plan(workout, weaker_side=workout.weaker_side)
    card = plan.card(step_id)
    state = next((s for s in card.knobs if s.knob.pk == knob_id), None) if card else None
    if state is None:
        raise ValidationError({"knob": "That setting is not part of this exercise."})
    knob = state.knob
    if direction in {"easier", "harder"}:
        value, level = stepped(knob, value=state.value, level=state.level, direction=direction)
    else:
        value, level = parse_knob_value(knob, raw_value)
    (setting,) = KnobSetting.objects.bulk_create(
        [
            KnobSetting(
                workout=workout,
                knob=knob,
                exercise_id=knob.exercise_id,
                value=value,
                level=level,
                unit=knob.unit,
                changed_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["workout", "knob"],
        update_fields=["value", "level", "unit", "changed_at"],
    )
    return setting


@transaction.atomic
def choose_option(*, workout: Workout, step_id: int, option_id: int | None) -> None:
    """Do a step's alternative (or go back to the main exercise); later sets
    follow the alternative's own prescription."""
    workout = lock_for_logging(workout)
    main = next((s for s in workout.prescription["steps"] if s["id"] == step_id), None)
    if main is None:
        raise ValidationError({"step": "That exercise is not part of this session."})
    if option_id is None or option_id == step_id:
        workout.choices.pop(str(step_id), None)
    elif any(option["id"] == option_id for option in main["options"]):
        workout.choices[str(step_id)] = option_id
    else:
        raise ValidationError({"option": "That is not an alternative for this exercise."})
    workout.save(update_fields=["choices"])


@transaction.atomic
def report_pain(*, workout: Workout, step_id: int, level: int, note: str = "") -> PainFlag | None:
    """“Any pain during it?” Zero is stored as the exercise's answer. Pain
    above zero stops it (its open sets close), raises one flag for the
    trainer and emails them. A retried post raises no second flag."""
    workout = lock_for_logging(workout)
    if level not in PAIN_LEVELS:
        raise ValidationError({"level": "Choose None, or a pain level from 1 to 10."})
    plan = build_plan(workout, weaker_side=workout.weaker_side)
    card = plan.card(step_id)
    if card is None:
        raise ValidationError({"step": "That exercise is not part of this session."})
    if card.pain is not None:
        return card.pain
    if level == 0:
        # Locked above, so two answers at once cannot lose one another.
        workout.pain_after[str(step_id)] = 0
        workout.save(update_fields=["pain_after"])
        return None
    flag = PainFlag.objects.create(
        member_id=workout.member_id,
        workout=workout,
        step_id=step_id,
        exercise_id=card.chosen["exercise_id"],
        level=level,
        note=note.strip(),
    )
    notices.pain_alert(flag)
    return flag


def set_weaker_side(*, member: User, side: str) -> None:
    if side not in {Profile.WeakerSide.LEFT, Profile.WeakerSide.RIGHT}:
        raise ValidationError({"side": "Choose left or right."})
    Profile.objects.filter(user=member).update(weaker_side=side)
