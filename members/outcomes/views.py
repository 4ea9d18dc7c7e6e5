"""The member's check-in page: whichever check-in of their block is open."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from members.models import Assignment
from members.outcomes.forms import CheckInForm
from members.outcomes.services import open_check_in, record_check_in, schedule
from members.web.requests import AuthenticatedHttpRequest


@login_required
def check_in(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The open check-in's form. A post names the check-in it answers: one
    that is done already (sent twice) or no longer open goes back to Today
    and is not stored again."""
    # The block Today shows: the current one, or else the last one, whose
    # end check-in stays open for a week after it ends.
    blocks = (
        Assignment.objects.filter(member=request.user)
        .select_related("routine", "trainer__profile")
        # Check-ins after activities: a check-in and the activities it adds
        # commit together, so a post that sees the activities of one sent
        # at the same moment sees it done, not a form missing their scores.
        .prefetch_related("planned_sessions__workouts", "activities", "check_ins")
    )
    assignment = (
        blocks.current().first() or blocks.exclude(status__in=Assignment.CURRENT_STATUSES).first()
    )
    if assignment is None:
        raise Http404("No block to check in on.")
    today = timezone.localdate()
    check_ins = list(assignment.check_ins.all())
    due = open_check_in(assignment, assignment.progress(today), check_ins, today)
    if request.method == "POST" and (due is None or request.POST.get("kind") != due.kind):
        done = {check_in.kind for check_in in check_ins}
        if request.POST.get("kind") in done:
            messages.info(request, "You had already checked in: your first answers are kept.")
        else:
            messages.info(request, "That check-in is closed; nothing was saved.")
        return redirect("members:home")
    if due is None:
        messages.info(request, _nothing_open(assignment, check_ins, today))
        return redirect("members:home")
    form = CheckInForm(
        request.POST or None,
        areas=assignment.routine.check_in_area_names(),
        activities=list(assignment.activities.all()),
    )
    if request.method == "POST" and form.is_valid():
        record_check_in(assignment, due.kind, **form.answers(), today=today)
        messages.success(request, "Your check-in is saved. Thank you.")
        return redirect("members:home")
    return render(
        request,
        "members/check_in.html",
        {"form": form, "due": due, "assignment": assignment, "today": today},
        status=422 if form.is_bound else 200,
    )


def _nothing_open(assignment: Assignment, check_ins, today) -> str:
    """What to say when no check-in is open: when the next one opens, if any."""
    upcoming = [
        due
        for due in schedule(assignment, assignment.progress(today), check_ins)
        if due.state(today) == "upcoming"
    ]
    if upcoming:
        return f"No check-in is open now. The next one opens on {upcoming[0].opens:%A, %B %-d}."
    return "No check-in is open now: this block has none left to do."
