"""The logger's view of a workout: the copied prescription turned into cards of
set rows, with what is logged, what to prefill and what pain has stopped.

Nothing here writes; ``members.logbook.sets`` does."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import QuerySet

from clubsite import kept_pages
from clubsite.json_rows import RelatedRows, rows_from
from members.logbook.cards import WEAKER, KnobState, SetSlot, StepCard, StepGroup, WorkoutPlan
from members.models import KnobSetting, PainFlag, SetLog, StepOverride, Workout
from routines.models import Exercise, Routine
from routines.personal import PersonalStep, guide_steps

if TYPE_CHECKING:  # django-stubs' helper is a development dependency only
    from django_stubs_ext import WithAnnotations

SIDES_IN_ORDER = [SetLog.Side.LEFT, SetLog.Side.RIGHT]


def snapshot(routine: Routine, overrides: Mapping[int, StepOverride] | None = None) -> dict:
    """The routine's steps and targets as plain data, copied onto a workout when
    it starts: later edits to the routine never change what was asked. With the
    member's ``overrides``, the targets are that member's own."""

    def target(step: PersonalStep) -> dict:
        override = step.override
        return {
            "id": step.pk,
            "exercise_id": step.exercise_id,
            "name": step.exercise.name,
            "sets": step.sets,
            "reps": step.reps,
            "seconds": step.duration_seconds,
            "per_side": step.per_side,
            "extra": step.weaker_side_extra_sets,
            "hold": step.hold_seconds,
            "text": step.prescription,
            "notes": step.notes,
            "override_note": override.note if override else "",
            "override_by": override.set_by.display_name if override and override.set_by else "",
            "knob_start": _knob_start(override),
        }

    steps = []
    for step in guide_steps(routine, overrides):
        partner = step.partner
        steps.append(
            {
                **target(step),
                "label": step.label,
                "pair": partner.pk if partner else None,
                "options": [target(option) for option in step.options],
            }
        )
    return {"routine_id": routine.pk, "title": routine.title, "steps": steps}


def _knob_start(override: StepOverride | None) -> dict | None:
    """The override's starting knob setting, and since when it applies: it wins
    over what the member logged before the trainer set it."""
    if override is None or not override.knob_start:
        return None
    return {
        "knob": override.knob_id,
        "value": str(override.knob_value) if override.knob_value is not None else None,
        "level": override.knob_level,
        "since": override.updated_at.isoformat(),
    }


def _slots_for(target: dict, *, main_id: int, weaker_side: str) -> tuple[list[SetSlot], bool]:
    """The rows of one step, in the order they are done; and whether the extra
    weaker-side set waits for the member to say which side is weaker."""

    def slot(number, side, *, extra=False):
        return SetSlot(
            step_id=main_id,
            exercise_id=target["exercise_id"],
            set_number=number,
            side=side,
            target_reps=target["reps"],
            target_seconds=target["seconds"],
            is_extra=extra,
            name=target["name"],
        )

    if not target["per_side"]:
        return [slot(n, SetLog.Side.BOTH) for n in range(1, target["sets"] + 1)], False
    rows = [slot(n, side) for n in range(1, target["sets"] + 1) for side in SIDES_IN_ORDER]
    extra = target.get("extra", 0)
    # Unknown, the extra sets are still due, on a row that asks for the side:
    # the session's total is the same before and after the answer.
    side = weaker_side if weaker_side in SIDES_IN_ORDER else WEAKER
    rows += [slot(target["sets"] + n, side, extra=True) for n in range(1, extra + 1)]
    return rows, bool(extra) and side == WEAKER


@dataclass
class PlanHistory:
    """What a plan reads besides the workout itself: the previous workout's
    sets, where each knob was left before, and the exercises with their knobs.
    Logging a set changes none of it, so a request that checks a set against
    the plan and then answers with the plan reads it once."""

    last_logs: dict
    last_settings: dict
    exercises: dict
    # The member has finished this routine before: the logger folds its
    # instructions away, to keep each card to what is done now.
    returning: bool = False


def _exercise_ids(workout: Workout) -> set[int]:
    steps = workout.prescription.get("steps", [])
    return {s["exercise_id"] for s in steps} | {
        o["exercise_id"] for s in steps for o in s["options"]
    }


def earlier_than(workout: Workout) -> dict:
    """What the logger shows of the member's earlier workouts, as plain data
    (``Workout.earlier``): the previous finished workout's sets, where each
    knob of the session's exercises was left, and whether that workout was of
    this routine. ``start_workout`` copies it onto the workout: logging sets
    reads it there, not from every earlier workout again."""
    previous = last_workout_before(workout)
    # The latest earlier setting of each knob: where the member left it.
    settings: dict[int, KnobSetting] = {}
    for setting in (
        KnobSetting.objects.filter(
            workout__member=workout.member_id,
            workout__started_at__lt=workout.started_at,
            exercise__in=_exercise_ids(workout),
        )
        .select_related("workout")
        .order_by("knob_id", "-workout__started_at")
    ):
        settings.setdefault(setting.knob_id, setting)
    return {
        "returning": previous is not None and previous.routine_id == workout.routine_id,
        "sets": [
            {
                "step": log.step_id,
                "exercise": log.exercise_id,
                "set": log.set_number,
                "side": log.side,
                "reps": log.reps,
                "seconds": log.seconds,
                "target_reps": log.target_reps,
                "target_seconds": log.target_seconds,
            }
            for log in (previous.set_logs.all() if previous else [])
        ],
        "knobs": [
            {
                "knob": setting.knob_id,
                "value": None if setting.value is None else str(setting.value),
                "level": setting.level,
                "unit": setting.unit,
                "started_at": setting.workout.started_at.isoformat(),
            }
            for setting in settings.values()
        ],
    }


def plan_history(workout: Workout) -> PlanHistory:
    """The history ``build_plan`` shows: the workout's copy of its earlier
    sets where it has one, and the exercises as of the version of the club's
    routines its lock read (``club_version``), or as of now."""
    version = getattr(workout, "club_version", None) or kept_pages.stamps([kept_pages.CLUB])[0]
    if workout.earlier is None:
        return _history(workout, earlier_than(workout), version)
    if workout._state.adding:  # a session not started yet: its page only
        return _history(workout, workout.earlier, version)
    # A started workout's copy never changes: rebuilt once per version. Its
    # start names it with its id, which SQLite may give again after a delete.
    key = (workout.pk, workout.started_at, version)
    if (history := _copied.get(key)) is None:
        if len(_copied) >= 1000:
            _copied.clear()
        history = _copied[key] = _history(workout, workout.earlier, version)
    return history


# Histories rebuilt from started workouts' copies (``Workout.earlier``), by
# workout and version of the club's routines: shared, not to be changed.
_copied: dict[tuple[int, dt.datetime, str], PlanHistory] = {}


def _history(workout: Workout, earlier: dict, version: str) -> PlanHistory:
    last_logs = {
        (row["step"], row["set"], row["side"], row["exercise"]): SetLog(
            step_id=row["step"],
            exercise_id=row["exercise"],
            set_number=row["set"],
            side=row["side"],
            reps=row["reps"],
            seconds=row["seconds"],
            target_reps=row["target_reps"],
            target_seconds=row["target_seconds"],
        )
        for row in earlier["sets"]
    }
    last_settings = {
        row["knob"]: KnobSetting(
            knob_id=row["knob"],
            value=None if row["value"] is None else Decimal(row["value"]),
            level=row["level"],
            unit=row["unit"],
            workout=Workout(started_at=dt.datetime.fromisoformat(row["started_at"])),
        )
        for row in earlier["knobs"]
    }
    exercises = exercises_with_knobs(_exercise_ids(workout), version=version)
    return PlanHistory(last_logs, last_settings, exercises, earlier["returning"])


# The exercises with their knobs, as of one version of the club's routines
# (the token of its stamp, which any write to a routine's content renews):
# read once per version by each process, not on every tap.
_exercises: dict[str, dict[int, Exercise]] = {}


def exercises_with_knobs(ids: set[int], *, version: str) -> dict[int, Exercise]:
    """These exercises, their knobs prefetched, as of ``version``. Shared by
    every request of the process: not to be changed."""
    kept = _exercises.get(version)
    if kept is None:
        _exercises.clear()
        kept = _exercises[version] = {}
    if missing := ids - kept.keys():
        # Read after the version: never older than what it names.
        found = Exercise.objects.filter(pk__in=missing).prefetch_related("knobs")
        kept.update({exercise.pk: exercise for exercise in found})
    return {pk: kept[pk] for pk in ids if pk in kept}


@dataclass
class Logged:
    """What a workout holds so far: its sets, knob settings and pain flags
    (oldest first). A write that read them under the workout's lock knows
    them after it too, and the answer is built from that, not read again."""

    logs: list[SetLog]
    settings: list[KnobSetting]
    pains: list[PainFlag]


class Holdings(TypedDict):
    """What a workout holds, as ``with_logged`` reads it with the workout."""

    logged_sets: str
    logged_settings: str
    logged_pains: str


type WithLogged = "WithAnnotations[Workout, Holdings]"


def with_logged(workouts: QuerySet[Workout]) -> QuerySet[Workout]:
    """``workouts``, each read with what it holds (``logged_in``), in the
    same query."""
    return workouts.annotate(
        logged_sets=RelatedRows(SetLog, key="workout"),
        logged_settings=RelatedRows(KnobSetting, key="workout"),
        logged_pains=RelatedRows(PainFlag, key="workout"),
    )


def logged_in(workout: Workout) -> Logged:
    """The workout's sets, settings and flags: read with it (``with_logged``),
    or three queries."""
    if workout._state.adding:  # a session not started yet has nothing logged
        return Logged([], [], [])
    if hasattr(workout, "logged_sets"):
        read = cast("WithLogged", workout)
        logs = rows_from(SetLog, read.logged_sets)
        settings = rows_from(KnobSetting, read.logged_settings)
        pains = rows_from(PainFlag, read.logged_pains)
    else:
        logs, settings = list(workout.set_logs.all()), list(workout.knob_settings.all())
        pains = list(workout.pain_flags.all())
    return Logged(logs, settings, sorted(pains, key=lambda flag: flag.created_at))


def build_plan(
    workout: Workout,
    *,
    weaker_side: str,
    history: PlanHistory | None = None,
    logged: Logged | None = None,
) -> WorkoutPlan:
    """Everything the logger page shows, in a fixed number of queries, for a
    member whose weaker side (``Profile.weaker_side``) is ``weaker_side``."""
    steps = workout.prescription.get("steps", [])
    logged = logged or logged_in(workout)
    logs = {(log.step_id, log.set_number, log.side): log for log in logged.logs}
    settings = {setting.knob_id: setting for setting in logged.settings}
    pains = {flag.step_id: flag for flag in logged.pains if flag.step_id}
    history = history or plan_history(workout)
    last_logs, last_settings, exercises = (
        history.last_logs,
        history.last_settings,
        history.exercises,
    )

    cards = {}
    for main in steps:
        chosen_id = workout.choices.get(str(main["id"]))
        chosen = next((o for o in main["options"] if o["id"] == chosen_id), main)
        slots, needs_side = _slots_for(chosen, main_id=main["id"], weaker_side=weaker_side)
        pain = pains.get(main["id"])
        for slot in slots:
            slot.log = logs.get((slot.step_id, slot.set_number, slot.side))
            slot.last_time = last_logs.get(
                (slot.step_id, slot.set_number, slot.side, slot.exercise_id)
            )
            slot.stopped = pain is not None and slot.log is None
        exercise = exercises[chosen["exercise_id"]]
        start = chosen.get("knob_start")
        knobs = [
            KnobState(
                knob,
                settings.get(knob.pk),
                last_settings.get(knob.pk),
                start=start if start and start["knob"] == knob.pk else None,
            )
            for knob in exercise.knobs.all()
        ]
        cards[main["id"]] = StepCard(
            main,
            chosen,
            exercise,
            knobs,
            slots,
            pain,
            needs_side,
            no_pain=str(main["id"]) in workout.pain_after,
        )

    groups, seen = [], set()
    for main in steps:
        if main["id"] in seen:
            continue
        partner_id = main["pair"]
        if partner_id in cards and partner_id not in seen:
            first, second = cards[main["id"]], cards[partner_id]
            seen |= {main["id"], partner_id}
            label = f"{first.main['label']} and {second.main['label']}"
            group = StepGroup(label, [first, second], _interleave(first.slots, second.slots))
        else:
            seen.add(main["id"])
            group = StepGroup(main["label"], [cards[main["id"]]], list(cards[main["id"]].slots))
        groups.append(group)
    return WorkoutPlan(workout, groups, returning=history.returning)


def _interleave(first: list[SetSlot], second: list[SetSlot]) -> list[SetSlot]:
    rows = []
    for index in range(max(len(first), len(second))):
        rows += first[index : index + 1] + second[index : index + 1]
    return rows


def last_workout_before(workout: Workout) -> Workout | None:
    """The member's previous finished workout, with its sets, for prefilling."""
    return (
        Workout.objects.filter(
            member=workout.member_id, finished_at__isnull=False, started_at__lt=workout.started_at
        )
        .exclude(pk=workout.pk)
        .order_by("-started_at")
        .prefetch_related("set_logs")
        .first()
    )
