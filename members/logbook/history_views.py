"""The member's History page: past workouts, their notes and trends."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from clubsite.kept_pages import kept_page
from members.logbook.history import block_notes, past_workouts, trends
from members.outcomes.services import changes_of
from members.web.requests import AuthenticatedHttpRequest


@login_required
@kept_page
def history(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The member's past sessions and how each exercise moved."""
    return render(
        request,
        "members/history.html",
        {
            "workouts": past_workouts(request.user)[:50],
            "block_notes": block_notes(request.user),
            "trends": trends(request.user),
            "changes": changes_of(request.user),
            "active_nav": "history",
        },
    )
