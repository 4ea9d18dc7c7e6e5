"""A block reviewed: adherence, knob trends, open pain and questions waiting,
for the member's summary of a block and for the trainer's pages, which add
the reasons a member needs them (``members.coaching.attention``)."""

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.db.models import F, Q
from django.utils import timezone

from members.models import (
    Assignment,
    CheckIn,
    KnobSetting,
    PainFlag,
    PlannedSession,
    Question,
    Workout,
)
from members.models.blocks import BlockProgress
from members.outcomes.change import BlockChange, block_change
from members.outcomes.services import with_answers
from routines.models import Knob

if TYPE_CHECKING:  # django-stubs' helper is a development dependency only
    from django_stubs_ext import WithAnnotations


class _OnDay(TypedDict):
    member_id: int
    day: dt.date


# A knob setting read with its workout's member and date (see ``review_blocks``).
type DatedSetting = "WithAnnotations[KnobSetting, _OnDay]"

# A member's question waiting longer than this puts them on the trainer's list.
ANSWER_WITHIN = dt.timedelta(days=1)


@dataclass
class KnobTrend:
    """One knob over the block: where it started, where it is, how often it eased."""

    knob: Knob
    exercise: str
    points: list[DatedSetting]

    @property
    def changes(self) -> list[str]:
        """Each setting the knob moved to, in turn: a workout that kept the
        setting of the one before adds nothing, so 12, 12, 14, 14 is 12 → 14."""
        return [display for display, _ in itertools.groupby(p.display for p in self.points)]

    @property
    def moved(self) -> bool:
        return len(self.changes) > 1

    @property
    def path(self) -> str:
        """“12 → 14 → 16 in” (the unit once, at the end), “heavy → light”, or
        “12 in” when it never moved."""
        changes = self.changes
        # A knob whose unit changed mid-block keeps each setting's own unit.
        units = {point.unit for point in self.points}
        if len(units) == 1 and (unit := units.pop()) not in {"level", "none"}:
            changes = [c.removesuffix(f" {unit}") for c in changes[:-1]] + changes[-1:]
        return " → ".join(changes)

    @property
    def text(self) -> str:
        """“feet distance from wall 12 → 14 → 16 in”, or “band assistance heavy → light”."""
        return f"{self.knob.label.lower()} {self.path}"

    def _rank(self, setting: KnobSetting) -> float:
        """Higher is harder."""
        if self.knob.is_levels:
            names = self.knob.level_names
            index = names.index(setting.level) if setting.level in names else 0
            return index if self.knob.harder == Knob.Harder.HIGHER else -index
        value = float(setting.value or 0)
        return value if self.knob.harder == Knob.Harder.HIGHER else -value

    @property
    def easings(self) -> list[DatedSetting]:
        """The settings that, workout to workout, moved it to easier."""
        ranks = [self._rank(point) for point in self.points]
        return [
            point
            for point, (before, after) in zip(
                self.points[1:], itertools.pairwise(ranks), strict=True
            )
            if after < before
        ]

    @property
    def eased(self) -> int:
        """How many times, workout to workout, it moved to easier."""
        return len(self.easings)


@dataclass
class MemberReview:
    assignment: Assignment
    progress: BlockProgress
    today: dt.date
    workouts: list[Workout]  # finished, oldest first
    pain_flags: list[PainFlag]  # not resolved, highest level first, oldest of a level first
    unanswered: list[Question] = field(default_factory=list)  # waiting too long, oldest first
    knobs: list[KnobTrend] = field(default_factory=list)
    check_ins: list[CheckIn] = field(default_factory=list)  # with their answers, in order
    reasons: list[str] = field(default_factory=list)
    # Since when the oldest of the reasons has waited for the trainer.
    waiting_since: dt.datetime | None = None
    # Where the digest email links for this member.
    url: str = ""

    @property
    def member(self):
        return self.assignment.member

    @property
    def has_baseline(self) -> bool:
        return any(check_in.kind == CheckIn.Kind.BASELINE for check_in in self.check_ins)

    @property
    def change(self) -> BlockChange | None:
        """From the baseline to the latest check-in; None without both."""
        return block_change(self.check_ins) if self.has_baseline else None

    @property
    def planned_so_far(self) -> int:
        """Sessions due so far, by the block's one rule (``BlockProgress.due``):
        the day is over, or the session is done (early included)."""
        return self.progress.due

    @property
    def adherence(self) -> int | None:
        """Sessions done of those due so far, as a percentage: never over 100."""
        return self.progress.adherence

    @property
    def last_workout(self) -> Workout | None:
        return self.workouts[-1] if self.workouts else None

    @property
    def end_date(self) -> dt.date | None:
        return self.progress.last_date

    @property
    def ends_this_week(self) -> bool:
        end = self.end_date
        return end is not None and self.today <= end <= self.today + dt.timedelta(days=6)

    @property
    def has_pain(self) -> bool:
        return bool(self.pain_flags)

    @property
    def worst_pain(self) -> PainFlag | None:
        """The open flag that ranks the member and that the reason names."""
        return self.pain_flags[0] if self.pain_flags else None

    @property
    def ready_to_renew(self) -> bool:
        return self.progress.finished


def review_blocks(assignments, *, today: dt.date | None = None) -> list[MemberReview]:
    """Reviews for the given blocks in a fixed number of queries: the blocks,
    their sessions, the members' workouts (the sessions' and the finished ones
    on the block), open pain flags, questions waiting too long, knob settings
    and their knobs."""
    today = today or timezone.localdate()
    assignments = list(assignments.select_related("member__profile", "routine"))
    # Sessions and their workouts grouped by hand: a nested prefetch would build
    # a queryset for every session, most of the work on a dashboard of hundreds.
    block_ids = [a.pk for a in assignments]
    sessions = defaultdict(list)
    # By the column, not "assignment", which would join blocks for their ordering.
    for session in PlannedSession.objects.filter(assignment__in=block_ids).order_by(
        "assignment_id", "number"
    ):
        sessions[session.assignment_id].append(session)
    member_ids = [a.member_id for a in assignments]
    earliest = min((a.start_date for a in assignments), default=today)
    # One read for two groupings, as they are nearly the same rows: each
    # session's workouts (for progress), and each member's finished workouts on
    # their block (for the reasons).
    done, workouts = defaultdict(list), defaultdict(list)
    for workout in (
        Workout.objects.summaries()
        .filter(member__in=member_ids)
        .filter(
            Q(planned_session__assignment__in=block_ids)
            | Q(finished_at__isnull=False, pain_before=0, date__gte=earliest)
        )
        .order_by("started_at")
    ):
        if workout.planned_session_id is not None:
            done[workout.planned_session_id].append(workout)
        if (
            workout.finished_at is not None
            and workout.pain_before == 0
            and workout.date >= earliest
        ):
            workouts[workout.member_id].append(workout)
    flags = defaultdict(list)
    for flag in (
        PainFlag.objects.open()
        .filter(member__in=member_ids)
        .select_related("exercise")
        .order_by("-level", "created_at")
    ):
        flags[flag.member_id].append(flag)
    unanswered = defaultdict(list)
    for question in (
        Question.objects.waiting()
        .filter(member__in=member_ids, member_wrote_at__lt=timezone.now() - ANSWER_WITHIN)
        .only("member_id", "subject", "member_wrote_at")
        .order_by("member_wrote_at")
    ):
        unanswered[question.member_id].append(question)
    # Knob settings carry their member and day, not a joined workout each: on
    # a dashboard of hundreds, building those objects is most of the work.
    settings: defaultdict[int, defaultdict[int, list[DatedSetting]]] = defaultdict(
        lambda: defaultdict(list)
    )
    knob_ids = set()
    for setting in (
        KnobSetting.objects.filter(
            workout__member__in=member_ids,
            workout__finished_at__isnull=False,
            workout__date__gte=earliest,
        )
        .annotate(member_id=F("workout__member_id"), day=F("workout__date"))
        .order_by("workout__started_at")
    ):
        settings[setting.member_id][setting.knob_id].append(setting)
        knob_ids.add(setting.knob_id)
    knobs = Knob.objects.select_related("exercise").in_bulk(knob_ids) if knob_ids else {}
    check_ins = defaultdict(list)
    for check_in in with_answers(CheckIn.objects.filter(assignment__in=block_ids)):
        check_ins[check_in.assignment_id].append(check_in)

    reviews = []
    for assignment in assignments:
        member_workouts = [
            w for w in workouts[assignment.member_id] if w.date >= assignment.start_date
        ]
        review = MemberReview(
            assignment=assignment,
            progress=assignment.progress(
                today, sessions=sessions[assignment.pk], workouts_by_session=done
            ),
            today=today,
            workouts=member_workouts,
            pain_flags=flags[assignment.member_id],
            unanswered=unanswered[assignment.member_id],
            check_ins=check_ins[assignment.pk],
        )
        for knob_id, points in settings[assignment.member_id].items():
            points = [p for p in points if p.day >= assignment.start_date]
            if points:
                knob = knobs[knob_id]
                review.knobs.append(KnobTrend(knob, knob.exercise.name, points))
        # Knobs that moved first: they are what the trainer looks for.
        review.knobs.sort(key=lambda trend: (not trend.moved, trend.exercise, trend.knob.order))
        reviews.append(review)
    return reviews
