"""A member's current trainer (or a superuser) hands the member to another
trainer, so the club never needs the shell or another trainer's say-so."""

from django import forms
from django.contrib import messages
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

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
        super().__init__(*args, **kwargs)
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
        return redirect(f"/trainer/members/{member.pk}/#handover")
    new = form.cleaned_data["trainer"]
    former = member.profile.trainer
    with transaction.atomic():
        Profile.objects.filter(user=member).update(trainer=new)
        transaction.on_commit(lambda: _tell(member=member, former=former, new=new))
    messages.success(request, f"{member.display_name} now trains with {new.display_name}.")
    return redirect("trainer:members")


def _tell(*, member: User, former: User | None, new: User) -> None:
    """The member and both trainers hear of it, each in one short email."""
    name = member.display_name
    send_mail(
        "Your trainer has changed",
        f"Hi {name},\n\nFrom now on {new.display_name} is your trainer at the club.",
        None,
        [member.email],
    )
    for trainer in [former, new]:
        if trainer is not None:
            send_mail(
                f"{name} now trains with {new.display_name}",
                f"{name} was handed over to {new.display_name}.",
                None,
                [trainer.email],
            )
