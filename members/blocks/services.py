"""Writes that span several models: inviting members and putting them on a routine."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from members.accounts.roles import trained_elsewhere_message
from members.models import Assignment, BlockStanding, PlannedSession, Profile, User, Workout
from members.models.blocks import block_problems
from members.models.invitations import REPEAT_WINDOW
from members.models.weekdays import plan_dates, weekdays_to_mask
from routines.models import Routine


@transaction.atomic
def assign_routine(
    *,
    trainer: User,
    members: list[User],
    routine: Routine,
    start_date: dt.date,
    weekdays: list[int],
    weeks: int,
    notes: str = "",
) -> list[Assignment]:
    """Put each member on ``routine`` with the same start and days, and date every
    session of their blocks.

    The rules are checked once for the whole group and the rows are written with
    ``bulk_create``: the same handful of queries for one member or thirty. The
    assigning trainer becomes each member's trainer."""
    problems = block_problems(routine=routine, weekdays=weekdays, weeks=weeks)
    if problems:
        raise ValidationError(problems)
    members = list(members)
    if refused := trained_elsewhere_message(trainer=trainer, members=members):
        raise ValidationError({"members": refused})
    weekdays = sorted({int(day) for day in weekdays})
    busy = sorted(
        user.display_name
        for user in User.objects.filter(
            pk__in=[member.pk for member in members],
            assignments__status__in=Assignment.CURRENT_STATUSES,
        ).select_related("profile")
    )

    def made_by_the_same_post() -> list[Assignment] | None:
        return repeated_blocks(
            trainer=trainer,
            members=members,
            routine=routine,
            start_date=start_date,
            weekdays=weekdays,
            weeks=weeks,
        )

    if busy:
        # The same post sent twice finds the blocks it made: answer with them.
        if repeated := made_by_the_same_post():
            return repeated
        raise ValidationError({"members": already_on_a_block_message(busy)})
    try:
        with transaction.atomic():
            assignments = Assignment.objects.bulk_create(
                [
                    Assignment(
                        member=member,
                        routine=routine,
                        trainer=trainer,
                        start_date=start_date,
                        weekdays=weekdays_to_mask(weekdays),
                        weeks=weeks,
                        notes=notes,
                    )
                    for member in members
                ]
            )
    except IntegrityError as error:
        # Another request put one of them on a block since the check above:
        # the same post sent twice answers with the blocks the first made.
        if repeated := made_by_the_same_post():
            return repeated
        raise ValidationError(
            {"members": "Someone in this group was just put on a block. Reload and try again."}
        ) from error
    _plan_sessions(assignments)
    Profile.objects.filter(user__in=members).update(trainer=trainer)
    return assignments


@transaction.atomic
def start_block(*, assignment: Assignment) -> Assignment:
    """Save one block the admin's form has validated, and date its sessions.
    The same form posted twice at once answers with the block the first made."""
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        repeated = repeated_blocks(
            trainer=assignment.trainer,
            members=[assignment.member],
            routine=assignment.routine,
            start_date=assignment.start_date,
            weekdays=assignment.weekday_list,
            weeks=assignment.weeks,
        )
        if repeated is None:
            raise
        return repeated[0]
    _plan_sessions([assignment])
    Profile.objects.filter(user=assignment.member_id).update(trainer=assignment.trainer_id)
    return assignment


def _plan_sessions(assignments: list[Assignment]) -> None:
    """Date every session of blocks that share (or not) a start and days: one
    insert; and give each block the dashboard's standing, to be worked out
    (``members.coaching.standings``): a write about the member from then on
    always finds a row to mark."""
    BlockStanding.objects.bulk_create(
        [BlockStanding(assignment=assignment) for assignment in assignments],
        ignore_conflicts=True,
    )
    PlannedSession.objects.bulk_create(
        PlannedSession(assignment=assignment, number=number, week=week, date=day)
        for assignment in assignments
        for number, (week, day) in enumerate(
            plan_dates(assignment.start_date, assignment.weekday_list, assignment.weeks),
            start=1,
        )
    )


def repeated_blocks(
    *,
    members: list[User],
    routine: Routine,
    start_date: dt.date,
    weekdays: list[int],
    weeks: int,
    trainer: User | None = None,
) -> list[Assignment] | None:
    """The current blocks of ``members``, in their order, when an identical
    post (a double tap, two posts at once) made them moments ago: the answer
    to give that post again. None when any member's block is not such a one."""
    if not members:
        return None
    blocks = Assignment.objects.current().filter(
        member__in=members,
        routine=routine,
        start_date=start_date,
        weekdays=weekdays_to_mask(weekdays),
        weeks=weeks,
        created_at__gte=timezone.now() - REPEAT_WINDOW,
    )
    if trainer is not None:
        blocks = blocks.filter(trainer=trainer)
    by_member = {block.member_id: block for block in blocks.select_related("routine")}
    if set(by_member) != {member.pk for member in members}:
        return None
    return [by_member[member.pk] for member in members]


def already_on_a_block_message(names: list[str]) -> str:
    if len(names) == 1:
        return f"{names[0]} is already on a block. End it before starting another."
    return f"Already on a block: {', '.join(names)}. End their blocks before starting new ones."


def sessions_with_workouts() -> Prefetch:
    """A block's planned sessions, each with its workouts' summaries in the
    order they started: what Today, Program and steering read of a block."""
    return Prefetch(
        "planned_sessions",
        queryset=PlannedSession.objects.prefetch_related(
            Prefetch("workouts", queryset=Workout.objects.summaries().order_by("started_at"))
        ),
    )
