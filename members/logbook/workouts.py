"""The workout itself: start it, the pain check before, finish and reopen it."""

import datetime as dt
import functools
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from django.db import IntegrityError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Subquery
from django.db.models.expressions import Col
from django.utils import timezone

from clubsite import kept_pages, together
from clubsite.json_rows import RelatedRows, rows_from
from members.logbook import emails as notices
from members.logbook.idempotency import action
from members.logbook.plan import Holdings, build_plan, earlier_than, snapshot, with_logged
from members.logbook.refusals import Conflict
from members.models import (
    Assignment,
    PageStamp,
    PainFlag,
    PlannedSession,
    Profile,
    User,
    Workout,
)
from routines.personal import overrides_for

if TYPE_CHECKING:  # django-stubs' helper is a development dependency only
    from django_stubs_ext import WithAnnotations


class WorkoutClosed(Conflict):
    """The workout is finished (or stopped for pain): reopen it to change it."""


class NoSuchStep(LookupError):
    """A card's action named a step that is not one of the session's: for a
    page, a 404 (the post changes nothing), not a refusal htmx would swap
    into a card."""


class PainUnanswered(Conflict):
    """Finish refused: exercises whose “any pain during it?” is unanswered."""

    def __init__(self, cards):
        self.cards = cards
        names = ", ".join(card.exercise.name for card in cards)
        super().__init__(f"Answer “any pain during it?” for: {names}.")


@action
def start_workout(
    *, member: User, planned_session: PlannedSession | None = None, today: dt.date | None = None
) -> Workout:
    """The workout for a planned session, made once: a double tap or a retried
    post returns the same row. Without a chosen session the workout counts for
    the earliest open session of this block week, or is an extra.

    A chosen session must be one the member can do now (``start_refusal``);
    going back to a workout already made always works."""
    today = today or timezone.localdate()
    # Every start waits here for any other start of the same member, so posts
    # at once make one workout: the later ones find it below.
    assignment = (
        Assignment.objects.current()
        .filter(member=member)
        .select_for_update(of=("self",))
        .select_related("routine")
        .first()
    )
    if planned_session is not None:
        existing = Workout.objects.filter(planned_session=planned_session).first()
        if existing is not None:
            return existing
        if refused := start_refusal(planned_session, assignment=assignment, today=today):
            raise Conflict(refused)
    else:
        # Carry on with today's unfinished workout before opening another.
        ongoing = Workout.objects.filter(member=member, date=today, finished_at=None).first()
        if ongoing is not None:
            return ongoing
        if assignment is None:
            raise Conflict("You are not on a routine yet.")
        planned_session = assignment.planned_session_for(today)
    routine = planned_session.assignment.routine if planned_session else assignment.routine
    try:
        with transaction.atomic():
            workout = unstarted_workout(member, planned_session, routine=routine, today=today)
            workout.save(force_insert=True)
            return workout
    except IntegrityError:
        # Another request made it between our check and our insert.
        return Workout.objects.get(planned_session=planned_session)


def unstarted_workout(
    member: User, planned_session: PlannedSession | None, *, routine, today: dt.date
) -> Workout:
    """The workout as starting it would make it, not saved: what the session's
    page shows before it starts (the page a phone keeps to start offline)."""
    workout = Workout(
        member=member,
        planned_session=planned_session,
        routine=routine,
        date=today,
        prescription=snapshot(routine, overrides_for(member, routine)),
    )
    workout.earlier = earlier_than(workout)
    return workout


def start_refusal(
    session: PlannedSession, *, assignment: Assignment | None, today: dt.date
) -> str | None:
    """Why the member cannot start ``session`` on ``today``, in their words;
    None when they can. They can start the session Today offers, or one not
    done yet in this block week of a running block: never a session on hold
    while the block is paused, of another week, or of a block that is over."""
    if assignment is None or session.assignment_id != assignment.pk:
        return "That session belongs to a block that is over. Today shows what is next."
    if assignment.is_paused:
        return (
            "Your block is paused: its sessions wait until your trainer resumes it. "
            "Today shows when."
        )
    progress = assignment.progress(
        today, sessions=list(assignment.planned_sessions.prefetch_related("workouts"))
    )
    if progress.started and not progress.finished and progress.next_session == session:
        return None
    if assignment.start_date <= today <= assignment.end_date and session.week == progress.week:
        return None
    if session.date > today:
        return (
            f"Session {session.number} is on {session.date:%A, %B %-d}: "
            "start it from Today when it comes up."
        )
    when = "last week" if session.week == progress.week - 1 else f"week {session.week}"
    return f"Session {session.number} was for {when}. Today shows the session to do now."


def accept_zero_pain_rule(*, member: User) -> None:
    Profile.objects.filter(user=member, zero_pain_accepted_at__isnull=True).update(
        zero_pain_accepted_at=timezone.now()
    )


class _Locked(Holdings):
    member_profile: str
    weaker_side: str
    club_version: str | None


# A workout as its lock read it (``_locked``, ``read_again``).
type LockedWorkout = "WithAnnotations[Workout, _Locked]"


def _locked(workout: Workout) -> LockedWorkout:
    """The workout locked for this transaction (its row alone), then read
    again with all a change checks it against and answers with: what it
    holds (``with_logged``), the member's weaker side (``weaker_side``, for
    ``build_plan``) and the version of the club's routines
    (``club_version``, for ``plan_history``).

    Locked first and read after, in two statements: a statement that waits
    for a row's lock reads every other table as it was before it waited, so
    a flag or a set another request committed meanwhile would be missed. On
    PostgreSQL both go in one round trip (``_read``); SQLite takes
    the database's write lock when the transaction begins, and reads alone.

    Only the workout's own member's: ``Workout(pk=…, member=…)`` names a
    workout a member asked for by its id, which this reads, or raises
    ``Workout.DoesNotExist`` when it is not theirs."""
    return _read(workout, locked=True)


def read_again(workout: Workout) -> LockedWorkout:
    """The workout ``workout`` names, read as ``_locked`` reads it, without
    a lock: for the answer to a write once it has committed. Raises
    ``Workout.DoesNotExist`` when it is not its member's."""
    return _read(workout, locked=False)


def _read(workout: Workout, *, locked: bool) -> LockedWorkout:
    sql, params = _read_sql(connection.vendor)
    params = tuple(workout.pk if p == _THIS else p for p in params)
    with connection.cursor() as cursor:
        if locked and connection.features.has_select_for_update:
            lock, lock_params = _lock_sql(), (workout.pk, workout.member_id)
            if together.several_statements_in_one_string():
                # One round trip, two statements: each takes its own snapshot,
                # after the one before has ended, so the read sees every write
                # committed before the lock was granted. The rows are the
                # read's, past the lock's (its row, or none for another
                # member's workout).
                cursor.execute(f"{lock}; {sql}", (*lock_params, *params))
                cursor.nextset()
            else:  # a server-side bound statement is one statement alone
                cursor.execute(lock, lock_params)
                cursor.execute(sql, params)
        else:
            cursor.execute(sql, params)
        row = cursor.fetchone()
        read = None if row is None else _as_workout(row, cursor)
    # The lock takes only the member's own workout; the read, by its id, any.
    if read is None or read.member_id != workout.member_id:
        raise Workout.DoesNotExist("No such workout of this member.")
    profiles = rows_from(Profile, read.member_profile)
    # No profile yet: not said.
    read.weaker_side = profiles[0].weaker_side if profiles else Profile.WeakerSide.UNSURE
    return read


# Stands for the workout's id in the read's SQL, compiled once.
_THIS = -1


@functools.cache
def _read_sql(vendor: str) -> tuple[str, tuple]:
    """The SQL of ``_locked``'s read, made by the ORM once per process and
    database: building and compiling the query cost more than running it
    (0.8 of 1.8 ms a set logged, on the machine the bench ran on)."""
    return (
        with_logged(Workout.objects.filter(pk=_THIS))
        .annotate(
            member_profile=RelatedRows(Profile, key="user", to="member"),
            club_version=Subquery(
                PageStamp.objects.filter(key=kept_pages.CLUB).values("token")[:1]
            ),
        )
        .query.sql_with_params()
    )


@functools.cache
def _lock_sql() -> str:
    """Lock the row of a workout (its id), if it is its member's (the member's
    id): written out, as building the ORM's query costs as much as sending it.
    No row is found for another member's workout; the read after says so."""
    quote = connection.ops.quote_name
    table, pk, member = quote(Workout._meta.db_table), quote("id"), quote("member_id")
    return f"SELECT 1 FROM {table} WHERE {pk} = %s AND {member} = %s FOR UPDATE"  # noqa: S608 - our names


class _Layout(NamedTuple):
    """Where the read's row holds the workout's fields (by their attnames)
    and its annotations, and what a connection converts on the way."""

    names: list[str]
    positions: list[int]
    annotations: list[tuple[int, str]]
    converters: list[tuple[int, list[Callable[..., Any]], Col]]


# One layout per connection: the converters are its own (SQLite's, say, read
# its time zone).
_layouts: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Layout] = weakref.WeakKeyDictionary()


def _as_workout(row: Sequence[Any], cursor: CursorWrapper) -> LockedWorkout:
    """The read's row as the workout with its annotations, as ``RawQuerySet``
    makes it, without working out on every read again which column is which
    field and how each converts: that was a third of the read's work in the
    web process (2.25 M instructions a read, 1.51 M without it)."""
    wrapper = connections[connection.alias]
    layout = _layouts.get(wrapper)
    if layout is None:
        # The cursor's description is made anew each time it is asked for.
        columns = [column[0] for column in cursor.description]
        layout = _layouts[wrapper] = _layout(columns, wrapper)
    values = list(row)
    for position, converters, column in layout.converters:
        for convert in converters:
            values[position] = convert(values[position], column, wrapper)
    read = Workout.from_db(
        connection.alias, layout.names, [values[position] for position in layout.positions]
    )
    for position, name in layout.annotations:
        setattr(read, name, values[position])
    return cast(LockedWorkout, read)


def _layout(columns: list[str], wrapper: BaseDatabaseWrapper) -> _Layout:
    fields = Workout._meta.concrete_fields
    position_of: dict[str | None, int] = {name: at for at, name in enumerate(columns)}
    if missing := [field.attname for field in fields if field.column not in position_of]:
        raise LookupError(f"The workout's read lacks {', '.join(missing)}.")
    own = {field.column for field in fields}
    converters = []
    # In the fields' own order, as from_db takes a whole row.
    for field in fields:
        column = field.get_col(Workout._meta.db_table)
        if found := wrapper.ops.get_db_converters(column) + field.get_db_converters(wrapper):
            converters.append((position_of[field.column], found, column))
    return _Layout(
        names=[field.attname for field in fields],
        positions=[position_of[field.column] for field in fields],
        annotations=[(position, name) for position, name in enumerate(columns) if name not in own],
        converters=converters,
    )


def lock_open(workout: Workout, *, step_id: int | None = None) -> LockedWorkout:
    """The workout, locked for this transaction, if it can still be changed;
    and if ``step_id`` is one of its exercises (``NoSuchStep``), which says
    nothing about the workout's state."""
    workout = _locked(workout)
    if step_id is not None and not workout.has_step(step_id):
        raise NoSuchStep(f"No step {step_id} in this session.")
    if workout.finished_at is not None:
        raise WorkoutClosed("This session is finished. Reopen it to change it.")
    return workout


def lock_for_logging(workout: Workout, *, step_id: int | None = None) -> LockedWorkout:
    """The workout, locked, once the pain check said zero: nothing is logged
    before (``lock_open``)."""
    workout = lock_open(workout, step_id=step_id)
    if workout.pain_before is None:
        raise Conflict("Answer “any pain right now?” before logging.")
    return workout


@action
def record_pain_before(*, workout: Workout, level: int, note: str = "") -> Workout:
    """“Any pain right now?” Zero goes on to the session. Above zero ends it
    before it starts: no workout today, a flag for the trainer and an email.
    The planned session stays open for a day without pain."""
    workout = _locked(workout)
    if workout.pain_before is not None:
        # Already answered: a retried post, or one sent at the same moment,
        # changes nothing, even when the first answer ended the session.
        return workout
    if workout.finished_at is not None:
        raise WorkoutClosed("This session is finished. Reopen it to change it.")
    if not Profile.objects.filter(
        user=workout.member_id, zero_pain_accepted_at__isnull=False
    ).exists():
        raise Conflict("Accept the zero-pain rule before your first session.")
    workout.pain_before = level
    if level > 0:
        workout.finished_at = timezone.now()
        workout.planned_session = None
        flag = PainFlag.objects.create(
            member_id=workout.member_id, workout=workout, level=level, note=note.strip()
        )
        notices.pain_alert(flag)
    workout.save(update_fields=["pain_before", "finished_at", "planned_session"])
    return workout


@action
def finish_workout(*, workout: Workout, feeling: str = "", note: str = "") -> Workout:
    """Finish, complete or partly: the planned session's status follows. Every
    exercise with sets done needs its pain answer first: a member never
    finishes past the question without answering it."""
    workout = lock_for_logging(workout)
    plan = build_plan(workout, weaker_side=workout.weaker_side)
    if unanswered := plan.unanswered_pain:
        raise PainUnanswered(unanswered)
    workout.feeling = feeling
    workout.note = note.strip()
    workout.finished_at = timezone.now()
    workout.is_complete = plan.is_complete
    workout.save(update_fields=["feeling", "note", "finished_at", "is_complete"])
    return workout


@action
def reopen_workout(*, workout: Workout, today: dt.date | None = None) -> Workout:
    """Members may reopen a session the same day to fix a mistake."""
    workout = _locked(workout)
    if workout.date != (today or timezone.localdate()):
        raise Conflict("Only today's session can be reopened.")
    if workout.stopped_for_pain:
        raise Conflict("A session stopped for pain before it began stays closed.")
    workout.finished_at = None
    workout.save(update_fields=["finished_at"])
    return workout
