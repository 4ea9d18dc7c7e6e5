"""The check-in form: pain in daily life for each body area, and the
Patient-Specific Functional Scale's activities."""

from django import forms

from members.models import Activity
from members.models.outcomes import ACTIVITY_NAME_LENGTH, MAX_ACTIVITIES, MAX_SCORE
from members.web.text import one_line

SCALE = [(level, str(level)) for level in range(MAX_SCORE + 1)]


def _scale(label: str, required_message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": required_message},
    )


class CheckInForm(forms.Form):
    """``areas`` are the body areas asked about. ``activities`` are the ones
    named at an earlier check-in, rated again here; with none yet, the member
    names up to three and rates each."""

    def __init__(self, *args, areas: list[str], activities: list[Activity], **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = areas
        self.activities = activities
        for number, area in enumerate(areas):
            # The labels name the area: the list of what to fix at the top of
            # the page shows them without the area's heading.
            self.fields[f"worst_{number}"] = _scale(
                f"Your {area} at their worst",
                f"Choose how bad your {area} were at their worst, 0 to 10.",
            )
            self.fields[f"usual_{number}"] = _scale(
                f"Your {area} usually", f"Choose how your {area} usually were, 0 to 10."
            )
        for activity in activities:
            self.fields[f"score_{activity.pk}"] = _scale(
                activity.name, f"Rate {activity.name}, from 0 to 10."
            )
        if not activities:
            for number in range(MAX_ACTIVITIES):
                self.fields[f"name_{number}"] = forms.CharField(
                    label=f"Activity {number + 1}",
                    required=False,
                    max_length=ACTIVITY_NAME_LENGTH,
                    widget=forms.TextInput(attrs={"autocomplete": "off"}),
                )
                self.fields[f"new_score_{number}"] = forms.TypedChoiceField(
                    label=f"Activity {number + 1} now",
                    choices=SCALE,
                    coerce=int,
                    required=False,
                    widget=forms.RadioSelect,
                    empty_value=None,
                )

    def area_rows(self):
        """(area, worst field, usual field) for the template."""
        return [
            (area, self[f"worst_{number}"], self[f"usual_{number}"])
            for number, area in enumerate(self.areas)
        ]

    def activity_rows(self):
        return [self[f"score_{activity.pk}"] for activity in self.activities]

    def new_activity_rows(self):
        if self.activities:
            return []
        return [
            (self[f"name_{number}"], self[f"new_score_{number}"])
            for number in range(MAX_ACTIVITIES)
        ]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if self.activities:
            return cleaned
        named = 0
        for number in range(MAX_ACTIVITIES):
            name = one_line(cleaned.get(f"name_{number}") or "")
            cleaned[f"name_{number}"] = name
            score = cleaned.get(f"new_score_{number}")
            if name and score is None:
                self.add_error(f"new_score_{number}", f"Rate {name}, from 0 to 10.")
            elif score is not None and not name and f"name_{number}" not in self.errors:
                self.add_error(f"name_{number}", "Name the activity this score is for.")
            named += bool(name)
        if not named and "name_0" not in self.errors:
            self.add_error(
                "name_0",
                "Name at least one everyday activity this problem makes hard, "
                "for example walking down stairs.",
            )
        return cleaned

    def answers(self) -> dict:
        """What ``record_check_in`` stores, from a valid form."""
        data = self.cleaned_data
        return {
            "areas": {
                area: (data[f"worst_{number}"], data[f"usual_{number}"])
                for number, area in enumerate(self.areas)
            },
            "scores": {activity.pk: data[f"score_{activity.pk}"] for activity in self.activities},
            "new_activities": [
                (data[f"name_{number}"], data[f"new_score_{number}"])
                for number in range(MAX_ACTIVITIES)
                if not self.activities and data.get(f"name_{number}")
            ],
        }
