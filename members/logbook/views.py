"""The session logger: one page per workout, every action a real form that
htmx upgrades to a fragment swap. Every action may carry an Idempotency-Key,
so a phone's queue sent again does nothing twice (``idempotency``), and every
refusal names its reason (``refusals``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from clubsite.kept_pages import kept_page
from members.logbook import forms, sets, workouts
from members.logbook.idempotency import logger_post
from members.logbook.plan import Logged, PlanHistory, build_plan, with_logged
from members.logbook.refusals import reason_of, refused
from members.models import PlannedSession, Profile, Workout
from members.web.requests import AuthenticatedHttpRequest
from routines.limits import PAIN_LEVELS


def get_workout_for_member(request: AuthenticatedHttpRequest, pk: int) -> Workout:
    return get_object_or_404(
        with_logged(Workout.objects.filter(member=request.user)).select_related(
            "routine", "planned_session__assignment"
        ),
        pk=pk,
    )


def to_session_page(request: AuthenticatedHttpRequest, workout: Workout) -> HttpResponse:
    """Where the session's plain forms (Start, the zero-pain rule, the pain
    check, Finish) go once done: the session's page. The phone's outbox posts
    these forms itself, so that a Wi-Fi carrying nothing keeps the action
    instead of ending on the browser's error page; to it the answer is
    ``HX-Redirect``, followed with one request, not a redirect that fetch
    would follow only to throw the page away."""
    url = reverse("members:workout", kwargs={"pk": workout.pk})
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _get_own_workout(request: AuthenticatedHttpRequest, pk: int) -> Workout:
    """The workout alone, without what it holds: for a refusal before the
    write, which reads the rest under its lock."""
    return get_object_or_404(Workout.objects.filter(member=request.user), pk=pk)


def _read_again(workout: Workout) -> Workout:
    """The member's workout as it is now, with what an answer with one row or
    one card shows (``workouts.read_again``): after a write, or a refusal."""
    try:
        return workouts.read_again(workout)
    except Workout.DoesNotExist:
        raise Http404("No such session.") from None


def _routes(workout: Workout) -> tuple[dict[str, str], int]:
    """The URL names the page's forms post to, and the id they take."""
    session = workout.planned_session_id
    if workout._state.adding and session is not None:  # a planned session, not started
        return _PLANNED_ROUTES, session
    return _ROUTES, workout.pk


def _context(
    request,
    workout: Workout,
    *,
    history: PlanHistory | None = None,
    logged: Logged | None = None,
    **extra,
) -> dict:
    """The logger's context. A workout read as its lock reads it
    (``workouts.read_again``) brings the member's weaker side: an answer with
    one row or one card then reads neither the profile nor the session, which
    only the whole page shows."""
    profile = SimpleLazyObject(lambda: Profile.objects.for_user(request.user))
    weaker_side = getattr(workout, "weaker_side", None)
    plan = build_plan(
        workout,
        weaker_side=profile.weaker_side if weaker_side is None else weaker_side,
        history=history,
        logged=logged,
    )
    plan.annotate(errors=extra.get("errors", {}), guidance=extra.get("guidance", {}))
    routes, address = _routes(workout)
    return {
        "workout": workout,
        "plan": plan,
        "profile": profile,
        "session": SimpleLazyObject(lambda: workout.planned_session),
        # The block's own sessions (an ended block has fewer than weeks x days),
        # counted only where the page shows it: the template calls it.
        "total_sessions": lambda: workout.planned_session.assignment.planned_sessions.count(),
        "pain_levels": PAIN_LEVELS,
        "feelings": Workout.Feeling.choices,
        "is_today": workout.date == timezone.localdate(),
        "errors": {},
        "guidance": {},
        "active_nav": "today",
        "routes": routes,
        "address": address,
        # Names the countdowns kept in the phone's storage, per session.
        "timer_key": address if routes is _ROUTES else f"planned-{address}",
        # Every set row posts to these: reversed once, not once a row.
        "log_set_url": reverse(routes["log_set"], args=[address]),
        "undo_set_url": reverse(routes["undo_set"], args=[address]),
        **extra,
    }


def logger_page(request, workout: Workout, *, status: int = 200, **extra) -> HttpResponse:
    return render(
        request, "members/logger.html", _context(request, workout, **extra), status=status
    )


@logger_post
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Start (or go back to) the workout for a planned session of the member's own."""
    form = forms.StartForm(request.POST)
    if not form.is_valid():
        raise Http404("No such session.")
    planned_session = None
    if session_id := form.cleaned_data["session"]:
        planned_session = get_object_or_404(
            PlannedSession.objects.select_related("assignment__routine"),
            pk=session_id,
            assignment__member=request.user,
        )
    try:
        workout = workouts.start_workout(member=request.user, planned_session=planned_session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return refused(redirect("members:home"), error)
    return to_session_page(request, workout)


@login_required
@kept_page
def workout(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return logger_page(request, get_workout_for_member(request, pk))


@logger_post
def accept_zero_pain(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    workout = get_workout_for_member(request, pk)
    workouts.accept_zero_pain_rule(member=request.user)
    return to_session_page(request, workout)


@logger_post
def pain_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    workout = get_workout_for_member(request, pk)
    # No answer is no answer: never zero pain the member did not say.
    form = forms.PainCheckForm(request.POST)
    if not form.is_valid():
        if "level" in form.errors:
            response = logger_page(
                request, workout, status=422, errors={"level": form.errors["level"]}
            )
        else:
            response = logger_page(request, workout, status=422, errors={"page": form.problems()})
        return refused(response, form.problems())
    try:
        workout = workouts.record_pain_before(workout=workout, **form.cleaned_data)
    except ValidationError as error:
        errors = (
            error.message_dict
            if hasattr(error, "error_dict")
            else {"page": " ".join(error.messages)}
        )
        return refused(logger_page(request, workout, status=422, errors=errors), error)
    return to_session_page(request, workout)


def _row_response(
    request,
    workout: Workout,
    key: str,
    *,
    errors=None,
    status=200,
    history=None,
    logged: Logged | None = None,
    **extra,
):
    """The changed set row (and the session's progress, out of band) for htmx;
    the whole page, at the row, without it. Given what the workout holds
    (``logged``, as the write that changed it left it, with the workout it
    locked), it is not read again."""
    if not request.htmx:
        if errors:
            return logger_page(
                request,
                get_workout_for_member(request, workout.pk),
                status=422,
                errors={key: errors},
            )
        return redirect(reverse("members:workout", kwargs={"pk": workout.pk}) + f"#set-{key}")
    if logged is None:
        workout = _read_again(workout)
    context = _context(
        request,
        workout,
        history=history,
        logged=logged,
        errors={key: errors} if errors else {},
        **extra,
    )
    slot = next((s for s in context["plan"].slots if s.key == key), None)
    if slot is None:
        return HttpResponse(status=204)
    group = context["plan"].group_of(slot.step_id)
    context.update(slot=slot, group=group)
    return render(request, "members/logger.html#set-row-response", context, status=status)


@logger_post
def log_set(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    form = forms.LogSetForm(request.POST)
    if not form.is_valid():
        return _error_response(request, _get_own_workout(request, pk), form, form.problems())
    data = form.cleaned_data
    # The member's workout by its id: the lock reads it, with all the answer
    # needs besides, once.
    workout = Workout(pk=pk, member=request.user)
    try:
        done = sets.logged_set(
            workout=workout, **form.row(), reps=data["reps"], seconds=data["minutes"]
        )
    except Workout.DoesNotExist:
        raise Http404("No such session.") from None
    except ValidationError as error:
        return _error_response(request, workout, form, error)
    return _row_response(
        request,
        done.workout,
        form.key(),
        history=done.history,
        logged=done.logged,
        edited=data["edit"],
    )


def _error_response(
    request, workout, form: forms.SetForm, error: ValidationError | str
) -> HttpResponse:
    """The message beside the row's field; or, when the post names no row of
    this session (a tampered form), at the top of the logger."""
    return refused(_error_answer(request, workout, form, reason_of(error)), error)


def _error_answer(request, workout, form: forms.SetForm, problems: str) -> HttpResponse:
    key = form.key()
    workout = get_workout_for_member(request, workout.pk)
    context = _context(request, workout)
    if key not in {slot.key for slot in context["plan"].slots}:
        if request.htmx:
            response = render(
                request, "members/logger.html#page-error", {"message": problems}, status=422
            )
            return retarget(reswap(response, "innerHTML"), "#logger-messages")
        return logger_page(request, workout, status=422, errors={"page": problems})
    # What the member typed stays in the field, beside the message about it.
    typed = form.typed()
    if request.htmx:
        return _row_response(request, workout, key, errors=problems, status=422, typed=typed)
    return logger_page(request, workout, status=422, errors={key: problems}, typed=typed)


@logger_post
def undo_set(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # The member's workout by its id: the lock reads it (``log_set``).
    workout = Workout(pk=pk, member=request.user)
    form = forms.SetForm(request.POST)
    if not form.is_valid():
        return _error_response(request, workout, form, form.problems())
    try:
        done = sets.undo_set(workout=workout, **form.row())
    except Workout.DoesNotExist:
        raise Http404("No such session.") from None
    except ValidationError as error:
        return _error_response(request, workout, form, error)
    return _row_response(
        request, done.workout, form.key(), history=done.history, logged=done.logged, undone=True
    )


def _group_response(
    request,
    workout: Workout,
    step_id: int,
    *,
    status=200,
    written: sets.Written | None = None,
    **extra,
):
    """The changed exercise card (and progress, out of band) for htmx; the
    whole page, at the card, without it. Given the workout as the write left
    it (``written``), it is not read again."""
    if not request.htmx:
        if status != 200:
            page = get_workout_for_member(request, workout.pk)
            return logger_page(request, page, status=status, **extra)
        return redirect(reverse("members:workout", kwargs={"pk": workout.pk}) + f"#step-{step_id}")
    if written is None:
        context = _context(request, _read_again(workout), **extra)
    else:
        context = _context(
            request, written.workout, history=written.history, logged=written.logged, **extra
        )
    group = context["plan"].group_of(step_id)
    context.update(group=group)
    return render(request, "members/logger.html#group-response", context, status=status)


def _check_step(request: AuthenticatedHttpRequest, pk: int, step_id: int) -> None:
    """A 404 unless ``step_id`` is one of the member's session's steps: a card
    of a step that is not the session's is not answered, not even with a
    refusal, which htmx would swap in as an empty card."""
    if not _get_own_workout(request, pk).has_step(step_id):
        raise Http404("No such step in this session.")


def _card_action(form_class: type[forms.LoggerForm]):
    """Card actions share their shape: read the post through ``form_class``,
    act with its clean values on the member's workout (which the action's
    lock reads), answer with the card as the action left it (``Written``,
    or None to read it again) and any more the card shows."""

    def decorate(action):
        @logger_post
        def view(request: AuthenticatedHttpRequest, pk: int, step_id: int) -> HttpResponse:
            # The member's workout by its id: the action's lock reads it.
            workout = Workout(pk=pk, member=request.user)
            form = form_class(request.POST)
            try:
                if not form.is_valid():
                    raise ValidationError(form.problems())
                written, extra = action(request, workout, step_id, **form.cleaned_data)
            except (Workout.DoesNotExist, workouts.NoSuchStep):
                # Not the member's session, or a step that is not this
                # session's: a 404 that changes nothing. Answered as a
                # refusal, htmx would swap an empty card into the page.
                raise Http404("No such step in this session.") from None
            except ValidationError as error:
                # Refused before the action's lock checked the step: checked here.
                _check_step(request, pk, step_id)
                problems = " ".join(error.messages)
                response = _group_response(
                    request, workout, step_id, status=422, errors={f"step-{step_id}": problems}
                )
                return refused(response, error)
            return _group_response(request, workout, step_id, written=written, **extra)

        view.__name__ = action.__name__
        view.__doc__ = action.__doc__
        return view

    return decorate


@_card_action(forms.LoggerForm)
def log_all(request, workout, step_id):
    """Every open set of the exercise, at its target: one tap."""
    return sets.log_all_as_prescribed(workout=workout, step_id=step_id), {}


@_card_action(forms.KnobForm)
def knob(request, workout, step_id, *, knob, direction, value):
    """Easier, harder, or a typed value; shows the trainer's guidance for the way it went."""
    done = sets.set_knob(
        workout=workout, step_id=step_id, knob_id=knob, direction=direction, raw_value=value
    )
    return done, ({"guidance": {knob: direction}} if direction else {})


@_card_action(forms.OptionForm)
def option(request, workout, step_id, *, option):
    """Switch to the step's alternative, or back."""
    return sets.choose_option(workout=workout, step_id=step_id, option_id=option), {}


@_card_action(forms.PainForm)
def pain(request, workout, step_id, *, level, note):
    """“Any pain during it?” None is the exercise's answer; a level stops it,
    flags it and emails the trainer."""
    return sets.report_pain(workout=workout, step_id=step_id, level=level, note=note), {}


@_card_action(forms.WeakerSideForm)
def weaker_side(request, workout, step_id, *, side):
    """Chosen on the spot when the profile does not say; saved to the profile.
    The card is read again, with the side now known."""
    _check_step(request, workout.pk, step_id)
    sets.set_weaker_side(member=request.user, side=side)
    return None, {}


@logger_post
def finish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    workout = get_workout_for_member(request, pk)
    form = forms.FinishForm(request.POST)
    note = form.data.get("note", "")
    if not form.is_valid():
        response = logger_page(
            request, workout, status=422, errors=form.field_errors(), typed_note=note
        )
        return refused(response, form.problems())
    feeling, note = form.cleaned_data["feeling"], form.cleaned_data["note"]
    # Finished already? A retried post lands on the summary all the same.
    try:
        workout = workouts.finish_workout(workout=workout, feeling=feeling, note=note)
    except workouts.WorkoutClosed:
        pass
    except workouts.PainUnanswered as error:
        # Each card asks its question again; the list at Finish links to them.
        response = logger_page(
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
        return refused(response, error)
    except ValidationError as error:
        # Not started yet (the pain check unanswered): refused, as every
        # other action is, with the page that asks the question.
        response = logger_page(
            request,
            workout,
            status=422,
            errors={"page": " ".join(error.messages)},
            typed_note=note,
        )
        return refused(response, error)
    messages.success(request, "Session saved. Well done.")
    return to_session_page(request, workout)


@logger_post
def reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    workout = get_workout_for_member(request, pk)
    try:
        workouts.reopen_workout(workout=workout)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return refused(redirect("members:workout", pk=workout.pk), error)
    return redirect("members:workout", pk=workout.pk)


# The logger's actions: (route under the session, view, URL name). Each is
# reached by the workout's id, and as ``planned_<name>`` by its planned
# session (``planned_views.by_planned_session``): a session's page before it
# starts posts to those, so a phone can start and log it with no signal.
ACTIONS = [
    ("zero-pain/", accept_zero_pain, "accept_zero_pain"),
    ("pain-check/", pain_check, "pain_check"),
    ("sets/", log_set, "log_set"),
    ("sets/undo/", undo_set, "undo_set"),
    ("steps/<int:step_id>/all/", log_all, "log_all"),
    ("steps/<int:step_id>/knob/", knob, "knob"),
    ("steps/<int:step_id>/option/", option, "option"),
    ("steps/<int:step_id>/pain/", pain, "pain"),
    ("steps/<int:step_id>/weaker-side/", weaker_side, "weaker_side"),
    ("finish/", finish, "finish"),
    ("reopen/", reopen, "reopen"),
]
_ROUTES = {name: f"members:{name}" for _, _, name in ACTIONS}
_PLANNED_ROUTES = {name: f"members:planned_{name}" for _, _, name in ACTIONS}
