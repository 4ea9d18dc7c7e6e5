"""The admin's routine form (unpublishing with members on it is the list
action's job, where the trainer sees who is on it and confirms), and the
minutes:seconds field its steps' durations are typed in."""

import re

from django import forms

from routines.models import Routine
from routines.publishing import current_blocks


class RoutineForm(forms.ModelForm):
    class Meta:
        model = Routine
        # The admin passes its fieldsets' fields; these are the same ones.
        fields = [
            "title", "slug", "status", "introduction", "disclaimer", "closing_note",
            "sessions_per_week", "min_weeks", "max_weeks",
        ]  # fmt: skip
        # Four lines each to start with; the box grows as the trainer types.
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("introduction", "disclaimer", "closing_note")
        }

    def clean_status(self):
        status = self.cleaned_data["status"]
        routine = self.instance
        if (
            routine.pk
            and routine.status == Routine.Status.PUBLISHED
            and status == Routine.Status.DRAFT
        ):
            count = current_blocks([routine]).count()
            if count:
                members = f"{count} member{'s are' if count != 1 else ' is'}"
                raise forms.ValidationError(
                    f"{members} on this routine now. To unpublish it, tick it in the "
                    "routine list and choose “Unpublish”: you will see who is on it "
                    "and confirm there.",
                    code="members_on_it",
                )
        return status


# “10:00”, “0:45”, or whole minutes: “10”. ASCII digits only.
DURATION = re.compile(r"(?P<minutes>[0-9]{1,4})(?::(?P<seconds>[0-9]{2}))?")


def minutes_and_seconds(seconds: int | None) -> str:
    """600 as “10:00”, 45 as “0:45”: how the admin shows a duration."""
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


class MinutesSecondsField(forms.Field):
    """A duration typed as minutes and seconds (“10:00”, “0:45”, or “10” for
    whole minutes), kept as seconds."""

    widget = forms.TextInput(attrs={"size": 6, "autocomplete": "off", "spellcheck": "false"})
    default_error_messages = {
        "invalid": "Write it as minutes:seconds, like 10:00 or 0:45.",
        "seconds": "Seconds go up to 59: write 1:30 rather than 0:90.",
        "too_short": "Give at least 0:01, or leave it empty.",
        "too_long": "At most {limit}.",
    }

    def __init__(self, *, max_seconds: int, **kwargs):
        self.max_seconds = max_seconds
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # Seconds from the database show as minutes:seconds; what was typed
        # (a string, in a form sent back with a mistake) shows as typed.
        return minutes_and_seconds(value) if isinstance(value, int) else value

    def to_python(self, value) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        match = DURATION.fullmatch(text)
        if match is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        minutes, seconds = int(match["minutes"]), int(match["seconds"] or 0)
        if seconds > 59:
            raise forms.ValidationError(self.error_messages["seconds"], code="seconds")
        total = minutes * 60 + seconds
        if total < 1:
            raise forms.ValidationError(self.error_messages["too_short"], code="too_short")
        if total > self.max_seconds:
            raise forms.ValidationError(
                self.error_messages["too_long"].format(
                    limit=minutes_and_seconds(self.max_seconds)
                ),
                code="too_long",
            )
        return total

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(data) != initial
        except forms.ValidationError:
            return True
