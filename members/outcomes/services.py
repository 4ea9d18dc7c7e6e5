"""When a block's check-ins are due, and recording one.

Three check-ins a block: the baseline before its first session, one half-way
and one at its end. Each opens on its day and can still be filled in for a
week after (``LATE_BY``); after that it is missing. None ever stands in the
way of logging a session."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from members.models import Activity, ActivityScore, AreaPain, Assignment, CheckIn
from members.models.blocks import BlockProgress
from members.outcomes.change import BlockChange, block_change

Kind = CheckIn.Kind

TITLES = {
    Kind.BASELINE: "Check-in before you start",
    Kind.MIDWAY: "Half-way check-in",
    Kind.END: "End-of-block check-in",
}

# How long after it opens a check-in can still be filled in.
LATE_BY = dt.timedelta(days=7)


@dataclass(frozen=True)
class DueCheckIn:
    kind: Kind
    opens: dt.date
    closes: dt.date  # the last day it can be filled in
    done: CheckIn | None

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    def state(self, today: dt.date) -> str:
        """done, upcoming, open or missed."""
        if self.done is not None:
            return "done"
        if today < self.opens:
            return "upcoming"
        return "open" if today <= self.closes else "missed"


def schedule(
    assignment: Assignment, progress: BlockProgress, check_ins: list[CheckIn]
) -> list[DueCheckIn]:
    """The block's check-ins, in order, with when each opens and closes.

    - The baseline opens the day the block is set (its first day, if it was
      set to start in the past) and closes a week after the first session's
      day.
    - Half-way opens on the middle day of the block's weeks as the block now
      runs (a pause moves them). A block ended before then has none.
    - The end opens on the block's last day, or earlier on the day its last
      session is done or the day it was ended early.
    While the block is paused, only what opened before the pause is due."""
    done = {check_in.kind: check_in for check_in in check_ins}
    first_day = progress.sessions[0].date if progress.sessions else assignment.start_date
    baseline_opens = assignment.start_date
    if assignment.created_at:  # set ahead: open from the day it was set
        baseline_opens = min(baseline_opens, timezone.localdate(assignment.created_at))
    midway_opens = assignment.weeks_start + dt.timedelta(days=(7 * assignment.weeks) // 2)
    end_opens = assignment.end_date
    if progress.total and progress.done == progress.total and progress.last_workout:
        end_opens = min(end_opens, progress.last_workout.date)
    if assignment.status == Assignment.Status.ENDED_EARLY and assignment.ended_on:
        end_opens = min(end_opens, assignment.ended_on)
    due = [DueCheckIn(Kind.BASELINE, baseline_opens, first_day + LATE_BY, done.get(Kind.BASELINE))]
    if Kind.MIDWAY in done or midway_opens < end_opens:
        due.append(
            DueCheckIn(Kind.MIDWAY, midway_opens, midway_opens + LATE_BY, done.get(Kind.MIDWAY))
        )
    due.append(DueCheckIn(Kind.END, end_opens, end_opens + LATE_BY, done.get(Kind.END)))
    if assignment.is_paused and assignment.paused_on:
        due = [c for c in due if c.done or c.opens <= assignment.paused_on]
    return due


def state_text(due: DueCheckIn, today: dt.date) -> str:
    """How a check-in stands, for the trainer: "done Nov 16", "open until
    Nov 30", "missing (closed Nov 23)" or "opens Dec 13"."""
    if due.done is not None:
        return f"done {due.done.done_on:%b %-d}"
    return {
        "open": f"open until {due.closes:%b %-d}",
        "missed": f"missing (closed {due.closes:%b %-d})",
        "upcoming": f"opens {due.opens:%b %-d}",
    }[due.state(today)]


def open_check_in(
    assignment: Assignment, progress: BlockProgress, check_ins: list[CheckIn], today: dt.date
) -> DueCheckIn | None:
    """The check-in the member can fill in today, the earliest first."""
    return next(
        (c for c in schedule(assignment, progress, check_ins) if c.state(today) == "open"), None
    )


def record_check_in(
    assignment: Assignment,
    kind: str,
    *,
    areas: dict[str, tuple[int, int]],
    new_activities: list[tuple[str, int]],
    scores: dict[int, int],
    today: dt.date,
) -> tuple[CheckIn, bool]:
    """Stores a check-in once: the same answers sent again (a double tap, a
    retried post) find the first and change nothing. ``areas`` maps each body
    area to (worst, usual); ``new_activities`` are the activities named now,
    with their scores; ``scores`` rate the block's activities by id."""
    with transaction.atomic():
        check_in, created = CheckIn.objects.get_or_create(
            assignment=assignment, kind=kind, defaults={"done_on": today}
        )
        if not created:
            return check_in, False
        AreaPain.objects.bulk_create(
            AreaPain(check_in=check_in, area=area, worst=worst, usual=usual)
            for area, (worst, usual) in areas.items()
        )
        position = assignment.activities.count()
        for name, score in new_activities:
            position += 1
            activity = Activity.objects.create(assignment=assignment, name=name, position=position)
            scores = {**scores, activity.pk: score}
        ActivityScore.objects.bulk_create(
            ActivityScore(check_in=check_in, activity_id=activity_id, score=score)
            for activity_id, score in scores.items()
        )
    return check_in, True


def check_ins_for_download(member) -> list[dict]:
    """The member's check-ins, for their data download."""
    check_ins = with_answers(
        CheckIn.objects.filter(assignment__member=member).select_related("assignment__routine")
    )
    return [
        {
            "routine": check_in.assignment.routine.title,
            "block_start": check_in.assignment.start_date,
            "check_in": check_in.get_kind_display(),
            "date": check_in.done_on,
            "pain_in_daily_life": [
                {"area": area.area, "worst": area.worst, "usual": area.usual}
                for area in check_in.areas.all()
            ],
            "activities": [
                {"activity": score.activity.name, "score": score.score}
                for score in check_in.scores.all()
            ],
        }
        for check_in in check_ins
    ]


def with_answers(check_ins):
    """Check-ins in order, with their areas and their activities' scores."""
    return check_ins.prefetch_related(
        "areas", Prefetch("scores", ActivityScore.objects.select_related("activity"))
    ).order_by("done_on", "pk")


def change_in_block(assignment: Assignment) -> BlockChange | None:
    """The block's change from its first check-in to its last, if it has two."""
    return block_change(list(with_answers(CheckIn.objects.filter(assignment=assignment))))


def changes_of(member) -> list[tuple[Assignment, BlockChange]]:
    """Each of the member's blocks with two check-ins or more, newest first,
    with its change: three queries however many blocks."""
    by_block: dict[int, list[CheckIn]] = {}
    check_ins = with_answers(
        CheckIn.objects.filter(assignment__member=member).select_related("assignment__routine")
    )
    for check_in in check_ins:
        by_block.setdefault(check_in.assignment_id, []).append(check_in)
    changes = []
    for answers in by_block.values():
        change = block_change(answers)
        if change is not None:
            changes.append((answers[0].assignment, change))
    return sorted(changes, key=lambda pair: pair[0].start_date, reverse=True)
