"""A session addressed by its planned session: its page before it starts, and
each logger action by the planned session's id (``by_planned_session``), so
a phone with no signal can start a session and log it before it knows the
workout's id (``views.ACTIONS`` lists the actions; ``members.urls`` routes
both ways)."""

import inspect
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from members.logbook import workouts
from members.logbook.idempotency import logger_post
from members.logbook.refusals import refused
from members.logbook.views import get_workout_for_member, logger_page
from members.models import Assignment, PlannedSession, Workout
from members.web.requests import AuthenticatedHttpRequest


def _planned_session(request: AuthenticatedHttpRequest, session: int) -> PlannedSession:
    return get_object_or_404(
        PlannedSession.objects.select_related("assignment__routine"),
        pk=session,
        assignment__member=request.user,
    )


@login_required
def planned(request: AuthenticatedHttpRequest, session: int) -> HttpResponse:
    """A planned session's page, before it starts or after: the page a phone
    keeps so the member can start the session, and log it, with no signal.
    Only reading: the session starts with its first action."""
    planned_session = _planned_session(request, session)
    started = Workout.objects.filter(planned_session=planned_session, member=request.user).first()
    if started is not None:
        return logger_page(request, get_workout_for_member(request, started.pk))
    today = timezone.localdate()
    assignment = Assignment.objects.current().filter(member=request.user).first()
    if refusal := workouts.start_refusal(planned_session, assignment=assignment, today=today):
        messages.error(request, refusal)
        return redirect("members:home")
    workout = workouts.unstarted_workout(
        request.user, planned_session, routine=planned_session.assignment.routine, today=today
    )
    # The forms that start it carry keys of this page's own: a double tap is
    # one start (``idempotency``).
    start_keys = {"rule": uuid.uuid4().hex, "pain_check": uuid.uuid4().hex}
    return logger_page(request, workout, start_keys=start_keys)


def by_planned_session(view):
    """``view``, a logger action, addressed by the planned session instead of
    the workout: the session starts first (once: a retry finds it started),
    then the action runs on its workout. What a phone sends for a session it
    started offline, before it knew the workout's id."""
    action = inspect.unwrap(view)  # the action itself, without logger_post

    @logger_post
    def by_session(request: AuthenticatedHttpRequest, session: int, **kwargs) -> HttpResponse:
        planned_session = _planned_session(request, session)
        try:
            workout = workouts.start_workout(member=request.user, planned_session=planned_session)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return refused(redirect("members:home"), error)
        return action(request, pk=workout.pk, **kwargs)

    by_session.__name__ = f"planned_{view.__name__}"
    return by_session
