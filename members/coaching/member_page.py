"""The trainer's page of one member: their blocks, review, steering forms and notes."""

import datetime as dt

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from clubsite import kept_pages
from members import models
from members.accounts.roles import members_of
from members.blocks.forms import ExtendForm, RenewForm, ResumeForm
from members.blocks.steering import extend_choices, next_start
from members.coaching.attention import reviews_with_reasons
from members.coaching.forms import HandOverForm, OverrideForm, TrainerNoteForm
from members.logbook.history import trends
from members.outcomes.services import schedule, state_text
from members.web.decorators import positive_int
from members.web.requests import AuthenticatedHttpRequest


def member_for_trainer(request: AuthenticatedHttpRequest, pk: int) -> models.User:
    """A member the trainer trains now (``members_of``): a former trainer, like
    any other, gets a 404 here and on every page and action built on it."""
    return get_object_or_404(
        members_of(request.user).select_related("profile__trainer__profile"), pk=pk
    )


def _next_minute(since: dt.datetime) -> dt.datetime:
    """The next whole minute after ``since`` that is still to come."""
    minutes = (timezone.now() - since) // dt.timedelta(minutes=1) + 1
    return since + dt.timedelta(minutes=minutes)


def render_member_detail(
    request: AuthenticatedHttpRequest,
    member: models.User,
    *,
    forms: dict | None = None,
    resolving: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    """One member: the block as a timeline of sessions and what was done in
    each, pain history, how each exercise moved, and the trainer's controls
    (steering, overrides, notes). ``forms`` carries a form that failed, bound,
    and ``resolving`` a pain note that did (flag, note, error), so nothing
    typed is lost. It shows whoever it is given: ``member`` must come through
    a scoped getter (the member's, or a block's or flag's ``for_trainer``)."""
    today = timezone.localdate()
    questions = list(
        models.Question.objects.for_trainer(request.user)
        .filter(member=member)
        .select_related("exercise", "workout")
    )
    if kept_pages.keeping(request):
        # A waiting question says how long it has waited ("2 hours, 5
        # minutes"), and one a day old joins the reasons: kept to the minute.
        waits = [question.member_last_wrote for question in questions if question.is_waiting]
        if waits:
            kept_pages.keep_until(request, min(_next_minute(wrote) for wrote in waits))
    blocks = models.Assignment.objects.filter(member=member).order_by("-start_date", "-pk")
    current = blocks.current().first() or blocks.first()
    review = (
        reviews_with_reasons(models.Assignment.objects.filter(pk=current.pk), today=today)[0]
        if current
        else None
    )
    workouts = {}
    if current is not None:
        for workout in models.Workout.objects.filter(
            planned_session__assignment=current
        ).prefetch_related(
            Prefetch(
                "set_logs",
                queryset=models.SetLog.objects.select_related("exercise").order_by(
                    "step__order", "set_number", "side"
                ),
            ),
            Prefetch("knob_settings", queryset=_knob_settings()),
            Prefetch("pain_flags", queryset=models.PainFlag.objects.select_related("exercise")),
        ):
            workouts[workout.planned_session_id] = workout
    context = {
        "member": member,
        "review": review,
        "timeline": [(session, workouts.get(session.pk)) for session in review.progress.sessions]
        if review
        else [],
        "pain_flags": models.PainFlag.objects.filter(member=member)
        .select_related("exercise", "resolved_by__profile")
        .order_by("-created_at"),
        "trends": trends(member),
        "questions": questions,
        "active_nav": "dashboard",
        "resolving": resolving or {},
        "hand_over_form": HandOverForm(member=member),
        "check_in_schedule": [
            (due, state_text(due, today))
            for due in schedule(review.assignment, review.progress, review.check_ins)
        ]
        if review
        else [],
    }
    if current is not None:
        context.update(
            steering_context(
                review,
                member,
                list(workouts.values()),
                today,
                forms or {},
                edit_step=positive_int(request.GET.get("step")),
            )
        )
    return render(request, "members/trainer/member_detail.html", context, status=status)


def steering_context(review, member, workouts, today, forms: dict, edit_step=None) -> dict:
    """The controls for a block, each form bound when it just failed; the
    override form filled from the override being changed (``edit_step``)."""
    assignment = review.assignment
    overrides = list(
        models.StepOverride.objects.filter(member=member, step__routine=assignment.routine)
        .select_related(
            "step__exercise",
            "step__paired_with__exercise",
            "step__paired_from__exercise",
            "knob",
            "set_by__profile",
        )
        .order_by("step__order", "step_id")
    )
    editing = next((o for o in overrides if o.step_id == edit_step), None)
    override_form = forms.get("override") or OverrideForm(
        member=member,
        routine=assignment.routine,
        initial=_override_initial(editing) if editing else {"step": edit_step},
    )
    notes = list(
        models.TrainerNote.objects.filter(assignment=assignment).select_related(
            "author__profile", "workout"
        )
    )
    done = sorted((w for w in workouts if w.finished_at), key=lambda w: w.started_at, reverse=True)
    can_renew = not assignment.is_current or review.progress.finished
    return {
        "can_renew": can_renew,
        "resume_form": forms.get("resume") or ResumeForm(assignment=assignment),
        "extend_form": forms.get("extend")
        or ExtendForm(
            choices=extend_choices(assignment), initial={"from_weeks": assignment.weeks}
        ),
        "renew_form": forms.get("renew")
        or RenewForm(assignment=assignment, start=next_start(assignment, today)),
        "override_form": override_form,
        "overrides": overrides,
        "note_form": forms.get("note") or TrainerNoteForm(workouts=done),
        "notes": notes,
    }


def _override_initial(override: models.StepOverride) -> dict:
    return {
        "step": override.step_id,
        "sets": override.sets,
        "reps": override.reps,
        "minutes": override.duration_seconds / 60 if override.duration_seconds else None,
        "knob": override.knob_id,
        "knob_start": override.knob_start.removesuffix(f" {knob.unit}")
        if (knob := override.knob)
        else "",
        "note": override.note,
    }


def _knob_settings():
    return models.KnobSetting.objects.select_related("knob", "exercise").in_routine_order()
