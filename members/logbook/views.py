"""The session logger: one page per workout, every action a real form that
htmx upgrades to a fragment swap."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from members.logbook import sets, workouts
from members.logbook.plan import PlanHistory, build_plan, plan_history
from members.models import PainFlag, PlannedSession, Profile, SetLog, Workout
from members.web.requests import AuthenticatedHttpRequest

PAIN_LEVELS = range(0, 11)
NULL_CHARACTERS = "Null characters are not allowed."


def _get_workout_for_member(request: AuthenticatedHttpRequest, pk: int) -> Workout:
    return get_object_or_404(
        Workout.objects.filter(member=request.user)
        .select_related("routine", "planned_session__assignment")
        .prefetch_related(
            "set_logs",
            "knob_settings",
            Prefetch("pain_flags", queryset=PainFlag.objects.order_by("created_at")),
        ),
        pk=pk,
    )


def _get_own_workout(request: AuthenticatedHttpRequest, pk: int) -> Workout:
    """The workout alone, for an action that reads what it needs after writing."""
    return get_object_or_404(Workout.objects.filter(member=request.user), pk=pk)


def _int(value: str | None, *, field: str, low: int, high: int) -> int:
    """A whole number from a form, or a ValidationError at ``field``."""
    text = (value or "").strip()
    if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 6:
        raise ValidationError({field: "Enter a whole number."})
    number = int(text)
    if not low <= number <= high:
        raise ValidationError({field: f"Enter a number from {low} to {high}."})
    return number


def _note(value: str | None, *, limit: int) -> str:
    """A note typed with an action, cut to ``limit``. A NUL character is
    refused, as Django's form fields refuse it: PostgreSQL cannot store one."""
    note = (value or "")[:limit]
    if "\x00" in note:
        raise ValidationError(NULL_CHARACTERS)
    return note


def _context(request, workout: Workout, *, history: PlanHistory | None = None, **extra) -> dict:
    profile, _ = Profile.objects.get_or_create(user=request.user)
    plan = build_plan(workout, profile=profile, history=history)
    plan.annotate(errors=extra.get("errors", {}), guidance=extra.get("guidance", {}))
    session = workout.planned_session
    return {
        "workout": workout,
        "plan": plan,
        "profile": profile,
        "session": session,
        # The block's own sessions (an ended block has fewer than weeks x days),
        # counted only where the page shows it: the template calls it.
        "total_sessions": session.assignment.planned_sessions.count if session else None,
        "pain_levels": PAIN_LEVELS,
        "feelings": Workout.Feeling.choices,
        "is_today": workout.date == timezone.localdate(),
        "errors": {},
        "guidance": {},
        "active_nav": "today",
        # Every set row posts to these: reversed once, not once a row.
        "log_set_url": reverse("members:log_set", kwargs={"pk": workout.pk}),
        "undo_set_url": reverse("members:undo_set", kwargs={"pk": workout.pk}),
        **extra,
    }


def _page(request, workout: Workout, *, status: int = 200, **extra) -> HttpResponse:
    return render(
        request, "members/logger.html", _context(request, workout, **extra), status=status
    )


@login_required
@require_POST
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Start (or go back to) the workout for a planned session of the member's own."""
    planned_session = None
    if raw := request.POST.get("session", ""):
        try:
            session_id = _int(raw, field="session", low=1, high=2**31 - 1)
        except ValidationError:
            raise Http404("No such session.") from None
        planned_session = get_object_or_404(
            PlannedSession.objects.select_related("assignment__routine"),
            pk=session_id,
            assignment__member=request.user,
        )
    try:
        workout = workouts.start_workout(member=request.user, planned_session=planned_session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("members:home")
    return redirect("members:workout", pk=workout.pk)


@login_required
def workout(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _page(request, _get_workout_for_member(request, pk))


@login_required
@require_POST
def accept_zero_pain(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    workout = _get_workout_for_member(request, pk)
    workouts.accept_zero_pain_rule(member=request.user)
    return redirect("members:workout", pk=workout.pk)


@login_required
@require_POST
def pain_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    workout = _get_workout_for_member(request, pk)
    try:
        # No answer is no answer: never zero pain the member did not say.
        if not request.POST.get("level", "").strip():
            raise ValidationError(
                {"level": "Choose None, or how much it hurts from 1 to 10, to start."}
            )
        level = _int(request.POST.get("level"), field="level", low=0, high=10)
        workout = workouts.record_pain_before(
            workout=workout, level=level, note=_note(request.POST.get("note"), limit=1000)
        )
    except ValidationError as error:
        errors = (
            error.message_dict
            if hasattr(error, "error_dict")
            else {"page": " ".join(error.messages)}
        )
        return _page(request, workout, status=422, errors=errors)
    return redirect("members:workout", pk=workout.pk)


def _set_fields(request) -> tuple[int, int, str]:
    step_id = _int(request.POST.get("step"), field="step", low=1, high=2**31 - 1)
    set_number = _int(request.POST.get("set_number"), field="set_number", low=1, high=50)
    side = request.POST.get("side", "")
    if side not in SetLog.Side.values:
        raise ValidationError({"side": "Choose left, right or both."})
    return step_id, set_number, side


def _row_response(
    request, workout: Workout, key: str, *, errors=None, status=200, history=None, **extra
):
    """The changed set row (and the session's progress, out of band) for htmx;
    the whole page, at the row, without it."""
    if not request.htmx:
        if errors:
            return _page(
                request,
                _get_workout_for_member(request, workout.pk),
                status=422,
                errors={key: errors},
            )
        return redirect(reverse("members:workout", kwargs={"pk": workout.pk}) + f"#set-{key}")
    workout = _get_workout_for_member(request, workout.pk)
    context = _context(
        request, workout, history=history, errors={key: errors} if errors else {}, **extra
    )
    slot = next((s for s in context["plan"].slots if s.key == key), None)
    if slot is None:
        return HttpResponse(status=204)
    group = context["plan"].group_of(slot.step_id)
    context.update(slot=slot, group=group)
    return render(request, "members/logger.html#set-row-response", context, status=status)


@login_required
@require_POST
def log_set(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    workout = _get_own_workout(request, pk)
    history = plan_history(workout)  # read once, for the check and for the answer
    key = ""
    try:
        step_id, set_number, side = _set_fields(request)
        key = f"{step_id}-{set_number}-{side}"
        reps = seconds = None
        if "minutes" in request.POST:
            seconds = sets.parse_time(request.POST["minutes"])
        else:
            reps = _int(request.POST.get("reps"), field="reps", low=0, high=sets.MAX_REPS)
        sets.log_set(
            workout=workout,
            step_id=step_id,
            set_number=set_number,
            side=side,
            reps=reps,
            seconds=seconds,
            history=history,
        )
    except ValidationError as error:
        return _error_response(request, workout, key, error)
    return _row_response(
        request, workout, key, history=history, edited=bool(request.POST.get("edit"))
    )


def _error_response(request, workout, key: str, error: ValidationError) -> HttpResponse:
    """The message beside the row's field; or, when the post names no row of
    this session (a tampered form), at the top of the logger."""
    problems = " ".join(error.messages)
    workout = _get_workout_for_member(request, workout.pk)
    context = _context(request, workout)
    if key not in {slot.key for slot in context["plan"].slots}:
        if request.htmx:
            response = render(
                request, "members/logger.html#page-error", {"message": problems}, status=422
            )
            return retarget(reswap(response, "innerHTML"), "#logger-messages")
        return _page(request, workout, status=422, errors={"page": problems})
    # What the member typed stays in the field, beside the message about it.
    typed = request.POST.get("minutes", request.POST.get("reps"))
    if request.htmx:
        return _row_response(request, workout, key, errors=problems, status=422, typed=typed)
    return _page(request, workout, status=422, errors={key: problems}, typed=typed)


@login_required
@require_POST
def undo_set(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    workout = _get_workout_for_member(request, pk)
    key = ""
    try:
        step_id, set_number, side = _set_fields(request)
        key = f"{step_id}-{set_number}-{side}"
        sets.undo_set(workout=workout, step_id=step_id, set_number=set_number, side=side)
    except ValidationError as error:
        return _error_response(request, workout, key, error)
    return _row_response(request, workout, key, undone=True)


def _group_response(request, workout: Workout, step_id: int, *, status=200, **extra):
    """The changed exercise card (and progress, out of band) for htmx; the
    whole page, at the card, without it."""
    workout = _get_workout_for_member(request, workout.pk)
    if not request.htmx:
        if status != 200:
            return _page(request, workout, status=status, **extra)
        return redirect(reverse("members:workout", kwargs={"pk": workout.pk}) + f"#step-{step_id}")
    context = _context(request, workout, **extra)
    group = context["plan"].group_of(step_id)
    context.update(group=group)
    return render(request, "members/logger.html#group-response", context, status=status)


def _card_action(action):
    """Card actions share their shape: find the workout, act, answer with the card."""

    @login_required
    @require_POST
    def view(request: AuthenticatedHttpRequest, pk: int, step_id: int) -> HttpResponse:
        workout = _get_workout_for_member(request, pk)
        # A step that is not this session's is a 404 that changes nothing;
        # answered as a refusal, htmx would swap an empty card into the page.
        if not any(main["id"] == step_id for main in workout.prescription["steps"]):
            raise Http404("No such step in this session.")
        try:
            extra = action(request, workout, step_id) or {}
        except ValidationError as error:
            return _group_response(
                request,
                workout,
                step_id,
                status=422,
                errors={f"step-{step_id}": " ".join(error.messages)},
            )
        return _group_response(request, workout, step_id, **extra)

    view.__name__ = action.__name__
    view.__doc__ = action.__doc__
    return view


@_card_action
def log_all(request, workout, step_id):
    """Every open set of the exercise, at its target: one tap."""
    sets.log_all_as_prescribed(workout=workout, step_id=step_id)


@_card_action
def knob(request, workout, step_id):
    """Easier, harder, or a typed value; shows the trainer's guidance for the way it went."""
    knob_id = _int(request.POST.get("knob"), field="knob", low=1, high=2**31 - 1)
    direction = request.POST.get("direction", "")
    sets.set_knob(
        workout=workout,
        step_id=step_id,
        knob_id=knob_id,
        direction=direction if direction in {"easier", "harder"} else "",
        raw_value=request.POST.get("value", "")[:20],
    )
    if direction in {"easier", "harder"}:
        return {"guidance": {knob_id: direction}}
    return None


@_card_action
def option(request, workout, step_id):
    """Switch to the step's alternative, or back."""
    raw = request.POST.get("option", "")
    option_id = _int(raw, field="option", low=1, high=2**31 - 1) if raw and raw != "main" else None
    sets.choose_option(workout=workout, step_id=step_id, option_id=option_id)


@_card_action
def pain(request, workout, step_id):
    """“Any pain during it?” None is the exercise's answer; a level stops it,
    flags it and emails the trainer."""
    if not request.POST.get("level"):
        raise ValidationError({"level": "Choose None, or how much it hurts from 1 to 10."})
    level = _int(request.POST.get("level"), field="level", low=0, high=10)
    sets.report_pain(
        workout=workout,
        step_id=step_id,
        level=level,
        note=_note(request.POST.get("note"), limit=1000),
    )


@_card_action
def weaker_side(request, workout, step_id):
    """Chosen on the spot when the profile does not say; saved to the profile."""
    sets.set_weaker_side(member=request.user, side=request.POST.get("side", ""))


@login_required
@require_POST
def finish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    workout = _get_workout_for_member(request, pk)
    feeling = request.POST.get("feeling", "")
    note = request.POST.get("note", "")
    errors = {}
    if feeling and feeling not in Workout.Feeling.values:
        errors["feeling"] = "Choose how it felt."
    if len(note) > 2000:
        errors["note"] = "Keep the note under 2,000 characters."
    elif "\x00" in note:
        errors["note"] = NULL_CHARACTERS
    if errors:
        return _page(request, workout, status=422, errors=errors, typed_note=note)
    # Finished already? A retried post lands on the summary all the same.
    try:
        workout = workouts.finish_workout(workout=workout, feeling=feeling, note=note)
    except workouts.WorkoutClosed:
        pass
    except workouts.PainUnanswered as error:
        # Each card asks its question again; the list at Finish links to them.
        return _page(
            request,
            workout,
            status=422,
            errors={
                "finish_pain": error.messages[0],
                **{f"pain-{card.step_id}": error.messages[0] for card in error.cards},
            },
            typed_note=note,
            typed_feeling=feeling,
        )
    except ValidationError as error:
        # Not started yet (the pain check unanswered): refused, as every
        # other action is, with the page that asks the question.
        return _page(
            request,
            workout,
            status=422,
            errors={"page": " ".join(error.messages)},
            typed_note=note,
        )
    messages.success(request, "Session saved. Well done.")
    return redirect("members:workout", pk=workout.pk)


@login_required
@require_POST
def reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    workout = _get_workout_for_member(request, pk)
    try:
        workouts.reopen_workout(workout=workout)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("members:workout", pk=workout.pk)
