"""What the logger shows of a workout: its cards, their set slots and knobs."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from members.models import KnobSetting, PainFlag, SetLog, Workout
from members.models.workouts import clock
from routines.models import Exercise, Knob


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
    def prefill(self) -> int | str | None:
        """Reps (or minutes:seconds) to show before logging: what was logged,
        else what the member did last time when it differed, else the target."""
        source = self.log or self.comparable_last_time
        if self.target_seconds is not None:  # is_timed, spelled so mypy sees it
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


# The side of an extra set while the member has not said which side is
# weaker: the set is due (it counts), but cannot be logged until they say.
WEAKER = "weaker"
