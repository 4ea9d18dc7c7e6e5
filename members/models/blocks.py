"""A member's block on a routine: the assignment, its dated sessions, and the
workouts the member actually did."""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.models.access import trained_by
from members.models.weekdays import (
    WEEKDAY_NAMES,
    join_words,
    mask_to_weekdays,
)
from routines.models import Routine

if TYPE_CHECKING:
    from members.models.workouts import Workout


def block_problems(*, routine: Routine | None, weekdays, weeks: int | None) -> dict[str, str]:
    """What is wrong with a block's shape, by field, in a trainer's words.

    One place for the rules, so the trainer pages, the admin and the group
    action all say the same thing, and a group is validated once."""
    problems = {}
    if routine is not None and not routine.is_published:
        problems["routine"] = "This routine is a draft. Publish it before assigning it."
    if weekdays is not None:
        days = [int(day) for day in weekdays]
        if len(set(days)) != len(days):
            problems["weekdays"] = "Each day can be picked only once."
        elif routine is not None and len(days) != routine.sessions_per_week:
            wanted = routine.sessions_per_week
            problems["weekdays"] = (
                f"{routine.title} is done {routine.frequency_text.lower()}: "
                f"pick exactly {wanted} day{'s' if wanted != 1 else ''} "
                f"(you picked {len(days)})."
            )
        elif any(day < 0 or day > 6 for day in days):
            problems["weekdays"] = "Pick days from Monday to Sunday."
    if (
        weeks is not None
        and routine is not None
        and not routine.min_weeks <= weeks <= routine.max_weeks
    ):
        problems["weeks"] = (
            f"A block of {routine.title} lasts {routine.weeks_text}; {weeks} is outside that."
        )
    return problems


class AssignmentQuerySet(models.QuerySet):
    def current(self):
        """Active or paused: the block a member is on. There is at most one."""
        return self.filter(status__in=Assignment.CURRENT_STATUSES)

    def for_trainer(self, user):
        """The blocks a trainer may see and steer: every block of each member
        they train now (``trained_by``), whoever assigned it; none of a member
        another trainer has taken on, or whose account is closed. Paused or
        not makes no difference."""
        return self.filter(trained_by(user))

    def run_by(self, user):
        """The blocks a trainer assigned, whoever trains the member now (every
        block, for a superuser). For counting what was done with them only:
        never to show a member or to act on one."""
        return self if user.is_superuser else self.filter(trainer=user)


class Assignment(models.Model):
    """One member on one routine for a block of weeks, on chosen weekdays."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        ENDED_EARLY = "ended_early", "Ended early"

    CURRENT_STATUSES = (Status.ACTIVE, Status.PAUSED)

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignments",
        limit_choices_to={"is_staff": False},
    )
    routine = models.ForeignKey(
        Routine,
        on_delete=models.PROTECT,
        related_name="assignments",
        limit_choices_to={"status": Routine.Status.PUBLISHED},
        help_text="Only published routines can be assigned.",
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignments_given",
        limit_choices_to={"is_staff": True},
    )
    start_date = models.DateField("start date", help_text="The first day of week 1.")
    weekdays = models.PositiveSmallIntegerField(
        help_text="The days of the week the member trains, as many as the routine's "
        "sessions per week."
    )
    weeks = models.PositiveSmallIntegerField(
        "length (weeks)", help_text="Within the routine's shortest and longest block."
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.ACTIVE)
    paused_on = models.DateField(
        null=True, blank=True, help_text="The day it was paused; empty unless paused."
    )
    ended_on = models.DateField(
        null=True, blank=True, help_text="The day it was ended early or renewed."
    )
    shift_days = models.IntegerField(
        default=0,
        help_text="How many days the block's weeks moved when it resumed after a pause.",
    )
    notes = models.TextField(blank=True, help_text="For trainers; the member does not see it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["active", "paused"]),
                name="one_current_block_per_member",
                violation_error_message="This member is already on a block. End it before "
                "starting another.",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__gte=1, weekdays__lte=127),
                name="assignment_weekdays_are_days_of_the_week",
            ),
            models.CheckConstraint(
                condition=Q(weeks__gte=1, weeks__lte=52),
                name="assignment_weeks_1_to_52",
            ),
        ]

    def __str__(self):
        return f"{self.member} on {self.routine} from {self.start_date:%b %-d, %Y}"

    def clean(self):
        super().clean()
        routine = self.routine if self.routine_id else None
        problems = block_problems(
            routine=routine,
            weekdays=mask_to_weekdays(self.weekdays) if self.weekdays else [],
            weeks=self.weeks,
        )
        if self.pk and "routine" in problems:
            # A routine unpublished later does not invalidate blocks already running.
            del problems["routine"]
        if problems:
            raise ValidationError(problems)

    @property
    def weekday_list(self) -> list[int]:
        return mask_to_weekdays(self.weekdays)

    @property
    def weekdays_text(self) -> str:
        return join_words([WEEKDAY_NAMES[day] for day in self.weekday_list])

    @property
    def is_current(self) -> bool:
        return self.status in self.CURRENT_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.status == self.Status.PAUSED

    @property
    def weeks_start(self) -> dt.date:
        """The first day of block week 1 as the block now runs: the start date,
        moved when the block resumed after a pause so the week it stopped in
        starts again on the day it resumed."""
        return self.start_date + dt.timedelta(days=self.shift_days)

    def week_window(self, week: int) -> tuple[dt.date, dt.date]:
        first = self.weeks_start + dt.timedelta(weeks=week - 1)
        return first, first + dt.timedelta(days=6)

    @property
    def end_date(self) -> dt.date:
        return self.weeks_start + dt.timedelta(days=7 * self.weeks - 1)

    def week_on(self, day: dt.date) -> int:
        """The block week ``day`` falls in, clamped to the block."""
        return max(1, min(self.weeks, (day - self.weeks_start).days // 7 + 1))

    def planned_session_for(self, day: dt.date) -> "PlannedSession | None":
        """The session a workout started on ``day`` without a chosen one counts
        for: the one Today offers that day (``BlockProgress.next_session``), or
        the next such one when that one was started already. None outside the
        block or while it is paused (an extra)."""
        if self.is_paused or not self.start_date <= day <= self.end_date:
            return None
        progress = self.progress(
            day, sessions=list(self.planned_sessions.prefetch_related("workouts"))
        )
        if not progress.started or progress.finished:
            return None
        return next((s for s in progress.open_sessions if not s.workouts.all()), None)

    def progress(
        self,
        today: dt.date | None = None,
        *,
        sessions: "list[PlannedSession] | None" = None,
        workouts_by_session: "dict[int, list[Workout]] | None" = None,
    ) -> "BlockProgress":
        """Where the member stands, from the planned sessions and their workouts:
        given (a page of many blocks reads them all at once), or prefetched as
        ``planned_sessions__workouts``, or read here."""
        today = today or timezone.localdate()
        if sessions is None:
            sessions = list(self.planned_sessions.all())
        on_hold_from = self.paused_on if self.is_paused else None
        workouts = []
        closed = set()  # finished partly done: the member chose to stop there
        for session in sessions:
            if workouts_by_session is None:
                done_here = list(session.workouts.all())
            else:
                done_here = workouts_by_session.get(session.pk, [])
            workouts += done_here
            session.status = PlannedSession.Status(
                session.status_on(today, on_hold_from, workouts=done_here)
            )
            if done_here and all(workout.finished_at for workout in done_here):
                closed.add(session.pk)
        week = self.week_on(today)
        done = [s for s in sessions if s.status == PlannedSession.Status.DONE]
        missed = [s for s in sessions if s.status == PlannedSession.Status.MISSED]
        # The sessions the member can do today: those not done that are still
        # ahead, and any missed earlier this block week, which can still be made
        # up this week. The first of them is the next session. One finished
        # partly done is not: Today would offer to continue a session whose
        # page can only show its summary (reopening is for its own day, there).
        in_block = today <= self.end_date
        open_sessions = [
            s
            for s in sessions
            if s.status not in (PlannedSession.Status.DONE, PlannedSession.Status.ON_HOLD)
            and s.pk not in closed
            and (s.date >= today or (in_block and s.week == week))
        ]
        # Due so far: a session whose day is over, or one done already (early
        # included). Today's stays doable until midnight, so it is not due until
        # it is done or the day ends. Sessions on hold are not due. Every done
        # session is due by this rule, so done never exceeds due.
        due = [
            s
            for s in sessions
            if s.status == PlannedSession.Status.DONE
            or (s.status != PlannedSession.Status.ON_HOLD and s.date < today)
        ]
        last_workout = max(workouts, key=lambda w: (w.date, w.started_at), default=None)
        return BlockProgress(
            sessions=sessions,
            total=len(sessions),
            done=len(done),
            due=len(due),
            missed=missed,
            open_sessions=open_sessions,
            next_session=open_sessions[0] if open_sessions else None,
            week=week,
            started=today >= self.start_date,
            finished=bool(sessions) and (today > sessions[-1].date or len(done) == len(sessions)),
            last_workout=last_workout,
        )


@dataclass
class BlockProgress:
    sessions: list["PlannedSession"]
    total: int
    done: int  # sessions done; each is also due, so done <= due
    due: int  # sessions due so far: the day is over, or done (early included)
    missed: list["PlannedSession"]
    open_sessions: list["PlannedSession"]  # the ones the member may do today, in order
    next_session: "PlannedSession | None"
    week: int  # the block week today is in; a session's own is ``session.week``
    started: bool
    finished: bool
    last_workout: "Workout | None"

    @property
    def adherence(self) -> int | None:
        """Sessions done of those due so far, as a percentage: never over 100."""
        if not self.due:
            return None
        return round(100 * self.done / self.due)

    @property
    def last_date(self) -> dt.date | None:
        return self.sessions[-1].date if self.sessions else None

    @property
    def weeks(self) -> list[tuple[int, list["PlannedSession"]]]:
        """The sessions grouped by block week, in order."""
        grouped: dict[int, list[PlannedSession]] = {}
        for session in self.sessions:
            grouped.setdefault(session.week, []).append(session)
        return list(grouped.items())

    @property
    def on_hold(self) -> list["PlannedSession"]:
        return [s for s in self.sessions if s.status == PlannedSession.Status.ON_HOLD]

    @property
    def missed_for_good(self) -> list["PlannedSession"]:
        """Missed sessions that can no longer be made up (the next one still can)."""
        return [s for s in self.missed if s != self.next_session]


class PlannedSession(models.Model):
    """A dated slot of a block: session ``number`` of the block, in block ``week``."""

    class Status(models.TextChoices):
        UPCOMING = "upcoming", "Upcoming"
        DUE = "due", "Due today"
        DONE = "done", "Done"
        PARTLY = "partly", "Partly done"
        MISSED = "missed", "Missed"
        ON_HOLD = "on_hold", "On hold"

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="planned_sessions"
    )
    number = models.PositiveSmallIntegerField(help_text="1 for the block's first session.")
    week = models.PositiveSmallIntegerField(help_text="The block week it falls in.")
    date = models.DateField()
    # Not a column: set on each session by ``Assignment.progress`` for the day asked.
    status: Status

    class Meta:
        ordering = ["assignment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "number"], name="one_planned_session_per_number"
            ),
        ]

    def __str__(self):
        return f"Session {self.number} on {self.date:%a %b %-d}"

    def status_on(
        self, today: dt.date, on_hold_from: dt.date | None = None, *, workouts=None
    ) -> str:
        """Derived, never stored: done or partly done from its workouts (prefetch
        ``workouts``, or pass them); on hold from the day its block was paused;
        otherwise upcoming, due or missed by its date."""
        if workouts is None:
            workouts = list(self.workouts.all())
        if any(workout.finished_at and workout.is_complete for workout in workouts):
            return self.Status.DONE
        if workouts:
            return self.Status.PARTLY
        if on_hold_from is not None and self.date >= on_hold_from:
            return self.Status.ON_HOLD
        if self.date > today:
            return self.Status.UPCOMING
        if self.date == today:
            return self.Status.DUE
        return self.Status.MISSED
