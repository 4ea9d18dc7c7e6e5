"""Trainer actions on a member's block, posted from the member detail page:
pause, resume, extend, end, renew; prescription overrides; notes to the member.

Each is a plain form post that redirects back (a retried post finds the
block already changed and says so); a form with a mistake re-renders the page
with the form bound and a 422, so nothing typed is lost."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from members.blocks.forms import ExtendForm, RenewForm, ResumeForm
from members.blocks.steering import (
    end_block,
    extend_block,
    extend_choices,
    next_start,
    pause_block,
    renew_block,
    resume_block,
)
from members.coaching import emails as notices
from members.coaching.forms import OverrideForm, TrainerNoteForm
from members.coaching.member_page import render_member_detail
from members.models import Assignment, StepOverride, TrainerNote, Workout
from members.web.decorators import trainer_required
from members.web.requests import AuthenticatedHttpRequest


def _get_block_for_trainer(request: AuthenticatedHttpRequest, pk: int) -> Assignment:
    """A block of a member the trainer trains now; anything else, a block they
    ran before another trainer took the member on or one of a closed account
    included, is a 404 before any form is read, so not even a refused form's
    page (which shows the member's current block) reaches them."""
    return get_object_or_404(
        Assignment.objects.for_trainer(request.user).select_related("member", "routine"), pk=pk
    )


def _back(assignment: Assignment, anchor: str = "steer"):
    return _to_section(assignment.member_id, anchor)


def _to_section(member_id: int, anchor: str):
    response = redirect("trainer:member", pk=member_id)
    response["Location"] += f"#{anchor}"
    return response


def _refused(request: AuthenticatedHttpRequest, assignment: Assignment, error: ValidationError):
    """A move the block's state does not allow (already paused, say): said as a
    message, the page shown again as it now is."""
    messages.error(request, " ".join(error.messages), extra_tags="steer")
    return _back(assignment)


def _invalid(
    request: AuthenticatedHttpRequest, assignment: Assignment, name: str, form
) -> HttpResponse:
    return render_member_detail(request, assignment.member, forms={name: form}, status=422)


def _day(day) -> str:
    return f"{day:%A, %B %-d}" if day else "not planned"


def _last_date(block: Assignment):
    return block.planned_sessions.order_by("-number").values_list("date", flat=True).first()


def _next_date(block: Assignment):
    return (
        block.planned_sessions.filter(date__gte=timezone.localdate(), workouts__isnull=True)
        .order_by("number")
        .values_list("date", flat=True)
        .first()
    )


def _steer_with_form(
    request: AuthenticatedHttpRequest, assignment: Assignment, name: str, form, move, said
) -> HttpResponse:
    """Validate ``form``, then ``move`` the block with its data: back to the page
    with ``said(block)`` when it worked; the form again, bound, with the rule
    that refused it at its field when not; a message when the block's state
    no longer allows the move (a retried post)."""
    if form.is_valid():
        try:
            block = move(form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _refused(request, assignment, error)
            _add_errors(form, error)
        else:
            messages.success(request, said(block), extra_tags="steer")
            return _back(block)
    return _invalid(request, assignment, name, form)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@trainer_required
@require_POST
def pause(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = _get_block_for_trainer(request, pk)
    try:
        pause_block(assignment=assignment)
    except ValidationError as error:
        return _refused(request, assignment, error)
    messages.success(
        request,
        f"Paused. {assignment.member.display_name}'s sessions from today are on hold "
        "until you resume the block.",
        extra_tags="steer",
    )
    return _back(assignment)


@trainer_required
@require_POST
def resume(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = _get_block_for_trainer(request, pk)
    return _steer_with_form(
        request,
        assignment,
        "resume",
        ResumeForm(request.POST, assignment=assignment),
        lambda data: resume_block(assignment=assignment, on=data["on"], weekdays=data["weekdays"]),
        lambda block: (
            f"Resumed on {block.weekdays_text}. The next session is {_day(_next_date(block))}; "
            f"the last, {_day(_last_date(block))}."
        ),
    )


@trainer_required
@require_POST
def extend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = _get_block_for_trainer(request, pk)
    return _steer_with_form(
        request,
        assignment,
        "extend",
        ExtendForm(request.POST, choices=extend_choices(assignment)),
        lambda data: extend_block(
            assignment=assignment, weeks=data["weeks"], from_weeks=data["from_weeks"]
        ),
        lambda block: (
            f"Extended to {block.weeks} weeks; the last session is {_day(_last_date(block))}."
        ),
    )


@trainer_required
@require_POST
def end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = _get_block_for_trainer(request, pk)
    try:
        assignment = end_block(assignment=assignment)
    except ValidationError as error:
        return _refused(request, assignment, error)
    messages.success(
        request,
        f"Block {assignment.get_status_display().lower()}. "
        f"{assignment.member.display_name} sees a summary on their Today page.",
        extra_tags="steer",
    )
    return _back(assignment)


@trainer_required
@require_POST
def renew(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = _get_block_for_trainer(request, pk)
    start = next_start(assignment, timezone.localdate())
    return _steer_with_form(
        request,
        assignment,
        "renew",
        RenewForm(request.POST, assignment=assignment, start=start),
        lambda data: renew_block(assignment=assignment, trainer=request.user, **data),
        lambda block: (
            f"Renewed: a new block of {block.routine.title} starts "
            f"{block.start_date:%A, %B %-d}, on {block.weekdays_text}."
        ),
    )


@trainer_required
@require_POST
def save_override(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Set (or replace) the member's own numbers for one step of their routine."""
    assignment = _get_block_for_trainer(request, pk)
    form = OverrideForm(request.POST, member=assignment.member, routine=assignment.routine)
    if not form.is_valid():
        return _invalid(request, assignment, "override", form)
    override = form.override
    StepOverride.objects.update_or_create(
        member=assignment.member,
        step=override.step,
        defaults={
            "sets": override.sets,
            "reps": override.reps,
            "duration_seconds": override.duration_seconds,
            "knob": override.knob,
            "knob_value": override.knob_value,
            "knob_level": override.knob_level,
            "note": override.note,
            "set_by": request.user,
            "updated_at": timezone.now(),
        },
    )
    messages.success(
        request,
        f"{override.step.exercise.name} for {assignment.member.display_name}: "
        f"{override.summary}. "
        "It applies from their next session.",
        extra_tags="prescription",
    )
    return _back(assignment, "prescription")


@trainer_required
@require_POST
def remove_override(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    override = get_object_or_404(
        StepOverride.objects.for_trainer(request.user).select_related("step__exercise"), pk=pk
    )
    member_id = override.member_id
    name = override.step.exercise.name
    override.delete()
    messages.success(
        request, f"{name} is back to the routine's numbers.", extra_tags="prescription"
    )
    return _to_section(member_id, "prescription")


@trainer_required
@require_POST
def add_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A note to the member, saved and then emailed once by the task worker."""
    assignment = _get_block_for_trainer(request, pk)
    workouts = Workout.objects.filter(
        planned_session__assignment=assignment, finished_at__isnull=False
    ).order_by("-started_at")
    form = TrainerNoteForm(request.POST, workouts=workouts)
    if not form.is_valid():
        return _invalid(request, assignment, "note", form)
    text = form.cleaned_data["text"].strip()
    workout_id = form.cleaned_data["workout"]
    with transaction.atomic():
        # A retried post (the same text moments later) does not make a second
        # note; the lock makes two at once wait for each other.
        Assignment.objects.select_for_update().filter(pk=assignment.pk).first()
        recent = TrainerNote.objects.filter(
            assignment=assignment,
            workout_id=workout_id,
            text=text,
            created_at__gte=timezone.now() - dt.timedelta(minutes=10),
        ).exists()
        if not recent:
            note = TrainerNote.objects.create(
                assignment=assignment, workout_id=workout_id, author=request.user, text=text
            )
            notices.trainer_note(note)
    messages.success(
        request,
        f"Sent to {assignment.member.display_name}: they see it on Today and by email.",
        extra_tags="notes",
    )
    return _back(assignment, "notes")
