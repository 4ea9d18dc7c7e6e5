"""The reasons a member needs their trainer, and the order of "Needs you".

Each reason is a pair in ``NEEDS_ATTENTION``: a function that takes a
member's review and returns a sentence, or nothing, and one that says since
when that reason has waited for the trainer. A new reason is one more pair."""

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from members.blocks.review import MemberReview, review_blocks
from members.models import (
    Workout,
)
from members.outcomes.services import LATE_BY


def open_pain(review: MemberReview) -> str | None:
    if not review.pain_flags:
        return None
    flag = review.pain_flags[0]
    where = f"on {exercise.name}" if (exercise := flag.exercise) else "before a session"
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
    asked = timezone.localtime(question.member_last_wrote)
    more = f" (and {len(review.unanswered) - 1} more)" if len(review.unanswered) > 1 else ""
    return f"Question “{question.subject}” unanswered since {asked:%a %b %-d}{more}"


def unanswered_since(review: MemberReview) -> dt.datetime:
    return review.unanswered[0].member_last_wrote


def daily_pain_up(review: MemberReview) -> str | None:
    """Pain in daily life up by a clear change (2 points) since the baseline."""
    change = review.change
    worse = [c for c in change.changes if c.lower_is_better and c.clear_worse] if change else []
    if not worse:
        return None
    first = worse[0]
    return f"Daily pain up since the baseline: {first.what.lower()} {first.first} → {first.last}"


def daily_pain_up_since(review: MemberReview) -> dt.datetime:
    return _day_start(review.check_ins[-1].done_on)


def no_baseline(review: MemberReview) -> str | None:
    """A session done and no check-in from before it to measure the block by,
    while the member can still fill it in (a week after the first session):
    a reminder from the trainer then still helps."""
    if review.has_baseline or not review.workouts or not review.progress.sessions:
        return None
    if review.today > review.progress.sessions[0].date + LATE_BY:
        return None
    return "No check-in before the first session"


def no_baseline_since(review: MemberReview) -> dt.datetime:
    first = review.workouts[0]
    return first.finished_at or _day_start(first.date)


NEEDS_ATTENTION: list[
    tuple[Callable[[MemberReview], str | None], Callable[[MemberReview], dt.datetime]]
] = [
    (open_pain, pain_since),
    (missed_sessions, missed_since),
    (too_hard_in_a_row, too_hard_since),
    (knob_eased_twice, eased_since),
    (unanswered_question, unanswered_since),
    (daily_pain_up, daily_pain_up_since),
    (no_baseline, no_baseline_since),
]


def attention_order(review: MemberReview):
    """Open pain first, the highest level first and the oldest of a level
    first; then whoever has waited longest for any other reason; then by name.
    A name never outranks a wait: a trainer with many members needing them
    sees the top of this list only (the dashboard's twelve). The dashboard
    sorts its kept standings the same way in the database
    (``members.coaching.standings.by_attention``)."""
    name = review.member.display_name.lower()
    if pain := review.worst_pain:
        return (0, -pain.level, pain.created_at, name)
    return (1, 0, review.waiting_since or dt.datetime.max.replace(tzinfo=dt.UTC), name)


def needing_attention(reviews: list[MemberReview]) -> list[MemberReview]:
    """The members under "Needs you", in the order the trainer should see them."""
    return sorted((r for r in reviews if r.reasons), key=attention_order)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def reviews_with_reasons(assignments, *, today: dt.date | None = None) -> list[MemberReview]:
    """``review_blocks`` with each review's reasons and how long the oldest
    has waited: what the trainer's pages, digest and question emails show."""
    found = review_blocks(assignments, today=today)
    for review in found:
        for reason, since in NEEDS_ATTENTION:
            if text := reason(review):
                review.reasons.append(text)
                waited = since(review)
                if review.waiting_since is None or waited < review.waiting_since:
                    review.waiting_since = waited
    return found
