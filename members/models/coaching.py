"""What a trainer adds to a member's block: prescription overrides for one
member, and notes to the member."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.models.workouts import MembersRowsQuerySet
from routines.fields import optional_key
from routines.limits import TRAINER_NOTE_LENGTH, duration_field, reps_field, sets_field
from routines.models import Knob, Step
from routines.models.exercises import format_amount
from routines.personal import PersonalStep


class StepOverride(models.Model):
    """One member's own numbers for one step: fewer reps, another set count, a
    different starting knob value. Every page that writes the step's
    prescription for that member uses them."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="step_overrides",
        limit_choices_to={"is_staff": False},
    )
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="overrides")
    sets = sets_field(null=True, blank=True, help_text="Empty keeps the routine's sets.")
    reps = reps_field(help_text="Empty keeps the routine's reps.")
    duration_seconds = duration_field(
        help_text="For a timed step. Empty keeps the routine's duration."
    )
    knob = optional_key(
        Knob,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The knob whose starting point changes, if any.",
    )
    knob_value = models.DecimalField(
        "knob start value", max_digits=6, decimal_places=1, null=True, blank=True
    )
    knob_level = models.CharField("knob start level", max_length=40, blank=True)
    note = models.CharField(
        max_length=300, blank=True, help_text="Why, in words the member reads in the logger."
    )
    set_by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    objects = MembersRowsQuerySet.as_manager()

    class Meta:
        ordering = ["member", "step__order", "step_id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "step"], name="one_override_per_member_step")
        ]

    def __str__(self):
        return f"{self.step.exercise.name} for {self.member}: {self.summary}"

    @property
    def personal_step(self) -> PersonalStep:
        """The step as this member is asked to do it."""
        return PersonalStep(self.step, self)

    @property
    def knob_start(self) -> str:
        if (knob := self.knob) is None:
            return ""
        if knob.is_levels:
            return self.knob_level
        return format_amount(self.knob_value, knob.unit) if self.knob_value else ""

    @property
    def summary(self) -> str:
        """What changed, in words: “15 reps · start feet distance from wall at 8 in”."""
        parts = []
        if self.sets:
            parts.append(f"{self.sets} set{'s' if self.sets != 1 else ''}")
        if self.reps:
            parts.append(f"{self.reps} reps")
        if self.duration_seconds:
            minutes, seconds = divmod(self.duration_seconds, 60)
            parts.append(f"{minutes} min" + (f" {seconds} s" if seconds else ""))
        if (knob := self.knob) is not None and self.knob_start:
            parts.append(f"start {knob.label.lower()} at {self.knob_start}")
        return " · ".join(parts) or "note only"

    def clean(self):
        super().clean()
        problems = override_problems(self)
        if problems:
            raise ValidationError(problems)


def override_problems(override: StepOverride) -> dict[str, str]:
    """What is wrong with an override, by field: one place for the admin and the
    trainer's form."""
    problems: dict[str, str] = {}
    step = override.step if override.step_id else None
    if step is None:
        return problems
    if override.reps and step.is_timed:
        problems["reps"] = f"{step.exercise.name} is timed: change its duration instead."
    if override.duration_seconds and not step.is_timed:
        problems["duration_seconds"] = (
            f"{step.exercise.name} is counted in reps: change its reps instead."
        )
    if (knob := override.knob) is not None:
        if knob.exercise_id != step.exercise_id:
            problems["knob"] = f"Choose a setting of {step.exercise.name} itself."
        elif knob.is_levels:
            if override.knob_level not in knob.level_names:
                problems["knob_level"] = f"Choose one of: {', '.join(knob.level_names)}."
        elif override.knob_value is None:
            problems["knob_value"] = f"Give the {knob.label.lower()} to start at."
        elif problem := knob.range_problem(override.knob_value):
            problems["knob_value"] = problem
    has_change = any([override.sets, override.reps, override.duration_seconds, override.knob_id])
    if not has_change and not override.note.strip():
        problems["__all__"] = "Change at least one number, or write a note."
    return problems


class TrainerNote(models.Model):
    """A short note from the trainer to the member, on a workout or on the whole
    block. The member sees it on Today and History and gets it by email."""

    assignment = models.ForeignKey(
        "members.Assignment", on_delete=models.CASCADE, related_name="trainer_notes"
    )
    workout = optional_key(
        "members.Workout",
        on_delete=models.CASCADE,
        related_name="trainer_notes",
        help_text="Empty for a note on the whole block.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(max_length=TRAINER_NOTE_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="trainer_note_not_empty"),
        ]

    def __str__(self):
        return f"Note to {self.assignment.member} on {self.created_at:%b %-d}"
