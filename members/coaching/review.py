"""What a trainer reviews: each member's block, adherence, knob trends, pain,
and the reasons a member needs attention.

Each reason is a pair in ``NEEDS_ATTENTION``: a function that takes a
member's review and returns a sentence, or nothing, and one that says since
when that reason has waited for the trainer. A new reason is one more pair."""

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import F, Q
from django.utils import timezone

from members.models import (
    Assignment,
    KnobSetting,
    PainFlag,
    PlannedSession,
    Question,
    Workout,
)
from members.models.blocks import BlockProgress
from routines.models import Knob

# A member's question waiting longer than this puts them on the trainer's list.
ANSWER_WITHIN = dt.timedelta(days=1)


@dataclass
class KnobTrend:
    """One knob over the block: where it started, where it is, how often it eased."""

    knob: Knob
    exercise: str
    points: list[KnobSetting]

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
    def easings(self) -> list[KnobSetting]:
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
    reasons: list[str] = field(default_factory=list)
    # Since when the oldest of the reasons has waited for the trainer.
    waiting_since: dt.datetime | None = None

    @property
    def member(self):
        return self.assignment.member

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


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def open_pain(review: MemberReview) -> str | None:
    if not review.pain_flags:
        return None
    flag = review.pain_flags[0]
    where = f"on {flag.exercise.name}" if flag.exercise_id else "before a session"
    more = f" (and {len(review.pain_flags) - 1} more)" if len(review.pain_flags) > 1 else ""
    when = timezone.localtime(flag.created_at)
    return f"Pain {flag.level}/10 {where} on {when:%b %-d}{more}, not resolved"


def pain_since(review: MemberReview) -> dt.datetime:
    return min(flag.created_at for flag in review.pain_flags)


def missed_sessions(review: MemberReview) -> str | None:
    missed = review.progress.missed
    if len(missed) < 2:
        return None
    days = ", ".join(f"{session.date:%b %-d}" for session in missed)
    return f"Missed {len(missed)} sessions ({days})"


def missed_since(review: MemberReview) -> dt.datetime:
    """The second miss made it a reason, once that session's day was over."""
    second = sorted(session.date for session in review.progress.missed)[1]
    return _day_start(second + dt.timedelta(days=1))


def too_hard_in_a_row(review: MemberReview) -> str | None:
    last_two = [w.feeling for w in review.workouts[-2:]]
    if last_two == [Workout.Feeling.TOO_HARD] * 2:
        return "“Too hard” on the last two workouts"
    return None


def too_hard_since(review: MemberReview) -> dt.datetime:
    last = review.workouts[-1]
    return last.finished_at or _day_start(last.date)


def knob_eased_twice(review: MemberReview) -> str | None:
    eased = [trend for trend in review.knobs if trend.eased >= 2]
    if not eased:
        return None
    trend = eased[0]
    return f"{trend.knob.label} made easier {trend.eased} times ({trend.path})"


def eased_since(review: MemberReview) -> dt.datetime:
    """The workout on which any knob was made easier for the second time."""
    return _day_start(min(trend.easings[1].day for trend in review.knobs if trend.eased >= 2))


def unanswered_question(review: MemberReview) -> str | None:
    if not review.unanswered:
        return None
    question = review.unanswered[0]
    asked = timezone.localtime(question.created_at)
    more = f" (and {len(review.unanswered) - 1} more)" if len(review.unanswered) > 1 else ""
    return f"Question “{question.subject}” unanswered since {asked:%a %b %-d}{more}"


def unanswered_since(review: MemberReview) -> dt.datetime:
    return review.unanswered[0].created_at


NEEDS_ATTENTION: list[
    tuple[Callable[[MemberReview], str | None], Callable[[MemberReview], dt.datetime]]
] = [
    (open_pain, pain_since),
    (missed_sessions, missed_since),
    (too_hard_in_a_row, too_hard_since),
    (knob_eased_twice, eased_since),
    (unanswered_question, unanswered_since),
]


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
        .filter(member__in=member_ids, created_at__lt=timezone.now() - ANSWER_WITHIN)
        .only("member_id", "subject", "created_at")
        .order_by("created_at")
    ):
        unanswered[question.member_id].append(question)
    # Knob settings carry their member and day, not a joined workout each: on
    # a dashboard of hundreds, building those objects is most of the work.
    settings = defaultdict(lambda: defaultdict(list))
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
        )
        for knob_id, points in settings[assignment.member_id].items():
            points = [p for p in points if p.day >= assignment.start_date]
            if points:
                knob = knobs[knob_id]
                review.knobs.append(KnobTrend(knob, knob.exercise.name, points))
        # Knobs that moved first: they are what the trainer looks for.
        review.knobs.sort(key=lambda trend: (not trend.moved, trend.exercise, trend.knob.order))
        for reason, since in NEEDS_ATTENTION:
            if text := reason(review):
                review.reasons.append(text)
                waited = since(review)
                if review.waiting_since is None or waited < review.waiting_since:
                    review.waiting_since = waited
        reviews.append(review)
    return reviews


def attention_order(review: MemberReview):
    """Open pain first, the highest level first and the oldest of a level
    first; then whoever has waited longest for any other reason; then by name.
    A name never outranks a wait: a trainer with many members needing them
    sees the top of this list only (the dashboard's twelve)."""
    name = review.member.display_name.lower()
    if pain := review.worst_pain:
        return (0, -pain.level, pain.created_at, name)
    return (1, 0, review.waiting_since or dt.datetime.max.replace(tzinfo=dt.UTC), name)


def needing_attention(reviews: list[MemberReview]) -> list[MemberReview]:
    """The members under "Needs you", in the order the trainer should see them."""
    return sorted((r for r in reviews if r.reasons), key=attention_order)
