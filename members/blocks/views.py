"""The member's own pages: Today, Program and Settings."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clubsite.kept_pages import kept_page
from members.blocks.forms import ProfileForm
from members.blocks.review import review_blocks
from members.blocks.services import sessions_with_workouts
from members.models import Assignment, PainFlag, Profile, Question, TrainerNote
from members.models.access import is_trainer
from members.models.weekdays import join_words
from members.outcomes.change import block_change
from members.outcomes.services import change_in_block, open_check_in
from members.web.requests import AuthenticatedHttpRequest
from routines.personal import guide_steps, overrides_for

# How long the trainer's reply to pain stays on Today; it stays in History.
PAIN_REPLY_DAYS = 14


def _pain_replies(request: AuthenticatedHttpRequest):
    """The member's own flags their trainer resolved with a note lately, newest
    first: since the start of the day PAIN_REPLY_DAYS ago, so Today is the same
    all day (it is kept for the day, clubsite/kept_pages.py)."""
    since = dt.datetime.combine(
        timezone.localdate() - dt.timedelta(days=PAIN_REPLY_DAYS),
        dt.time(),
        tzinfo=timezone.get_current_timezone(),
    )
    return (
        PainFlag.objects.filter(
            member=request.user, status=PainFlag.Status.RESOLVED, resolved_at__gte=since
        )
        .exclude(resolution_note="")
        .select_related("exercise", "resolved_by__profile")
        .order_by("-resolved_at")[:3]
    )


def _blocks_for_member(request: AuthenticatedHttpRequest):
    """The requesting member's blocks, each with what Today and Program show,
    loaded in three queries however long the history."""
    return (
        Assignment.objects.filter(member=request.user)
        .select_related("routine", "trainer__profile")
        .prefetch_related(sessions_with_workouts())
    )


def _get_block_for_member(request: AuthenticatedHttpRequest, pk: int) -> Assignment:
    return get_object_or_404(_blocks_for_member(request), pk=pk)


def _calendar_links(request: AuthenticatedHttpRequest, profile: Profile) -> dict[str, str] | None:
    if not profile.calendar_token:
        return None
    https = request.build_absolute_uri(
        reverse("calendar_feed", kwargs={"token": profile.calendar_token})
    )
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@login_required
@kept_page
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Today: the next session and what it asks, where the block stands, the
    trainer's latest notes, and a big start button; a summary once a block is over."""
    if is_trainer(request.user):
        return redirect("trainer:dashboard")
    blocks = _blocks_for_member(request)
    assignment = blocks.current().first()
    today = timezone.localdate()
    if assignment is None:
        last = blocks.exclude(status__in=Assignment.CURRENT_STATUSES).first()
        if last is None:
            return render(request, "members/no_block.html", {"active_nav": "today"})
        return render(
            request,
            "members/block_over.html",
            {
                **_summary(last, today),
                **_check_in(last, last.progress(today), today),
                "active_nav": "today",
            },
        )
    progress = assignment.progress(today)
    next_session = progress.next_session
    # The session's workout once started: Today opens it with a plain link,
    # which works offline too (the phone keeps the page), where Start posts.
    open_workout = next(iter(next_session.workouts.all()), None) if next_session else None
    context = {
        "assignment": assignment,
        "progress": progress,
        "today": today,
        "days_until": (next_session.date - today).days if next_session else None,
        "notes": TrainerNote.objects.filter(assignment=assignment)
        .select_related("author__profile", "workout")
        .order_by("-created_at")[:3],
        "pain_replies": _pain_replies(request),
        # Answers waiting to be read: the newest, and how many in all.
        "unread_answers": list(
            Question.objects.for_member(request.user)
            .unread_by_member()
            .select_related("trainer__profile")
            .order_by("-trainer_wrote_at")
        ),
        "active_nav": "today",
        "open_workout": open_workout,
        **_check_in(assignment, progress, today),
        "offline_pages": _offline_pages(assignment, next_session, open_workout),
    }
    if progress.finished:
        context.update(_summary(assignment, today))
    elif next_session is not None:
        routine = assignment.routine
        overrides = overrides_for(request.user, routine)
        context["steps"] = guide_steps(routine, overrides, details=False)
        context["changed_for_you"] = bool(overrides)
    return render(request, "members/today.html", context)


def _check_in(assignment: Assignment, progress, today) -> dict:
    """The check-in Today offers, if one is open, and the areas it asks about."""
    due = open_check_in(assignment, progress, list(assignment.check_ins.all()), today)
    if due is None:
        return {"check_in": None}
    return {"check_in": due, "areas": join_words(assignment.routine.check_in_area_names())}


def _offline_pages(assignment: Assignment, next_session, open_workout) -> list[str]:
    """What the phone keeps for this member to open with no signal: Today
    itself, Program, the routine's guide and the next session, under way or
    not started yet."""
    pages = [
        reverse("members:home"),
        reverse("members:program"),
        reverse("routines:guide", args=[assignment.routine.slug]),
    ]
    if open_workout is not None:
        pages.append(reverse("members:workout", args=[open_workout.pk]))
    elif next_session is not None:
        # Not started: its page before the start, which starts it offline too.
        pages.append(reverse("members:planned", args=[next_session.pk]))
    return pages


def _summary(assignment: Assignment, today) -> dict:
    """What a finished or ended block came to: sessions done, how each knob
    moved, the trainer's notes on it."""
    (review,) = review_blocks(Assignment.objects.filter(pk=assignment.pk), today=today)
    return {
        "summary": review,
        "summary_notes": TrainerNote.objects.filter(assignment=assignment, workout__isnull=True)
        .select_related("author__profile")
        .order_by("-created_at")[:3],
        "summary_change": change_in_block(assignment),
    }


@login_required
@kept_page
def program(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Every session of a block, week by week: the current block, or an earlier
    one of the member's own (anyone else's is a 404)."""
    if pk is None:
        assignment = _blocks_for_member(request).current().first()
        if assignment is None:
            return render(request, "members/no_block.html", {"active_nav": "program"})
    else:
        assignment = _get_block_for_member(request, pk)
    profile = Profile.objects.for_user(request.user)
    earlier = (
        Assignment.objects.filter(member=request.user)
        .exclude(pk=assignment.pk)
        .select_related("routine")
        .order_by("-start_date")
    )
    return render(
        request,
        "members/program.html",
        {
            "assignment": assignment,
            "progress": assignment.progress(),
            "earlier": earlier,
            "calendar": _calendar_links(request, profile),
            "active_nav": "program",
        },
    )


@login_required
def block_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One block on one printed page, for the member's doctor or physio: the
    routine, the sessions done, how each knob moved, the pain reported and the
    change in daily life from the check-ins. The member's own blocks only."""
    blocks = Assignment.objects.filter(member=request.user, pk=pk).select_related(
        "trainer__profile"
    )
    today = timezone.localdate()
    # The review reads the block with its sessions, workouts and check-ins.
    reviews = review_blocks(blocks, today=today)
    if not reviews:
        raise Http404("No such block of yours.")
    (review,) = reviews
    assignment = review.assignment
    return render(
        request,
        "members/block_report.html",
        {
            "review": review,
            "assignment": assignment,
            "pain": PainFlag.objects.filter(workout__planned_session__assignment=assignment)
            .select_related("exercise")
            .order_by("created_at"),
            "change": block_change(review.check_ins),
            "today": today,
            "active_nav": "program",
        },
    )


@login_required
def settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = Profile.objects.for_user(request.user)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your settings are saved.")
        return redirect("members:settings")
    return render(
        request,
        "members/settings.html",
        {
            "form": form,
            "calendar": _calendar_links(request, profile),
            "active_nav": "settings",
        },
        status=422 if form.errors else 200,
    )


def _back(request: AuthenticatedHttpRequest, fallback: str) -> HttpResponse:
    """Return to the page the form was on: Settings or Program."""
    allowed = {reverse("members:settings"), reverse("members:program")}
    target = request.POST.get("next", "")
    return redirect(target if target in allowed else fallback)


@login_required
@require_POST
def calendar_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = Profile.objects.for_user(request.user)
    replaced = bool(profile.calendar_token)
    profile.create_calendar_token()
    if replaced:
        messages.success(
            request,
            "Your calendar link is new. The old one no longer works: add the new one to "
            "your calendar.",
        )
    else:
        messages.success(request, "Your calendar link is ready. Add it to your calendar below.")
    return _back(request, "members:settings")


@login_required
@require_POST
def calendar_revoke(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = Profile.objects.for_user(request.user)
    profile.revoke_calendar_token()
    messages.success(
        request,
        "Your calendar link is turned off. Calendars that used it stop updating.",
    )
    return _back(request, "members:settings")
