"""Writes of the session logger: start, pain checks, sets, knobs, alternatives
and finish. Every write is idempotent where a phone may retry it."""

import functools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Field
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone

from clubsite import kept_pages, together
from members.logbook import emails as notices
from members.logbook.cards import SetSlot
from members.logbook.idempotency import action
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


def _knob_settings_kept(workout: Workout, card) -> list[KnobSetting]:
    """Where each knob of the exercise was for this workout, even when the
    member did not touch it, so the trend has a point for every workout:
    the settings not stored yet. Inserted ignoring conflicts, a setting
    made earlier in the workout would win; under the workout's lock,
    nothing else makes one meanwhile."""
    return [
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
    ]


@dataclass
class Written:
    """The workout as a write's lock read it, everything it holds once the
    write is done, and its history: what the answer shows, without reading
    the workout again."""

    workout: Workout
    logged: Logged
    history: PlanHistory


@dataclass
class LoggedSet(Written):
    """A set just logged, and its workout as ``Written``."""

    log: SetLog


@dataclass
class KnobSet(Written):
    """Where a knob was just set, and its workout as ``Written``."""

    setting: KnobSetting


@dataclass
class PainAnswered(Written):
    """“Any pain during it?” answered, the flag it raised (or had raised
    before), and its workout as ``Written``."""

    flag: PainFlag | None


def _same_row(log: SetLog) -> tuple[int, int, str]:
    return (log.step_id, log.set_number, log.side)


def _with_sets(before: Logged, logs: list[SetLog], settings: list[KnobSetting]) -> Logged:
    """What the workout holds once ``logs`` are stored (new, or in place of
    the same rows) and ``settings`` made."""
    rows = {_same_row(log) for log in logs}
    others = [kept for kept in before.logs if _same_row(kept) not in rows]
    return Logged([*others, *logs], [*before.settings, *settings], before.pains)


def log_set(**arguments) -> SetLog:
    """``logged_set``, for callers that need only the set."""
    return logged_set(**arguments).log


@action
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
    done = _set_log(
        workout,
        step_id,
        slot,
        reps=reps,
        seconds=seconds,
        knobs=_knobs_in_effect(card),
        at=timezone.now(),
    )
    (log,), after = _stored(workout, card, before, [done])
    return LoggedSet(workout, after, history, log)


def _stored(
    workout: Workout, card, before: Logged, logs: list[SetLog]
) -> tuple[list[SetLog], Logged]:
    """Store the sets ``logs`` of one card, and where its knobs were, in one
    statement that also drops the member's kept pages (``clubsite.together``):
    the sets, and what the workout holds after. A set stored alone gets its
    id back; inside a keyed post the sets go with its answer, kept
    (``together.held``), and have none."""
    made = _knob_settings_kept(workout, card)
    upserts, settings = _upserts(logs), together.inserted_ignoring_conflicts(made)
    if not together.held([*upserts, *settings]):
        with kept_pages.dropped_with_last_write(settings), connection.cursor() as cursor:
            for statement in upserts:
                cursor.execute(*statement)
            if len(logs) == 1:
                (logs[0].pk,) = cursor.fetchone()
                logs[0]._state.adding, logs[0]._state.db = False, connection.alias
    return logs, _with_sets(before, logs, made)


def _written_last(statement: together.Statement) -> None:
    """An action's one write, its last: held for a keyed post's answer, kept
    (``together.held``), or sent now, dropping the member's kept pages."""
    if together.held([statement]):
        return
    with kept_pages.dropped_with_last_write(), connection.cursor() as cursor:
        cursor.execute(*statement)


def _workout_updated(workout: Workout, field: str) -> together.Statement:
    """``workout.save(update_fields=[field])``, not sent, and without its
    signals: for a field no review reads, which the standings' signal
    passes over (``members.coaching.standings``)."""
    return together.updated(
        Workout.objects.filter(pk=workout.pk), **{field: getattr(workout, field)}
    )


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


# A set's row is its workout's, step's, set number's and side's: logged again,
# these change.
_SET_ROW = ("workout", "step", "set_number", "side")
_SET_CHANGES = ("exercise", "reps", "seconds", "knobs", "logged_at")


def _upserts(logs: list[SetLog]) -> list[together.Statement]:
    """An upsert on (workout, step, set number, side), not sent: a retried post
    gets its row back with the latest count, never a second row. One set, as
    a tap logs, reads its id back, its SQL compiled once (``_upsert_sql``)."""
    if len(logs) != 1:
        return together.upserted(logs, unique_fields=_SET_ROW, update_fields=_SET_CHANGES)
    sql, fields = _upsert_sql(connection.vendor)
    values = [
        field.get_db_prep_save(field.pre_save(logs[0], True), connection) for field in fields
    ]
    return [(sql, values)]


@functools.cache
def _upsert_sql(vendor: str) -> tuple[str, tuple[Field, ...]]:
    """The upsert of one set, as the ORM writes it, with its id returned, and
    the fields its values are for: made once per process and database, as
    building the query cost as much as running it (0.25 of 0.48 ms, on the
    machine the bench ran on)."""
    meta = SetLog._meta
    fields = tuple(field for field in meta.concrete_fields if not field.primary_key)
    query = InsertQuery(
        SetLog,
        on_conflict=OnConflict.UPDATE,
        update_fields=[meta.get_field(name) for name in _SET_CHANGES],
        unique_fields=[meta.get_field(name) for name in _SET_ROW],
    )
    query.insert_values(fields, [SetLog()])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk]
    ((sql, _values),) = compiler.as_sql()
    return sql, fields


@action
def undo_set(*, workout: Workout, step_id: int, set_number: int, side: str) -> Written:
    """Take back one set logged; the workout may name one by its id and member
    alone (``lock_for_logging``)."""
    workout = lock_for_logging(workout)
    before = logged_in(workout)
    # The member's kept pages are dropped with the set.
    _written_last(
        together.deleted(
            SetLog.objects.filter(
                workout=workout, step_id=step_id, set_number=set_number, side=side
            )
        )
    )
    row = (step_id, set_number, side)
    kept = [log for log in before.logs if _same_row(log) != row]
    return Written(workout, Logged(kept, before.settings, before.pains), plan_history(workout))


@action
def log_all_as_prescribed(*, workout: Workout, step_id: int) -> Written:
    """Every open set of one exercise at its target, in one write."""
    workout = lock_for_logging(workout, step_id=step_id)
    before, history = logged_in(workout), plan_history(workout)
    plan = build_plan(workout, weaker_side=workout.weaker_side, history=history, logged=before)
    card = plan.card(step_id)
    if card is None:
        raise ValidationError({"step": "That exercise is not part of this session."})
    knobs = _knobs_in_effect(card)
    now = timezone.now()
    done = [
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
    _logs, after = _stored(workout, card, before, done)
    return Written(workout, after, history)


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
    # Plus zero: "-0" is stored as 0, and shown so in the answer built from it.
    return value.quantize(Decimal("0.1")) + 0, ""


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


@action
def set_knob(
    *,
    workout: Workout,
    step_id: int,
    knob_id: int,
    direction: str = "",
    raw_value: str = "",
) -> KnobSet:
    """Record where a knob is for this workout: a typed value, or one step
    easier or harder than where it is now. One row per knob per workout."""
    workout = lock_for_logging(workout, step_id=step_id)
    before, history = logged_in(workout), plan_history(workout)
    plan = build_plan(workout, weaker_side=workout.weaker_side, history=history, logged=before)
    card = plan.card(step_id)
    state = next((s for s in card.knobs if s.knob.pk == knob_id), None) if card else None
    if state is None:
        raise ValidationError({"knob": "That setting is not part of this exercise."})
    knob = state.knob
    if direction in {"easier", "harder"}:
        value, level = stepped(knob, value=state.value, level=state.level, direction=direction)
    else:
        value, level = parse_knob_value(knob, raw_value)
    setting = KnobSetting(
        workout=workout,
        knob=knob,
        exercise_id=knob.exercise_id,
        value=value,
        level=level,
        unit=knob.unit,
        changed_at=timezone.now(),
    )
    (upsert,) = together.upserted(
        [setting],
        unique_fields=["workout", "knob"],
        update_fields=["value", "level", "unit", "changed_at"],
    )
    _written_last(upsert)
    settings = [kept for kept in before.settings if kept.knob_id != knob.pk]
    after = Logged(before.logs, [*settings, setting], before.pains)
    return KnobSet(workout, after, history, setting)


@action
def choose_option(*, workout: Workout, step_id: int, option_id: int | None) -> Written:
    """Do a step's alternative (or go back to the main exercise); later sets
    follow the alternative's own prescription."""
    workout = lock_for_logging(workout, step_id=step_id)
    main = next(s for s in workout.prescription["steps"] if s["id"] == step_id)
    if option_id is None or option_id == step_id:
        workout.choices.pop(str(step_id), None)
    elif any(option["id"] == option_id for option in main["options"]):
        workout.choices[str(step_id)] = option_id
    else:
        raise ValidationError({"option": "That is not an alternative for this exercise."})
    _written_last(_workout_updated(workout, "choices"))
    return Written(workout, logged_in(workout), plan_history(workout))


@action
def report_pain(*, workout: Workout, step_id: int, level: int, note: str = "") -> PainAnswered:
    """“Any pain during it?” Zero is stored as the exercise's answer. Pain
    above zero stops it (its open sets close), raises one flag for the
    trainer and emails them. A retried post raises no second flag."""
    workout = lock_for_logging(workout, step_id=step_id)
    if level not in PAIN_LEVELS:
        raise ValidationError({"level": "Choose None, or a pain level from 1 to 10."})
    before, history = logged_in(workout), plan_history(workout)
    plan = build_plan(workout, weaker_side=workout.weaker_side, history=history, logged=before)
    card = plan.card(step_id)
    if card is None:
        raise ValidationError({"step": "That exercise is not part of this session."})
    if card.pain is not None:
        return PainAnswered(workout, before, history, card.pain)
    if level == 0:
        # Locked above, so two answers at once cannot lose one another.
        workout.pain_after[str(step_id)] = 0
        _written_last(_workout_updated(workout, "pain_after"))
        return PainAnswered(workout, before, history, None)
    flag = PainFlag.objects.create(
        member_id=workout.member_id,
        workout=workout,
        step_id=step_id,
        exercise_id=card.chosen["exercise_id"],
        level=level,
        note=note.strip(),
    )
    notices.pain_alert(flag)
    after = Logged(before.logs, before.settings, [*before.pains, flag])
    return PainAnswered(workout, after, history, flag)


def set_weaker_side(*, member: User, side: str) -> None:
    if side not in {Profile.WeakerSide.LEFT, Profile.WeakerSide.RIGHT}:
        raise ValidationError({"side": "Choose left or right."})
    Profile.objects.filter(user=member).update(weaker_side=side)
