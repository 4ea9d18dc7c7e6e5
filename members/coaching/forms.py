"""Forms of the trainer's member page: notes, and handing a member over."""

from dataclasses import replace
from decimal import Decimal
from typing import cast

from django import forms
from django.core.exceptions import ValidationError

from members.logbook.sets import parse_knob_value
from members.models import StepOverride, User
from members.models.access import TRAINERS_GROUP
from members.models.coaching import override_problems
from routines.limits import (
    MAX_REPS,
    MAX_SECONDS,
    MAX_SETS,
    RESOLUTION_NOTE_LENGTH,
    TRAINER_NOTE_LENGTH,
)
from routines.models import Routine
from routines.personal import guide_steps


class TrainerNoteForm(forms.Form):
    prefix = "note"
    text = forms.CharField(
        label="Note",
        max_length=TRAINER_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the note first."},
        help_text="Emailed to the member and shown on their Today and History pages.",
    )
    workout = forms.TypedChoiceField(label="About", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, workouts=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["workout"]).choices = [("", "The whole block")] + [
            (workout.pk, f"The session of {workout.date:%A, %B %-d}") for workout in workouts
        ]


class PainResolutionForm(forms.Form):
    """The trainer's note that resolves a pain flag."""

    note = forms.CharField(
        error_messages={"required": "Write the member a note about what to do next."},
    )

    def clean_note(self) -> str:
        note = self.cleaned_data["note"]
        if len(note) > RESOLUTION_NOTE_LENGTH:
            # Counted for the trainer, who may have pasted a long message in.
            raise ValidationError(
                f"Keep the note under {RESOLUTION_NOTE_LENGTH:,} characters "
                f"(it has {len(note):,})."
            )
        return note


def other_trainers(member: User):
    """Every trainer but the member's current one."""
    trainers = User.objects.filter(is_active=True, is_staff=True)
    if (current := member.profile.trainer_id) is not None:
        trainers = trainers.exclude(pk=current)
    return (
        trainers.filter(groups__name=TRAINERS_GROUP)
        .select_related("profile")
        .order_by("profile__display_name", "email")
        .distinct()
    )


class TrainerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class HandOverForm(forms.Form):
    prefix = "handover"

    trainer = TrainerChoiceField(
        label="New trainer",
        queryset=User.objects.none(),
        empty_label="Choose a trainer",
        error_messages={"required": "Choose the trainer to hand over to."},
    )
    confirm = forms.BooleanField(
        label="Yes, hand this member over",
        error_messages={"required": "Tick to confirm the hand-over."},
    )

    def __init__(self, *args, member: User, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        cast(TrainerChoiceField, self.fields["trainer"]).queryset = other_trainers(member)


def _count(label: str, *, most: int, help_text: str) -> forms.IntegerField:
    """An optional whole number from 1 to ``most``, typed on the phone's number pad."""
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=most,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=help_text,
    )


class OverrideForm(forms.Form):
    """One member's own numbers for one step of their routine, with a note."""

    prefix = "override"

    step = forms.TypedChoiceField(label="Exercise", coerce=int)
    sets = _count("Sets", most=MAX_SETS, help_text="Empty keeps the routine's.")
    reps = _count("Reps per set", most=MAX_REPS, help_text="For counted exercises.")
    minutes = forms.DecimalField(
        label="Minutes",
        required=False,
        min_value=Decimal("0.5"),
        max_value=MAX_SECONDS // 60,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
        help_text="For timed exercises.",
    )
    knob = forms.TypedChoiceField(
        label="Setting to start from",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Wall distance, band, reach or load of the exercise above.",
    )
    knob_start = forms.CharField(
        label="Starting value", required=False, max_length=40, help_text="A number, or a level."
    )
    note = forms.CharField(
        label="Note to the member",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown with the exercise in their guide and logger.",
    )

    FIELD_FOR = {
        "reps": "reps",
        "sets": "sets",
        "duration_seconds": "minutes",
        "knob": "knob",
        "knob_value": "knob_start",
        "knob_level": "knob_start",
        "__all__": None,
    }

    def __init__(self, *args, member: User, routine: Routine, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.steps = {step.pk: step for step in _all_steps(routine)}
        cast(forms.ChoiceField, self.fields["step"]).choices = [
            (step.pk, f"{step.label}. {step.exercise.name}: {step.prescription}")
            for step in self.steps.values()
        ]
        self.knobs = {
            knob.pk: knob for step in self.steps.values() for knob in step.exercise.knobs.all()
        }
        cast(forms.ChoiceField, self.fields["knob"]).choices = [
            ("", "Leave their settings as they are")
        ] + [
            (
                knob.pk,
                f"{knob.exercise.name}: {knob.label.lower()}"
                + (f" ({', '.join(knob.level_names)})" if knob.is_levels else f" ({knob.unit})"),
            )
            for knob in self.knobs.values()
        ]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        step = self.steps[cleaned["step"]]
        minutes = cleaned.get("minutes")
        override = StepOverride(
            member=self.member,
            step=step.step,
            sets=cleaned.get("sets"),
            reps=cleaned.get("reps"),
            duration_seconds=round(minutes * 60) if minutes else None,
            note=cleaned.get("note", "").strip(),
        )
        knob = self.knobs.get(cleaned.get("knob"))
        if knob is not None:
            override.knob = knob
            if knob.exercise_id == step.exercise_id:
                try:
                    override.knob_value, override.knob_level = parse_knob_value(
                        knob, cleaned.get("knob_start", "")
                    )
                except ValidationError as error:
                    self.add_error("knob_start", error.message_dict["value"])
                    return cleaned
        elif cleaned.get("knob_start"):
            self.add_error("knob", "Choose which setting the starting value is for.")
            return cleaned
        for field, message in override_problems(override).items():
            self.add_error(self.FIELD_FOR.get(field), message)
        self.override = override
        return cleaned


def _all_steps(routine: Routine):
    """Every step of a routine, main steps in order, each followed by its alternatives."""
    for step in guide_steps(routine, details=False):
        yield step
        for option in step.options:
            yield replace(option, label=f"{step.label}, instead")
