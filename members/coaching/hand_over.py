"""A member's current trainer (or a superuser) hands the member to another
trainer, so the club never needs the shell or another trainer's say-so."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from members.accounts.roles import members_of
from members.coaching.emails import hand_over_messages
from members.coaching.forms import HandOverForm
from members.mail.messages import send_all
from members.models import Profile
from members.web.decorators import trainer_required
from members.web.requests import AuthenticatedHttpRequest


@trainer_required
@require_POST
def hand_over(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # Only the member's trainer now (or a superuser) finds them: others 404.
    member = get_object_or_404(
        members_of(request.user).filter(is_staff=False).select_related("profile__trainer"),
        pk=pk,
    )
    form = HandOverForm(request.POST, member=member)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error), extra_tags="handover")
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
