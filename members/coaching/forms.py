"""Forms of the trainer's member page: notes, and handing a member over."""

from django import forms

from members.accounts.roles import TRAINERS_GROUP
from members.models import User


class TrainerNoteForm(forms.Form):
    prefix = "note"
    text = forms.CharField(
        label="Note",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the note first."},
        help_text="Emailed to the member and shown on their Today and History pages.",
    )
    workout = forms.TypedChoiceField(label="About", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, workouts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workout"].choices = [("", "The whole block")] + [
            (workout.pk, f"The session of {workout.date:%A, %B %-d}") for workout in workouts
        ]


def other_trainers(member: User):
    """Every trainer but the member's current one."""
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(groups__name=TRAINERS_GROUP)
        .exclude(pk=member.profile.trainer_id)
        .select_related("profile")
        .order_by("profile__display_name", "email")
        .distinct()
    )


class HandOverForm(forms.Form):
    prefix = "handover"

    trainer = forms.ModelChoiceField(
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
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["trainer"].queryset = other_trainers(member)
        self.fields["trainer"].label_from_instance = lambda user: user.display_name
