"""A routine's step as one member is asked to do it.

A trainer can change one exercise for one member (``members.StepOverride``:
sets, reps or a duration, and a note). Those numbers are laid over the step
here, in a small object of its own, and never written onto the ``Step``: one
loaded step can serve several members, and a step read for the admin is the
routine's own.

``StepOverride`` lives in ``members``; routines reads it only through the
user's ``step_overrides`` relation, so it imports nothing from that app.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from routines.models import Routine, Step
from routines.numbering import step_labels


@dataclass(frozen=True)
class PersonalStep:
    """``step`` with the member's own numbers where ``override`` gives them, its
    place in the routine (``label``, “2a”) and its alternatives (``options``).
    Anything else (the exercise, per side, the hold) is the step's."""

    step: Step
    override: Any = None
    label: str = ""
    options: tuple["PersonalStep", ...] = ()

    def __getattr__(self, name: str) -> Any:
        # Called only for what the dataclass lacks: the step's own fields.
        if name == "step":
            raise AttributeError(name)
        return getattr(self.step, name)

    @property
    def sets(self) -> int:
        return (self.override and self.override.sets) or self.step.sets

    @property
    def reps(self) -> int | None:
        if self.step.is_timed:
            return self.step.reps
        return (self.override and self.override.reps) or self.step.reps

    @property
    def duration_seconds(self) -> int | None:
        if not self.step.is_timed:
            return self.step.duration_seconds
        return (self.override and self.override.duration_seconds) or self.step.duration_seconds

    @property
    def prescription(self) -> str:
        return self.step.describe(
            sets=self.sets, reps=self.reps, duration_seconds=self.duration_seconds
        )


def overrides_for(member, routine: Routine) -> Mapping[int, Any]:
    """The member's overrides of ``routine``'s steps, by step id: one query."""
    if not member.is_authenticated:
        return {}
    return {
        override.step_id: override
        for override in member.step_overrides.filter(step__routine=routine).select_related(
            "knob", "set_by__profile"
        )
    }


def guide_steps(
    routine: Routine, overrides: Mapping[int, Any] | None = None, *, details: bool = True
) -> list[PersonalStep]:
    """The main steps of ``routine`` in order, as ``PersonalStep``: each
    with its ``label`` (“2a”) and ``options`` (its alternatives), every
    exercise's knobs loaded: a fixed number of queries, however many steps.
    With ``details``, equipment and body areas too.

    ``overrides`` maps a step's id to one member's own numbers for it (sets,
    reps, duration_seconds, note), so every prescription written from these
    steps says what that member was asked to do."""
    rows = routine.steps.select_related(
        "exercise", "paired_with__exercise", "paired_from__exercise"
    ).prefetch_related("exercise__knobs")
    if details:
        rows = rows.prefetch_related("exercise__equipment", "exercise__body_areas")
    steps = list(rows)
    overrides = overrides or {}
    mains = [step for step in steps if step.alternative_to_id is None]
    labels = step_labels(steps)
    return [
        PersonalStep(
            step,
            overrides.get(step.pk),
            label=labels[step.pk],
            options=tuple(
                PersonalStep(option, overrides.get(option.pk))
                for option in steps
                if option.alternative_to_id == step.pk
            ),
        )
        for step in mains
    ]
