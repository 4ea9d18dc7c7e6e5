"""What a routine report can be narrowed to."""

from typing import cast

from django import forms

from members.models import User


class ReportFilterForm(forms.Form):
    """Blocks that started between two dates; for the head trainer, one
    trainer's blocks. Left empty, every block in the asker's scope."""

    start = forms.DateField(
        label="Blocks starting from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label="Blocks starting up to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    trainer = forms.ModelChoiceField(
        label="Trainer", queryset=User.objects.none(), required=False, empty_label="Everyone"
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_superuser:
            trainers = User.objects.filter(is_staff=True).select_related("profile")
            cast(forms.ModelChoiceField, self.fields["trainer"]).queryset = trainers
        else:
            del self.fields["trainer"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end comes before the start: pick a later day.")
        return cleaned

    def narrow(self, blocks):
        """``blocks`` as the filter asks; all of them while it has an error."""
        if not self.is_valid():
            return blocks
        data = self.cleaned_data
        if data.get("start"):
            blocks = blocks.filter(start_date__gte=data["start"])
        if data.get("end"):
            blocks = blocks.filter(start_date__lte=data["end"])
        if data.get("trainer"):
            blocks = blocks.filter(trainer=data["trainer"])
        return blocks
