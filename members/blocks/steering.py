"""A trainer steering a member's block: pause, resume, extend, end early, renew.

Each function locks the block, checks the move in a trainer's words (a
``ValidationError`` by field) and leaves the planned sessions on the chosen
weekdays with their numbers unchanged, so counts and calendar events stay
right."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from members.blocks.services import assign_routine, sessions_with_workouts
from members.models import Assignment, PlannedSession, User
from members.models.blocks import block_problems
from members.models.weekdays import weekdays_to_mask


def _locked(assignment: Assignment) -> Assignment:
    """The block, locked, with its sessions and their workouts; refused when
    the member's account is closed (deleted or deactivated): nothing may
    change their blocks, let alone start another (the admin's actions reach
    here without the trainer pages' scoping)."""
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("routine", "member__profile")
        .prefetch_related(sessions_with_workouts())
        .get(pk=assignment.pk)
    )
    member = locked.member
    profile = getattr(member, "profile", None)
    if not member.is_active or (profile is not None and profile.forgotten_at is not None):
        raise ValidationError("This member's account is closed: their blocks stay as they are.")
    return locked


def _untouched(sessions, *, since: dt.date) -> list[PlannedSession]:
    """Sessions dated on or after ``since`` that no workout has started."""
    return [s for s in sessions if s.date >= since and not s.workouts.all()]


def _slots(assignment: Assignment, week: int, weekdays: list[int]) -> list[dt.date]:
    first, _ = assignment.week_window(week)
    days = [first + dt.timedelta(days=offset) for offset in range(7)]
    return [day for day in days if day.weekday() in weekdays]


@transaction.atomic
def pause_block(*, assignment: Assignment, today: dt.date | None = None) -> Assignment:
    """Stop the clock: sessions from today on are on hold until the block resumes."""
    today = today or timezone.localdate()
    assignment = _locked(assignment)
    if assignment.status != Assignment.Status.ACTIVE:
        raise ValidationError(
            f"Only an active block can be paused; this one is {_status(assignment)}."
        )
    if today > assignment.end_date:
        raise ValidationError("This block is over: renew it instead.")
    assignment.status = Assignment.Status.PAUSED
    assignment.paused_on = today
    assignment.save(update_fields=["status", "paused_on", "updated_at"])
    return assignment


@transaction.atomic
def resume_block(
    *,
    assignment: Assignment,
    on: dt.date,
    weekdays: list[int],
    today: dt.date | None = None,
) -> Assignment:
    """Pick up where the member stopped, from ``on``, on ``weekdays``.

    The block week the member was in starts again on ``on``, whole: its
    sessions not yet started (one missed before the pause included) and every
    later one move, in order, to their week's chosen days. Done and partly done
    sessions, and sessions missed in earlier weeks, keep their dates."""
    today = today or timezone.localdate()
    assignment = _locked(assignment)
    # A paused block has its pause day: pausing sets both (and resuming clears both).
    if assignment.status != Assignment.Status.PAUSED or assignment.paused_on is None:
        raise ValidationError(
            f"Only a paused block can be resumed; this one is {_status(assignment)}."
        )
    problems = block_problems(routine=assignment.routine, weekdays=weekdays, weeks=None)
    if on < today:
        problems["on"] = "Resume today or later."
    if problems:
        raise ValidationError(problems)
    weekdays = sorted({int(day) for day in weekdays})
    stopped_in = assignment.week_on(assignment.paused_on)
    remaining = [
        s
        for s in assignment.planned_sessions.all()
        if s.week >= stopped_in and not s.workouts.all()
    ]
    if remaining:
        first_week = remaining[0].week
        new_start = on - dt.timedelta(weeks=first_week - 1)
        assignment.shift_days = (new_start - assignment.start_date).days
        by_week: dict[int, list[PlannedSession]] = {}
        for session in remaining:
            by_week.setdefault(session.week, []).append(session)
        for week, sessions in by_week.items():
            slots = _slots(assignment, week, weekdays)
            for session, day in zip(sessions, slots, strict=False):
                session.date = day
            # A week cannot hold more sessions than chosen days (the rules above
            # make them equal); any extra go on the week's last day.
            for session in sessions[len(slots) :]:
                session.date = slots[-1]
        PlannedSession.objects.bulk_update(remaining, ["date"])
    assignment.weekdays = weekdays_to_mask(weekdays)
    assignment.status = Assignment.Status.ACTIVE
    assignment.paused_on = None
    assignment.save(update_fields=["weekdays", "status", "paused_on", "shift_days", "updated_at"])
    return assignment


def extend_choices(assignment: Assignment) -> list[int]:
    """How many weeks the block can still grow by, within the routine's longest block."""
    return list(range(1, assignment.routine.max_weeks - assignment.weeks + 1))


@transaction.atomic
def extend_block(
    *, assignment: Assignment, weeks: int, from_weeks: int | None = None
) -> Assignment:
    """Add whole weeks at the end, with sessions on the block's days.

    ``from_weeks`` is the length the trainer saw: when the block is no longer
    that long, this same post (a double tap, two at once) extended it already,
    and the answer is the block as it made it; any other change is refused."""
    assignment = _locked(assignment)
    if not assignment.is_current:
        raise ValidationError(f"This block is {_status(assignment)}: renew it instead.")
    if from_weeks is not None and assignment.weeks != from_weeks:
        if assignment.weeks == from_weeks + weeks:
            return assignment
        raise ValidationError(
            f"This block changed since the page was shown: it now lasts {assignment.weeks} "
            "weeks. Check it, then extend again if you still want to."
        )
    longest = assignment.routine.max_weeks
    if weeks < 1 or assignment.weeks + weeks > longest:
        room = longest - assignment.weeks
        raise ValidationError(
            {
                "weeks": f"{assignment.routine.title} lasts at most {longest} weeks: "
                + (f"add 1 to {room}." if room else "this block is already that long.")
            }
        )
    sessions = list(assignment.planned_sessions.all())
    number = max((s.number for s in sessions), default=0)
    new = []
    for week in range(assignment.weeks + 1, assignment.weeks + weeks + 1):
        for day in _slots(assignment, week, assignment.weekday_list):
            number += 1
            new.append(PlannedSession(assignment=assignment, number=number, week=week, date=day))
    PlannedSession.objects.bulk_create(new)
    assignment.weeks += weeks
    assignment.save(update_fields=["weeks", "updated_at"])
    return assignment


@transaction.atomic
def end_block(*, assignment: Assignment, today: dt.date | None = None) -> Assignment:
    """End the block now. Sessions from today on that nothing was logged for are
    dropped, so nothing more is due or counted as missed."""
    today = today or timezone.localdate()
    assignment = _locked(assignment)
    if not assignment.is_current:
        raise ValidationError(f"This block is already {_status(assignment)}.")
    _close(assignment, today)
    return assignment


def _close(assignment: Assignment, today: dt.date) -> None:
    progress = assignment.progress(today)
    if progress.finished:
        assignment.status = Assignment.Status.COMPLETED
    else:
        assignment.status = Assignment.Status.ENDED_EARLY
        dropped = _untouched(progress.sessions, since=today)
        PlannedSession.objects.filter(pk__in=[s.pk for s in dropped]).delete()
    assignment.ended_on = today
    assignment.paused_on = None
    assignment.save(update_fields=["status", "ended_on", "paused_on", "updated_at"])


@transaction.atomic
def renew_block(
    *,
    assignment: Assignment,
    trainer: User,
    start_date: dt.date,
    weekdays: list[int],
    weeks: int,
    today: dt.date | None = None,
) -> Assignment:
    """Another block of the same routine for the same member. A block still
    running is closed first (completed when its sessions are all behind it);
    one with sessions still ahead must be ended or left to finish."""
    today = today or timezone.localdate()
    assignment = _locked(assignment)
    problems = {}
    if start_date < today:
        problems["start_date"] = "Start today or later."
    if assignment.is_current:
        progress = assignment.progress(today)
        if not progress.finished:
            problems["__all__"] = (
                "This block still has sessions ahead: extend it, or end it before renewing."
            )
    if problems:
        raise ValidationError(problems)
    if assignment.is_current:
        _close(assignment, today)
    (renewed,) = assign_routine(
        trainer=trainer,
        members=[assignment.member],
        routine=assignment.routine,
        start_date=start_date,
        weekdays=weekdays,
        weeks=weeks,
    )
    return renewed


def next_start(assignment: Assignment, today: dt.date) -> dt.date:
    """Where a renewed block starts by default: the next of the block's days
    after both today and the block's end."""
    day = max(today, assignment.end_date + dt.timedelta(days=1))
    days = assignment.weekday_list or [day.weekday()]
    while day.weekday() not in days:
        day += dt.timedelta(days=1)
    return day


def _status(assignment: Assignment) -> str:
    return assignment.get_status_display().lower()
