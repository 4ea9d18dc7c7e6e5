"""The logger's view of a workout: the copied prescription turned into cards of
set rows, with what is logged, what to prefill and what pain has stopped.

Nothing here writes; ``members.logbook`` does."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from members.models import KnobSetting, PainFlag, Profile, SetLog, StepOverride, Workout
from members.models.workouts import clock
from routines.models import Exercise, Knob, Routine, Step

SIDES_IN_ORDER = [SetLog.Side.LEFT, SetLog.Side.RIGHT]
# The side of an extra set while the member has not said which side is
# weaker: the set is due (it counts), but cannot be logged until they say.
WEAKER = "weaker"


def snapshot(routine: Routine, overrides: dict[int, StepOverride] | None = None) -> dict:
    """The routine's steps and targets as plain data, copied onto a workout when
    it starts: later edits to the routine never change what was asked. With the
    member's ``overrides``, the targets are that member's own."""

    def target(step: Step) -> dict:
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
    for step in routine.guide_steps(overrides):
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


@dataclass
class SetSlot:
    """One row of the logger: a set to log, logged or stopped."""

    step_id: int
    exercise_id: int
    set_number: int
    side: str
    target_reps: int | None
    target_seconds: int | None
    log: SetLog | None = None
    last_time: SetLog | None = None
    stopped: bool = False
    is_extra: bool = False
    name: str = ""
    error: str = ""

    @property
    def key(self) -> str:
        return f"{self.step_id}-{self.set_number}-{self.side}"

    @property
    def is_timed(self) -> bool:
        return self.target_seconds is not None

    @property
    def needs_side(self) -> bool:
        """The extra set whose side the member has not chosen yet."""
        return self.side == WEAKER

    @property
    def is_due(self) -> bool:
        return self.log is None and not self.stopped

    @property
    def label(self) -> str:
        side = {"left": " left", "right": " right", WEAKER: " weaker side"}.get(self.side, "")
        extra = " (extra)" if self.is_extra else ""
        return f"Set {self.set_number}{side}{extra}"

    @property
    def comparable_last_time(self) -> SetLog | None:
        """Last time's set, if it was asked for with the same target: after the
        trainer changes the numbers, last time's count no longer applies."""
        last = self.last_time
        if last is None:
            return None
        if (last.target_reps, last.target_seconds) != (self.target_reps, self.target_seconds):
            return None
        return last

    @property
    def prefill(self) -> int | str:
        """Reps (or minutes:seconds) to show before logging: what was logged,
        else what the member did last time when it differed, else the target."""
        source = self.log or self.comparable_last_time
        if self.is_timed:
            seconds = source.seconds if source and source.seconds else self.target_seconds
            return clock(seconds)
        if source and source.reps is not None:
            return source.reps
        return self.target_reps

    @property
    def target_clock(self) -> str:
        return clock(self.target_seconds) if self.target_seconds else ""

    @property
    def last_time_differs(self) -> bool:
        """The member did something other than the target last time (shown as a hint)."""
        last = self.comparable_last_time
        if last is None:
            return False
        if self.is_timed:
            return last.seconds != self.target_seconds
        return last.reps != self.target_reps


@dataclass
class KnobState:
    knob: Knob
    setting: KnobSetting | None
    last_time: KnobSetting | None
    # "easier" or "harder" right after a tap, to show the trainer's guidance.
    moved: str = ""
    # The trainer's starting setting for this member ({"value", "level", "since"}).
    start: dict | None = None

    def __post_init__(self):
        # The trainer's start wins over a setting logged before it was given.
        if self.start and self.last_time is not None:
            since = dt.datetime.fromisoformat(self.start["since"])
            if self.last_time.workout.started_at < since:
                self.last_time = None

    @property
    def guidance(self) -> str:
        return {
            "easier": self.knob.easier_guidance,
            "harder": self.knob.harder_guidance,
        }.get(self.moved, "")

    @property
    def value(self) -> Decimal | None:
        source = self.setting or self.last_time
        if source:
            return source.value
        if self.start and self.start["value"] is not None:
            return Decimal(self.start["value"])
        return self.knob.start_value

    @property
    def level(self) -> str:
        source = self.setting or self.last_time
        if source:
            return source.level
        if self.start and self.start["level"]:
            return self.start["level"]
        return self.knob.start_level

    @property
    def has_value(self) -> bool:
        return bool(self.level) if self.knob.is_levels else self.value is not None

    @property
    def display(self) -> str:
        if self.knob.is_levels:
            return self.level
        if self.value is None:
            return ""
        return self.knob.format_value(self.value)

    @property
    def last_display(self) -> str:
        return self.last_time.display if self.last_time else ""


@dataclass
class StepCard:
    """One exercise of the session: the main step or the alternative chosen."""

    main: dict
    chosen: dict
    exercise: Exercise
    knobs: list[KnobState]
    slots: list[SetSlot]
    pain: PainFlag | None
    needs_side: bool = False
    no_pain: bool = False
    # Finish asked for this card's pain answer and did not get it.
    pain_missing: bool = False

    @property
    def step_id(self) -> int:
        return self.main["id"]

    @property
    def is_alternative(self) -> bool:
        return self.chosen["id"] != self.main["id"]

    @property
    def open_slots(self) -> list[SetSlot]:
        """The sets that can be logged now (not the one waiting for a side)."""
        return [slot for slot in self.slots if slot.is_due and not slot.needs_side]

    @property
    def pain_answered(self) -> bool:
        return self.pain is not None or self.no_pain

    @property
    def needs_pain_answer(self) -> bool:
        """Sets were done and “any pain during it?” is unanswered."""
        return not self.pain_answered and self.done > 0

    @property
    def asks_pain(self) -> bool:
        """The card asks the question: after the last set, or when Finish asked."""
        if not self.needs_pain_answer:
            return False
        return self.pain_missing or not any(slot.is_due for slot in self.slots)

    @property
    def is_complete(self) -> bool:
        return all(slot.log is not None for slot in self.slots) and self.pain_answered

    @property
    def done(self) -> int:
        return sum(1 for slot in self.slots if slot.log is not None)


@dataclass
class StepGroup:
    """A card on the page: one step, or two paired steps with interleaved sets."""

    label: str
    cards: list[StepCard]
    slots: list[SetSlot] = field(default_factory=list)
    error: str = ""

    @property
    def anchor(self) -> str:
        return f"step-{self.cards[0].step_id}"

    @property
    def is_pair(self) -> bool:
        return len(self.cards) > 1

    @property
    def done(self) -> int:
        return sum(1 for slot in self.slots if slot.log is not None)

    @property
    def open(self) -> int:
        return sum(1 for slot in self.slots if slot.is_due)


@dataclass
class WorkoutPlan:
    workout: Workout
    groups: list[StepGroup]
    returning: bool = False

    @property
    def slots(self) -> list[SetSlot]:
        return [slot for group in self.groups for slot in group.slots]

    @property
    def planned(self) -> int:
        return sum(1 for slot in self.slots if not slot.stopped or slot.log)

    @property
    def done(self) -> int:
        return sum(1 for slot in self.slots if slot.log is not None)

    @property
    def cards(self) -> list[StepCard]:
        return [card for group in self.groups for card in group.cards]

    @property
    def is_complete(self) -> bool:
        return all(card.is_complete for card in self.cards)

    @property
    def unanswered_pain(self) -> list[StepCard]:
        """Exercises with sets done whose pain question waits for an answer."""
        return [card for card in self.cards if card.needs_pain_answer]

    def annotate(self, *, errors: dict[str, str], guidance: dict[int, str]) -> None:
        """Attach what the last request said: errors by row key or ``step-<id>``,
        and which knob just moved which way."""
        for group in self.groups:
            group.error = next(
                (
                    errors[f"step-{card.step_id}"]
                    for card in group.cards
                    if f"step-{card.step_id}" in errors
                ),
                "",
            )
            for slot in group.slots:
                slot.error = errors.get(slot.key, "")
            for card in group.cards:
                card.pain_missing = f"pain-{card.step_id}" in errors
                for state in card.knobs:
                    state.moved = guidance.get(state.knob.pk, "")

    def card(self, step_id: int) -> StepCard | None:
        return next(
            (card for group in self.groups for card in group.cards if card.step_id == step_id),
            None,
        )

    def group_of(self, step_id: int) -> StepGroup | None:
        return next((g for g in self.groups if any(c.step_id == step_id for c in g.cards)), None)

    def slot(self, step_id: int, set_number: int, side: str) -> SetSlot | None:
        card = self.card(step_id)
        if card is None:
            return None
        return next(
            (s for s in card.slots if s.set_number == set_number and s.side == side),
            None,
        )


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


def plan_history(workout: Workout) -> PlanHistory:
    steps = workout.prescription.get("steps", [])
    previous = last_workout_before(workout)
    last_logs, last_settings = {}, {}
    if previous is not None:
        last_logs = {
            (log.step_id, log.set_number, log.side, log.exercise_id): log
            for log in previous.set_logs.all()
        }
    exercise_ids = {s["exercise_id"] for s in steps} | {
        o["exercise_id"] for s in steps for o in s["options"]
    }
    # The latest earlier setting of each knob: where the member left it.
    for setting in (
        KnobSetting.objects.filter(
            workout__member=workout.member_id,
            workout__started_at__lt=workout.started_at,
            exercise__in=exercise_ids,
        )
        .select_related("workout")
        .order_by("knob_id", "-workout__started_at")
    ):
        last_settings.setdefault(setting.knob_id, setting)
    exercises = {
        exercise.pk: exercise
        for exercise in Exercise.objects.filter(pk__in=exercise_ids).prefetch_related("knobs")
    }
    returning = previous is not None and previous.routine_id == workout.routine_id
    return PlanHistory(last_logs, last_settings, exercises, returning)


def build_plan(
    workout: Workout, *, profile: Profile, history: PlanHistory | None = None
) -> WorkoutPlan:
    """Everything the logger page shows, in a fixed number of queries."""
    steps = workout.prescription.get("steps", [])
    logs = {
        (log.step_id, log.set_number, log.side): log
        for log in workout.set_logs.all()  # prefetched by the caller, or one query
    }
    settings = {setting.knob_id: setting for setting in workout.knob_settings.all()}
    pains = {flag.step_id: flag for flag in workout.pain_flags.all() if flag.step_id}
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
        slots, needs_side = _slots_for(chosen, main_id=main["id"], weaker_side=profile.weaker_side)
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
