"""The logger's forms: everything a member posts during a session.

Each is small: the views look the workout up first (a foreign one is a 404),
then a form turns the post into clean values, then a service in ``sets`` or
``workouts`` acts. The numbers a form allows come from ``routines.limits``.
"""

from django import forms
from django.core.exceptions import ValidationError

from members.logbook.sets import TIME_HINT, TIME_RANGE
from members.models import Profile, SetLog, Workout
from members.web.text import messages_text
from routines.limits import (
    MAX_ID,
    MAX_PAIN,
    MAX_REPS,
    MAX_SECONDS,
    MAX_SETS,
    NO_PAIN,
    PAIN_NOTE_LENGTH,
    WORKOUT_NOTE_LENGTH,
)


def number(
    low: int, high: int, *, required: bool = True, missing: str | None = None
) -> forms.IntegerField:
    """A whole number from ``low`` to ``high``, refused in the member's words;
    ``missing`` is what to say when there is none."""
    in_range = f"Enter a number from {low} to {high}."
    return forms.IntegerField(
        min_value=low,
        max_value=high,
        required=required,
        error_messages={
            "invalid": "Enter a whole number.",
            "min_value": in_range,
            "max_value": in_range,
            **({"required": missing} if missing else {}),
        },
    )


def row_id(*, required: bool = True) -> forms.IntegerField:
    """A step, knob, option or session named by a hidden field."""
    return number(1, MAX_ID, required=required)


class MinutesField(forms.CharField):
    """A timed set as the member types it: whole minutes ("8") or minutes and
    seconds as the timer shows them ("7:42"), cleaned to seconds."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        minutes, colon, seconds = text.partition(":")
        digits = minutes.isascii() and minutes.isdigit() and len(minutes) <= 3
        if colon:
            digits = digits and seconds.isascii() and seconds.isdigit() and len(seconds) == 2
        if not digits or (colon and int(seconds) > 59):
            raise ValidationError(TIME_HINT, code="invalid")
        total = 60 * int(minutes) + (int(seconds) if colon else 0)
        if not 0 < total <= MAX_SECONDS:
            raise ValidationError(TIME_RANGE, code="max_value")
        return total


class LoggerForm(forms.Form):
    def problems(self) -> str:
        """Every message, in one line, for a row or a card that has one slot."""
        return " ".join(messages_text(messages) for messages in self.errors.values())


class StartForm(LoggerForm):
    """Start the planned session named, or today's."""

    session = row_id(required=False)


class PainCheckForm(LoggerForm):
    """“Any pain right now?”, before the first set."""

    level = number(
        NO_PAIN,
        MAX_PAIN,
        missing="Choose None, or how much it hurts from 1 to 10, to start.",
    )
    note = forms.CharField(required=False, max_length=PAIN_NOTE_LENGTH)


class SetForm(LoggerForm):
    """Which set a row is: its hidden fields."""

    step = row_id()
    set_number = number(1, 2 * MAX_SETS)
    side = forms.ChoiceField(
        choices=SetLog.Side.choices,
        error_messages={
            "required": "Choose left, right or both.",
            "invalid_choice": "Choose left, right or both.",
        },
    )

    def row(self) -> dict:
        """The set, as the services name it."""
        data = self.cleaned_data
        return {"step_id": data["step"], "set_number": data["set_number"], "side": data["side"]}

    def typed(self) -> str | None:
        """What the member typed, to put back beside its message: nothing here."""
        return None

    def key(self) -> str:
        """The row's key on the page, once the three fields are clean."""
        data = getattr(self, "cleaned_data", {})
        if not {"step", "set_number", "side"} <= data.keys():
            return ""
        return f"{data['step']}-{data['set_number']}-{data['side']}"


class LogSetForm(SetForm):
    """A set done: reps for a counted row, minutes for a timed one (the row
    sends the one field it has)."""

    reps = number(0, MAX_REPS, required=False)
    minutes = MinutesField(required=False)
    edit = forms.BooleanField(required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if "minutes" in self.data:
            data["reps"] = None
        else:
            data["minutes"] = None
            if data.get("reps") is None and "reps" not in self.errors:
                self.add_error("reps", "Enter a whole number.")
        return data

    def clean_minutes(self):
        # The field is cleaned only when the row sent it: a counted row has none.
        if "minutes" not in self.data:
            return None
        if self.cleaned_data["minutes"] is None:
            raise ValidationError(TIME_HINT, code="required")
        return self.cleaned_data["minutes"]

    def typed(self) -> str | None:
        """What the member typed, to put back in the field beside its message."""
        return self.data.get("minutes", self.data.get("reps"))


class KnobForm(LoggerForm):
    """Easier, harder, or a value typed for one of the exercise's settings."""

    knob = row_id()
    # The typed value's button says "set"; a post without a direction is one too.
    direction = forms.ChoiceField(
        choices=[("set", "Save"), ("easier", "Easier"), ("harder", "Harder")], required=False
    )
    value = forms.CharField(required=False, max_length=20)

    def clean_direction(self) -> str:
        direction = self.cleaned_data["direction"]
        return "" if direction == "set" else direction


class OptionForm(LoggerForm):
    """The step's alternative, or "main" to go back."""

    option = forms.CharField(required=False, max_length=20)

    def clean_option(self) -> int | None:
        raw = self.cleaned_data["option"]
        if raw in {"", "main"}:
            return None
        return row_id().clean(raw)


class PainForm(LoggerForm):
    """“Any pain during it?” after an exercise's sets."""

    level = number(NO_PAIN, MAX_PAIN, missing="Choose None, or how much it hurts from 1 to 10.")
    note = forms.CharField(required=False, max_length=PAIN_NOTE_LENGTH)


class WeakerSideForm(LoggerForm):
    side = forms.ChoiceField(
        choices=[(Profile.WeakerSide.LEFT, "Left"), (Profile.WeakerSide.RIGHT, "Right")],
        error_messages={
            "required": "Choose left or right.",
            "invalid_choice": "Choose left or right.",
        },
    )


class FinishForm(LoggerForm):
    feeling = forms.ChoiceField(
        choices=Workout.Feeling.choices,
        required=False,
        error_messages={"invalid_choice": "Choose how it felt."},
    )
    note = forms.CharField(
        required=False,
        strip=False,
        max_length=WORKOUT_NOTE_LENGTH,
        error_messages={"max_length": "Keep the note under 2,000 characters."},
    )

    def field_errors(self) -> dict[str, str]:
        return {field: messages_text(messages) for field, messages in self.errors.items()}
