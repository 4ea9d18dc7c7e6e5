"""A member's current trainer (or a superuser) hands the member to another
trainer, so the club never needs the shell or another trainer's say-so."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from members.emails import hand_over_messages, send_all
from members.models import Profile, User
from members.roles import TRAINERS_GROUP
from members.views.trainer import members_of, trainer_required


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


@trainer_required
@require_POST
def hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the member's trainer now (or a superuser) finds them: others 404.
    member = get_object_or_404(
        members_of(request.user).filter(is_staff=False).select_related("profile__trainer"),
        pk=pk,
    )
    form = HandOverForm(request.POST, member=member)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error, extra_tags="handover")
        return redirect(reverse("trainer:member", args=[member.pk]) + "#handover")
    new = form.cleaned_data["trainer"]
    former = member.profile.trainer
    Profile.objects.filter(user=member).update(trainer=new)
    said = f"{member.display_name} now trains with {new.display_name}."
    if send_all(hand_over_messages(member=member, former=former, new=new)):
        messages.success(request, said)
    else:
        messages.warning(request, f"{said} The emails telling them could not be sent just now.")
    return redirect("trainer:members")
