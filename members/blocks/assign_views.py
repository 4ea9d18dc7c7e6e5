"""A trainer puts members on a routine."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render

from members.accounts.roles import members_of
from members.blocks.forms import AssignForm
from members.blocks.services import assign_routine
from members.models import Assignment, User
from members.web.decorators import positive_int, trainer_required
from members.web.requests import AuthenticatedHttpRequest


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@trainer_required
def assign(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One member or a group, same routine, start and days. The page lists the
    trainer's members who are free, plus anyone picked from search or just invited."""
    # Picked on the Members page (?member=), or ticked in a post being redisplayed.
    picked = [
        pk
        for raw in request.GET.getlist("member") + request.POST.getlist("members")
        if (pk := positive_int(raw)) is not None
    ]
    candidates = list(
        User.objects.filter(is_staff=False, is_active=True)
        .filter(Q(pk__in=picked) | Q(pk__in=members_of(request.user).values("pk")))
        .exclude(assignments__status__in=Assignment.CURRENT_STATUSES)
        .select_related("profile")
        .order_by("profile__display_name", "email")
    )
    form = AssignForm(
        request.POST or None,
        candidates=candidates,
        trainer=request.user,
        initial={"members": picked},
    )
    if request.method == "POST" and form.is_valid():
        try:
            blocks = assign_routine(
                trainer=request.user,
                members=form.cleaned_data["members"],
                **form.block_arguments(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            first = blocks[0]
            alone = len(blocks) == 1
            who = first.member.display_name if alone else f"{len(blocks)} members"
            sessions = len(first.weekday_list) * first.weeks
            # "Each" only where there is more than one member to share it.
            messages.success(
                request,
                f"{who} {'is' if alone else 'are'} on {first.routine.title} from "
                f"{first.start_date:%A, %b %-d}: {first.weekdays_text}, "
                f"{_count(first.weeks, 'week')}, {_count(sessions, 'session')}"
                f"{'' if alone else ' each'}.",
            )
            return redirect("trainer:members")
    return render(
        request,
        "members/trainer/assign.html",
        {"form": form, "candidates": candidates, "active_nav": "members"},
    )
