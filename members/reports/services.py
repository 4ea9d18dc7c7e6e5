"""A routine's report across the club: who started and finished its blocks,
how much of what was due they did, pain per exercise, how the knobs moved,
what changed in daily life, and who dropped out. Built on the blocks'
reviews (``review_blocks``), the same reading the dashboard uses."""

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from members.blocks.review import MemberReview, review_blocks
from members.models import Assignment, PainFlag
from members.outcomes.change import Change

# Adherence (done of due) in these bands, as trainers talk about it.
BANDS = [(90, "90–100 %"), (75, "75–89 %"), (50, "50–74 %"), (0, "under 50 %")]
# A block still running with no session for this long counts as dropped out.
STOPPED_AFTER = dt.timedelta(days=14)
EVERYDAY = "Everyday activities (each member's mean)"


@dataclass
class Outcome:
    """One measure across the members who have a baseline and a later check-in."""

    what: str
    lower_is_better: bool
    pairs: list[tuple[float, float]] = field(default_factory=list)

    @property
    def members(self) -> int:
        return len(self.pairs)

    @property
    def first(self) -> float:
        return statistics.median(first for first, _ in self.pairs)

    @property
    def last(self) -> float:
        return statistics.median(last for _, last in self.pairs)

    @property
    def clear_share(self) -> int:
        """The share of members with a clear improvement, in percent."""
        clear = sum(Change(self.what, a, b, self.lower_is_better).clear for a, b in self.pairs)
        return round(100 * clear / len(self.pairs))

    @property
    def change(self) -> Change:
        return Change(self.what, self.first, self.last, self.lower_is_better)


@dataclass
class KnobMovement:
    label: str  # "Tibialis raise: feet distance from wall"
    unit: str
    firsts: list[float] = field(default_factory=list)
    lasts: list[float] = field(default_factory=list)

    @property
    def members(self) -> int:
        return len(self.firsts)

    @property
    def text(self) -> str:
        first, last = statistics.median(self.firsts), statistics.median(self.lasts)
        return f"{first:g} → {last:g} {self.unit}".strip()


@dataclass
class RoutineReport:
    blocks: list[MemberReview]
    sessions_done: int
    adherence: list[tuple[str, int]]  # band, blocks
    adherence_median: float | None
    pain: list[tuple[str, int, float]]  # exercise, reports, per 100 sessions
    knobs: list[KnobMovement]
    outcomes: list[Outcome]
    with_baseline: int
    finished: int
    ended_early: int
    stopped: int
    paused: int

    @property
    def members(self) -> int:
        return len({review.assignment.member_id for review in self.blocks})


def routine_report(blocks, *, today: dt.date) -> RoutineReport:
    """The report over ``blocks`` (a queryset of one routine's blocks, already
    scoped to who asks), in a fixed number of queries."""
    reviews = [r for r in review_blocks(blocks, today=today) if r.assignment.start_date <= today]
    sessions_done = sum(review.progress.done for review in reviews)
    rates = [review.adherence for review in reviews if review.adherence is not None]
    bands = Counter(next(label for low, label in BANDS if rate >= low) for rate in rates)
    pain = (
        PainFlag.objects.filter(
            workout__planned_session__assignment__in=[r.assignment.pk for r in reviews],
            exercise__isnull=False,
        )
        .values_list("exercise__name")
        .annotate(reports=Count("pk"))
        .order_by("-reports", "exercise__name")
    )
    return RoutineReport(
        blocks=reviews,
        sessions_done=sessions_done,
        adherence=[(label, bands[label]) for _, label in BANDS],
        adherence_median=statistics.median(rates) if rates else None,
        pain=[
            (name, reports, round(100 * reports / sessions_done, 1) if sessions_done else 0.0)
            for name, reports in pain
        ],
        knobs=_knobs(reviews),
        outcomes=_outcomes(reviews),
        with_baseline=sum(review.has_baseline for review in reviews),
        finished=sum(
            review.progress.finished and review.assignment.status != Assignment.Status.ENDED_EARLY
            for review in reviews
        ),
        ended_early=sum(r.assignment.status == Assignment.Status.ENDED_EARLY for r in reviews),
        stopped=sum(_stopped(review, today) for review in reviews),
        paused=sum(review.assignment.is_paused for review in reviews),
    )


def _stopped(review: MemberReview, today: dt.date) -> bool:
    """Running, not finished, and no session for two weeks or more."""
    if not review.assignment.is_current or review.assignment.is_paused:
        return False
    if review.progress.finished:
        return False
    last = review.last_workout.date if review.last_workout else review.assignment.start_date
    return today - last >= STOPPED_AFTER


def _knobs(reviews: list[MemberReview]) -> list[KnobMovement]:
    """Each numeric knob's median first and last setting over the blocks."""
    movements: dict[int, KnobMovement] = {}
    for review in reviews:
        for trend in review.knobs:
            if trend.knob.is_levels or not trend.points:
                continue
            first, last = trend.points[0].value, trend.points[-1].value
            if first is None or last is None:
                continue
            movement = movements.setdefault(
                trend.knob.pk,
                KnobMovement(f"{trend.exercise}: {trend.knob.label.lower()}", trend.knob.unit),
            )
            movement.firsts.append(float(first))
            movement.lasts.append(float(last))
    return sorted(movements.values(), key=lambda movement: movement.label)


def _outcomes(reviews: list[MemberReview]) -> list[Outcome]:
    """Each measure from the baseline to the latest check-in, over the
    members who have both; everyday activities as each member's mean."""
    outcomes: dict[str, Outcome] = {}
    for review in reviews:
        change = review.change
        if change is None:
            continue
        everyday = defaultdict(list)
        for item in change.changes:
            if item.lower_is_better:
                outcome = outcomes.setdefault(item.what, Outcome(item.what, True))
                outcome.pairs.append((item.first, item.last))
            else:
                everyday["first"].append(item.first)
                everyday["last"].append(item.last)
        if everyday:
            outcome = outcomes.setdefault(EVERYDAY, Outcome(EVERYDAY, False))
            outcome.pairs.append(
                (statistics.mean(everyday["first"]), statistics.mean(everyday["last"]))
            )
    return list(outcomes.values())
