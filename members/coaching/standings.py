"""The dashboard's fast path: each block's standing, worked out by the plain
review and kept (``BlockStanding``) until something about the member changes
or the day ends.

Any write about a member (a workout started, finished or reopened, a pain
flag raised or resolved, a question asked, answered or closed, a check-in, a
block paused, extended or ended) moves their standings' version on once it is
written, inside the write's transaction when it has one (``mark_stale``,
called by the receivers below and by the services that write with
``update()``). A dashboard works out again only the stale
standings, then stores each one whose version has not moved while it did: a
write that lands meanwhile leaves it stale for the next load. Every block
made by the club's pages gets its standing row in the transaction that makes
it, so a write always finds a row to mark. Names and routine titles are read
live; an exercise or knob edited in the admin makes every standing stale.
"""

import contextlib
import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, DateTimeField, F, Func, Q, QuerySet, Value
from django.db.models.expressions import Case, When
from django.db.models.functions import Coalesce, Collate, Lower, NullIf
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from clubsite import kept_pages
from members.blocks.review import ANSWER_WITHIN, MemberReview
from members.coaching.attention import reviews_with_reasons
from members.models import (
    Assignment,
    BlockStanding,
    CheckIn,
    PainFlag,
    Question,
    Reply,
    Workout,
)
from routines.models import Exercise, Knob

# The standing's columns a review fills (all but the key and the version).
FILLED = [
    "fresh_until",
    "reasons",
    "needs_you",
    "waiting_since",
    "pain_level",
    "pain_since",
    "open_pain_flags",
    "week",
    "done",
    "due",
    "adherence",
    "end_date",
    "finished",
    "last_workout",
    "has_baseline",
    "change",
    "knobs",
]


# The block's own columns a card reads.
CARD_BLOCK = ["member", "routine", "weeks", "status", "paused_on"]


def mark_stale(member_ids) -> None:
    """The standings of these members' blocks are to be worked out again, and
    their own pages rendered again."""
    _stale(BlockStanding.objects.filter(assignment__member_id__in=member_ids))
    kept_pages.member_changed(member_ids)


def _stale(found) -> None:
    found.update(version=F("version") + 1, fresh_until=None)


def kept(blocks, *, now: dt.datetime | None = None) -> QuerySet[BlockStanding]:
    """The standings of ``blocks`` (a queryset of blocks) with their blocks,
    members and routines, those missing or out of date worked out first. The
    dashboard filters, sorts (``by_attention``, ``by_name``...) and pages them
    in the database."""
    refresh(blocks, now=now)
    return (
        BlockStanding.objects.filter(assignment__in=blocks.order_by().values("pk"))
        .select_related("assignment__member__profile", "assignment__routine")
        # What the cards show: a sort carries every column read, and a
        # routine's or a profile's texts are long.
        .only(
            *(f.name for f in BlockStanding._meta.concrete_fields),
            *(f"assignment__{name}" for name in CARD_BLOCK),
            "assignment__member__email",
            "assignment__member__profile__display_name",
            "assignment__routine__title",
        )
    )


def refresh(blocks, *, now: dt.datetime | None = None) -> int:
    """Work out the standings of ``blocks`` that are missing or out of date
    (the scheduler does it every few minutes, so the first dashboard after
    midnight does not); how many."""
    now = now or timezone.now()
    out_of_date = list(
        blocks.filter(
            Q(standing__isnull=True)
            | Q(standing__fresh_until__isnull=True)
            | Q(standing__fresh_until__lte=now)
        )
        .order_by()
        .values_list("pk", "standing__version")
    )
    if out_of_date:
        # Blocks made before standings were kept, or in bulk (the demo, a
        # generated club); a block made by the club's pages has one already.
        missing = [pk for pk, version in out_of_date if version is None]
        # A block deleted since it was read fails its key: ``_work_out`` skips it.
        if missing:
            with contextlib.suppress(IntegrityError), transaction.atomic():
                BlockStanding.objects.bulk_create(
                    [BlockStanding(assignment_id=pk) for pk in missing], ignore_conflicts=True
                )
        _work_out(
            [BlockStanding(assignment_id=pk, version=version or 0) for pk, version in out_of_date],
            now,
        )
    return len(out_of_date)


def _name():
    """The member's name as the dashboard sorts it: their display name, else
    their address before the @, lowercased, in code-point order (as Python's
    ``sorted`` puts the plain review's names)."""
    name = Lower(
        Coalesce(
            NullIf("assignment__member__profile__display_name", Value("")),
            _LocalPart("assignment__member__email"),
        )
    )
    return Collate(name, "C" if connection.vendor == "postgresql" else "BINARY")


class _LocalPart(Func):
    """An address's part before the @."""

    template = "split_part(%(expressions)s, '@', 1)"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "substr(%(expressions)s, 1, instr(%(expressions)s, '@') - 1)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def by_attention(found: QuerySet[BlockStanding]) -> QuerySet[BlockStanding]:
    """``members.coaching.attention.attention_order``, in the database: open
    pain first, the highest level first and the oldest of a level first; then
    whoever has waited longest; then by name."""
    waiting = Case(
        When(pain_level__isnull=True, then=F("waiting_since")), output_field=DateTimeField()
    )
    return found.order_by(
        F("pain_level").desc(nulls_last=True), "pain_since", waiting.asc(nulls_last=True), _name()
    )


def by_name(found: QuerySet[BlockStanding]) -> QuerySet[BlockStanding]:
    return found.order_by(_name(), "pk")


def by_adherence(found: QuerySet[BlockStanding]) -> QuerySet[BlockStanding]:
    """The lowest first; blocks with nothing due yet last."""
    return found.order_by(F("adherence").asc(nulls_last=True), _name(), "pk")


def by_end(found: QuerySet[BlockStanding]) -> QuerySet[BlockStanding]:
    return found.order_by(F("end_date").asc(nulls_last=True), _name(), "pk")


def _work_out(stale: list[BlockStanding], now: dt.datetime) -> None:
    """Fill the stale standings from the plain review and store those whose
    version has not moved since they were read."""
    today = timezone.localdate(now)
    reviews = reviews_with_reasons(
        Assignment.objects.filter(pk__in=[s.assignment_id for s in stale]), today=today
    )
    lapse = _lapses(reviews, now)
    by_block = {review.assignment.pk: review for review in reviews}
    # A block deleted since it was read has nothing to keep.
    stale = [standing for standing in stale if standing.assignment_id in by_block]
    for standing in stale:
        review = by_block[standing.assignment_id]
        _fill(standing, review, lapse.get(review.assignment.member_id, _midnight_after(today)))
    with transaction.atomic():
        # In the key's order, as every load and the scheduler lock them: two
        # at once wait for each other, never deadlock.
        versions = dict(
            BlockStanding.objects.select_for_update()
            .filter(pk__in=[s.pk for s in stale])
            .order_by("pk")
            .values_list("pk", "version")
        )
        unchanged = [s for s in stale if versions.get(s.pk) == s.version]
        # An upsert of rows that exist: the same rows, updated in place (a
        # writer waiting on their lock then moves the version on as usual),
        # and one statement, where bulk_update's CASE took seconds for 1,000.
        BlockStanding.objects.bulk_create(
            unchanged,
            update_conflicts=True,
            unique_fields=["assignment"],
            update_fields=FILLED,
            batch_size=500,
        )


def _fill(standing: BlockStanding, review: MemberReview, fresh_until: dt.datetime) -> None:
    progress, pain = review.progress, review.worst_pain
    change = review.change
    standing.fresh_until = fresh_until
    standing.reasons = review.reasons
    standing.needs_you = bool(review.reasons)
    standing.waiting_since = review.waiting_since
    standing.pain_level = pain.level if pain else None
    standing.pain_since = pain.created_at if pain else None
    standing.open_pain_flags = len(review.pain_flags)
    standing.week = progress.week
    standing.done = progress.done
    standing.due = progress.due
    standing.adherence = review.adherence
    standing.end_date = review.end_date
    standing.finished = review.ready_to_renew
    standing.last_workout = review.last_workout.date if review.last_workout else None
    standing.has_baseline = review.has_baseline
    standing.change = change.summary if change else ""
    standing.knobs = [f"{trend.exercise}: {trend.text}" for trend in review.knobs]


def _midnight_after(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _lapses(reviews: list[MemberReview], now: dt.datetime) -> dict[int, dt.datetime]:
    """Members whose standing lapses before the day ends: a question still
    waiting turns a reason when it is a day old."""
    midnight = _midnight_after(timezone.localdate(now))
    lapse: dict[int, dt.datetime] = {}
    waiting = Question.objects.waiting().filter(
        member__in=[review.assignment.member_id for review in reviews],
        member_wrote_at__gt=now - ANSWER_WITHIN,
    )
    for member_id, wrote in waiting.values_list("member_id", "member_wrote_at"):
        lapse[member_id] = min(lapse.get(member_id, midnight), wrote + ANSWER_WITHIN)
    return lapse


# -- what makes a standing stale --------------------------------------------------

# Workout columns no review reads: a choice of alternative, the pain after a step.
_UNREAD_WORKOUT_FIELDS = frozenset({"choices", "pain_after", "note"})


def _member_written(sender, instance, update_fields=None, **kwargs) -> None:
    if sender is Workout and update_fields and update_fields <= _UNREAD_WORKOUT_FIELDS:
        return
    mark_stale([instance.member_id])


def _question_written(sender, instance, **kwargs) -> None:
    mark_stale([instance.question.member_id])


def _check_in_written(sender, instance, **kwargs) -> None:
    _stale(BlockStanding.objects.filter(assignment_id=instance.assignment_id))
    kept_pages.block_changed(instance.assignment_id)


def _routine_structure_written(sender, instance, **kwargs) -> None:
    """An exercise or knob edited in the admin (a name, which way is harder, a
    knob's levels) changes the cards and the "made easier" reason of anyone
    whose knobs it moved: rare, so every standing is worked out again."""
    _stale(BlockStanding.objects.all())


def connect() -> None:
    """Called once the app is ready (``members.apps``)."""
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        for structure in (Exercise, Knob):
            signal.connect(
                _routine_structure_written,
                sender=structure,
                dispatch_uid=f"standing-{name}-{structure}",
            )
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        for model in (Assignment, Workout, PainFlag, Question):
            signal.connect(_member_written, sender=model, dispatch_uid=f"standing-{name}-{model}")
        signal.connect(_check_in_written, sender=CheckIn, dispatch_uid=f"standing-{name}-checkin")
    post_save.connect(_question_written, sender=Reply, dispatch_uid="standing-saved-reply")
