"""The routine form the admin uses: unpublishing with members on it is the
list action's job, where the trainer sees who is on it and confirms."""

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
