"""Trainer pages: find and invite members, and put them on a routine."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from members import invitation_limit
from members.emails import invitation_message, send_all
from members.forms import AssignForm, GroupInvitationForm, InvitationForm
from members.models import Assignment, Invitation, User, Workout
from members.models.blocks import open_account, trained_by
from members.roles import is_trainer
from members.services import (
    InvitationUnusable,
    assign_routine,
    invite_member,
    resend_invitation,
)

SEARCH_LIMIT = 25


def positive_int(value: str | None) -> int | None:
    """An id from a query string, or None for anything that is not one (a
    database would reject an overlong number with an error, not a miss)."""
    if value and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def trainer_required(view):
    """Signed-in trainers (and superusers) only: anyone else signed in gets 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_trainer(request.user):
            raise PermissionDenied("Only trainers can open this page.")
        return view(request, *args, **kwargs)

    return wrapper


def members_of(trainer: User) -> QuerySet[User]:
    """The members a trainer trains now (``trained_by``); a superuser, everyone.
    A member another trainer took on, or who deleted their account, is not
    theirs any more."""
    return User.objects.filter(trained_by(trainer, ""))


def sessions_done_with(trainer: User) -> dict[str, int]:
    """Sessions finished on the blocks the trainer ran (every block, for a
    superuser) and by how many members: counted from the workouts, so members
    who moved on or deleted their accounts still count, unnamed."""
    blocks = Assignment.objects.run_by(trainer)
    return Workout.objects.filter(
        finished_at__isnull=False, planned_session__assignment__in=blocks
    ).aggregate(sessions=Count("pk"), members=Count("member", distinct=True))


def _with_status(users: QuerySet[User]) -> QuerySet[User]:
    """Each member with ``current_blocks`` and ``open_invitations``: two queries
    for any number of members."""
    return users.select_related("profile__trainer__profile").prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.current().select_related("routine"),
            to_attr="current_blocks",
        ),
        Prefetch("invitations", queryset=Invitation.objects.pending(), to_attr="open_invitations"),
    )


def _get_invitation_for_trainer(request: HttpRequest, pk: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.for_trainer(request.user).select_related("member", "invited_by"),
        pk=pk,
    )


@trainer_required
def members(request: HttpRequest) -> HttpResponse:
    """The trainer's members with their block or invitation, and a search across
    every member of the club (to invite or assign someone not yet theirs)."""
    # A NUL would be a server error on PostgreSQL, which refuses it in any text.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    results = None
    if query:
        results = list(
            _with_status(
                User.objects.filter(open_account("")).filter(
                    Q(email__icontains=query) | Q(profile__display_name__icontains=query)
                )
            ).order_by("profile__display_name", "email")[:SEARCH_LIMIT]
        )
    mine = _with_status(members_of(request.user)).order_by("profile__display_name", "email")
    return render(
        request,
        "members/trainer/members.html",
        {
            "query": query,
            "results": results,
            "search_limit": SEARCH_LIMIT,
            "members": mine,
            "totals": sessions_done_with(request.user),
            "active_nav": "members",
        },
    )


@trainer_required
def invite(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, trainer=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        if refused := invitation_limit.reserve(request.user):
            form.add_error(None, refused)
            status = 429
        else:
            try:
                invitation, token = invite_member(
                    trainer=request.user,
                    email=form.cleaned_data["email"],
                    display_name=form.cleaned_data["display_name"],
                )
            except ValidationError as error:
                invitation_limit.give_back(request.user)
                form.add_error(None, error)
            else:
                _send_invitations(request, [(invitation, token)])
                return redirect(_assign_url([invitation.member_id]))
    return render(
        request,
        "members/trainer/invite.html",
        {"form": form, "group_form": GroupInvitationForm(), "active_nav": "members"},
        status=status,
    )


@trainer_required
@require_POST
def invite_group(request: HttpRequest) -> HttpResponse:
    """Invite a class at once, one person per line, then assign them together."""
    group_form = GroupInvitationForm(request.POST, trainer=request.user)
    status = 200
    if group_form.is_valid():
        people = group_form.cleaned_data["people"]
        if refused := invitation_limit.reserve(request.user, len(people)):
            group_form.add_error(None, refused)
            status = 429
        else:
            sent = [
                invite_member(trainer=request.user, email=email, display_name=name)
                for name, email in people
            ]
            _send_invitations(request, sent)
            return redirect(_assign_url([invitation.member_id for invitation, _ in sent]))
    return render(
        request,
        "members/trainer/invite.html",
        {"form": InvitationForm(), "group_form": group_form, "active_nav": "members"},
        status=status,
    )


def _send_invitations(request: HttpRequest, sent: list[tuple[Invitation, str | None]]) -> None:
    # No secret: an identical post a moment ago sent that invitation already,
    # and this post gives back the use it reserved for it.
    reserved = len(sent)
    sent = [(invitation, token) for invitation, token in sent if token is not None]
    if reserved > len(sent):
        invitation_limit.give_back(request.user, reserved - len(sent))
    if not sent:
        messages.info(request, "That invitation is on its way already.")
        return
    emails = [
        invitation_message(invitation=invitation, token=token, request=request)
        for invitation, token in sent
    ]
    names = ", ".join(invitation.member.display_name for invitation, _ in sent)
    if send_all(emails):
        messages.success(
            request,
            f"{'Invitation' if len(sent) == 1 else 'Invitations'} sent to {names}. "
            "The link works for 14 days. "
            "Now choose their routine, or do it later from Members.",
        )
    else:
        messages.warning(
            request,
            f"{names} {'is' if len(sent) == 1 else 'are'} added, but the email could not be "
            "sent just now. Use “Send again” on the Members page in a while.",
        )


def _assign_url(member_ids: list[int]) -> str:
    return reverse("trainer:assign") + "?" + urlencode({"member": member_ids}, doseq=True)


@trainer_required
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _get_invitation_for_trainer(request, pk)
    if refused := invitation_limit.reserve(request.user):
        messages.error(request, refused)
        return redirect("trainer:members")
    try:
        token = resend_invitation(invitation=invitation)
    except InvitationUnusable:
        invitation_limit.give_back(request.user)
        messages.info(request, f"{invitation.member.display_name} has already accepted.")
        return redirect("trainer:members")
    if token is None:
        invitation_limit.give_back(request.user)
        messages.info(request, f"An invitation went to {invitation.member.email} moments ago.")
        return redirect("trainer:members")
    invitation.refresh_from_db()
    if send_all([invitation_message(invitation=invitation, token=token, request=request)]):
        messages.success(
            request,
            f"A new invitation is on its way to {invitation.member.email}. "
            "The earlier link no longer works.",
        )
    else:
        messages.warning(request, "The email could not be sent just now. Try again in a while.")
    return redirect("trainer:members")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@trainer_required
def assign(request: HttpRequest) -> HttpResponse:
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
