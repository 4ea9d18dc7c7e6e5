"""Trainer pages: find and invite members, and put them on a routine."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render

from members.accounts.roles import members_of
from members.models import Assignment, Invitation, User, Workout
from members.models.access import open_account
from members.web.decorators import trainer_required
from members.web.requests import AuthenticatedHttpRequest

SEARCH_LIMIT = 25


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


@trainer_required
def members(request: AuthenticatedHttpRequest) -> HttpResponse:
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
