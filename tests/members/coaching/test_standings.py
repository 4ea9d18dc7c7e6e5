"""The dashboard's kept standings say what the plain review says: on a
generated club, after each kind of write about a member, when a write lands
while they are worked out, and when the day or a question's wait turns."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from members.blocks.steering import extend_block
from members.coaching import pain, standings
from members.coaching.attention import needing_attention, reviews_with_reasons
from members.coaching.standings import _work_out, by_attention, kept, refresh
from members.logbook.sets import report_pain
from members.logbook.workouts import record_pain_before, start_workout
from members.management.commands.generate_club import generate
from members.models import Assignment, BlockStanding, CheckIn, PainFlag, Question
from members.outcomes.services import record_check_in
from members.questions import services as questions
from routines.models import Knob
from tests.concurrency import at_once, needs_postgresql, signed_in_client
from tests.factories import put_on_block
from tests.members.logger_helpers import CLUB, LATE_THURSDAY, MONDAY, finished_workout, step


def _seen(standing) -> dict:
    """What the dashboard shows and sorts by, from a standing or a review."""
    if isinstance(standing, BlockStanding):
        return {
            "member": standing.member.pk,
            "reasons": standing.reasons,
            "waiting_since": standing.waiting_since,
            "pain": (standing.pain_level, standing.pain_since, standing.open_pain_flags),
            "sessions": (standing.week, standing.done, standing.due, standing.adherence),
            "end": (standing.end_date, standing.finished),
            "last_workout": standing.last_workout,
            "baseline": (standing.has_baseline, standing.change),
            "knobs": standing.knobs,
        }
    review = standing
    change = review.change
    return {
        "member": review.member.pk,
        "reasons": review.reasons,
        "waiting_since": review.waiting_since,
        "pain": (
            pain.level if (pain := review.worst_pain) else None,
            pain.created_at if pain else None,
            len(review.pain_flags),
        ),
        "sessions": (
            review.progress.week,
            review.progress.done,
            review.planned_so_far,
            review.adherence,
        ),
        "end": (review.end_date, review.ready_to_renew),
        "last_workout": review.last_workout.date if review.last_workout else None,
        "baseline": (review.has_baseline, change.summary if change else ""),
        "knobs": [f"{trend.exercise}: {trend.text}" for trend in review.knobs],
    }


def assert_same_as_the_plain_review(blocks) -> list[BlockStanding]:
    """The kept standings of ``blocks`` (by block) after checking them, and
    "Needs you" in its order, against the plain review."""
    found = list(kept(blocks).order_by("assignment_id"))
    plain = reviews_with_reasons(blocks)
    by_block = sorted(plain, key=lambda review: review.assignment.pk)
    assert [_seen(s) for s in found] == [_seen(r) for r in by_block]
    assert [_seen(s) for s in by_attention(kept(blocks).filter(needs_you=True))] == [
        _seen(r) for r in needing_attention(plain)
    ]
    return found


@pytest.mark.django_db
def test_the_kept_standings_say_what_the_plain_rules_say_on_a_generated_club(
    late_thursday, django_assert_num_queries
):
    generate(members=60, trainers=2, seed=3)
    blocks = Assignment.objects.current()
    first = assert_same_as_the_plain_review(blocks)
    # A club like any other: some need their trainer, for several reasons.
    attention = [standing for standing in first if standing.needs_you]
    assert 5 < len(attention) < 60
    assert len({reason.split(" ")[0] for s in attention for reason in s.reasons}) >= 3
    assert BlockStanding.objects.filter(fresh_until__isnull=True).count() == 0
    # Read back as kept: nothing is worked out again, and the same comes back.
    with django_assert_num_queries(2):
        again = list(kept(blocks).order_by("assignment_id"))
    assert [_seen(s) for s in again] == [_seen(s) for s in first]
    by_name = sorted(reviews_with_reasons(blocks), key=lambda r: r.member.display_name.lower())
    assert [s.member.pk for s in standings.by_name(kept(blocks))] == [r.member.pk for r in by_name]


def _member_with_history(member, trainer):
    block = put_on_block(
        member, trainer=trainer, start_date=MONDAY - dt.timedelta(weeks=1), weeks=3
    )
    sessions = list(block.planned_sessions.order_by("number"))
    finished_workout(member, sessions[0], wall=14)
    finished_workout(member, sessions[1], wall=12)
    return block, sessions


def _pain_flag(member, trainer, block, sessions):
    workout = start_workout(member=member, planned_session=sessions[2], today=sessions[2].date)
    record_pain_before(workout=workout, level=0)
    report_pain(workout=workout, step_id=step(workout, "Tibialis raise")["id"], level=4)


def _pain_resolved(member, trainer, block, sessions):
    pain.resolve(PainFlag.objects.get(member=member), by=trainer, note="Rest it")


def _session_finished(member, trainer, block, sessions):
    finished_workout(member, sessions[2], wall=12)


def _question_waiting(member, trainer, block, sessions):
    with time_machine.travel(LATE_THURSDAY - dt.timedelta(days=2)):
        questions.ask(member=member, name="Alex", email=member.email, subject="Knee", message="?")


def _question_answered(member, trainer, block, sessions):
    questions.mark_answered(question=Question.objects.get(member=member), trainer=trainer)


def _question_closed(member, trainer, block, sessions):
    questions.close(question=Question.objects.get(member=member))


def _question_reopened(member, trainer, block, sessions):
    questions.reopen(question=Question.objects.get(member=member))


def _check_in(member, trainer, block, sessions):
    record_check_in(
        block,
        CheckIn.Kind.BASELINE,
        areas={"Feet": (3, 2)},
        new_activities=[("Stairs", 4)],
        scores={},
        today=timezone.localdate(),
    )


def _extended(member, trainer, block, sessions):
    extend_block(assignment=Assignment.objects.get(pk=block.pk), weeks=1)


# Each write, after what it needs to have happened before.
WRITES = {
    "a pain flag raised": [_pain_flag],
    "a pain flag resolved": [_pain_flag, _pain_resolved],
    "a session finished": [_session_finished],
    "a question waiting": [_question_waiting],
    "a question answered by email": [_question_waiting, _question_answered],
    "a question closed": [_question_waiting, _question_closed],
    "a question reopened": [_question_waiting, _question_closed, _question_reopened],
    "a check-in": [_check_in],
    "a block extended": [_extended],
}


@pytest.mark.django_db
@pytest.mark.parametrize("write", WRITES)
def test_each_write_about_a_member_shows_on_the_next_load(late_thursday, member, trainer, write):
    block, sessions = _member_with_history(member, trainer)
    blocks = Assignment.objects.filter(pk=block.pk)
    *before_it, action = WRITES[write]
    for earlier in before_it:
        earlier(member, trainer, block, sessions)
        assert_same_as_the_plain_review(blocks)
    (before,) = assert_same_as_the_plain_review(blocks)
    action(member, trainer, block, sessions)
    (after,) = assert_same_as_the_plain_review(blocks)
    # The write changed what the dashboard shows: the check above would miss
    # a standing kept from before it.
    assert _seen(after) != _seen(before)


@pytest.mark.django_db
def test_a_write_while_a_standing_is_worked_out_leaves_it_to_be_worked_out_again(
    late_thursday, member, trainer
):
    block, sessions = _member_with_history(member, trainer)
    blocks = Assignment.objects.filter(pk=block.pk)
    list(kept(blocks))
    _pain_flag(member, trainer, block, sessions)
    # Read before the write below, worked out and stored after it: the
    # version it was read at has moved on, so it is not kept.
    (read,) = BlockStanding.objects.filter(pk=block.pk)
    assert read.fresh_until is None
    pain.acknowledge(PainFlag.objects.get(member=member))
    _work_out([read], timezone.now())
    assert BlockStanding.objects.get(pk=block.pk).fresh_until is None
    # The next load works it out again.
    (again,) = assert_same_as_the_plain_review(blocks)
    assert again.reasons[0].startswith("Pain 4/10")
    assert BlockStanding.objects.get(pk=block.pk).fresh_until is not None


@pytest.mark.django_db
def test_a_standing_lapses_when_the_day_ends(late_thursday, member, trainer):
    block, _ = _member_with_history(member, trainer)
    blocks = Assignment.objects.filter(pk=block.pk)
    # Tonight's session (Thursday the 26th) is not done, nor was Monday's.
    (tonight,) = assert_same_as_the_plain_review(blocks)
    assert tonight.fresh_until == dt.datetime(2026, 11, 27, tzinfo=CLUB)
    with time_machine.travel(dt.datetime(2026, 11, 27, 0, 5, tzinfo=CLUB), tick=False):
        (tomorrow,) = assert_same_as_the_plain_review(blocks)
    assert tomorrow.due == tonight.due + 1


@pytest.mark.django_db
def test_a_standing_lapses_when_a_waiting_question_turns_a_day_old(late_thursday, member, trainer):
    block, _ = _member_with_history(member, trainer)
    blocks = Assignment.objects.filter(pk=block.pk)
    asked = LATE_THURSDAY - dt.timedelta(hours=23, minutes=50)
    with time_machine.travel(asked, tick=False):
        questions.ask(member=member, name="Alex", email=member.email, subject="Knee", message="?")
    (now,) = assert_same_as_the_plain_review(blocks)
    assert not any(reason.startswith("Question") for reason in now.reasons)
    assert now.fresh_until == asked + dt.timedelta(days=1)
    with time_machine.travel(asked + dt.timedelta(days=1, minutes=1), tick=False):
        (later,) = assert_same_as_the_plain_review(blocks)
    assert any(reason.startswith("Question “Knee”") for reason in later.reasons)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_first_loads_at_once_keep_one_standing_a_block(member, second_member, trainer):
    for person in (member, second_member):
        put_on_block(person, trainer=trainer, start_date=timezone.localdate())
    clients = [signed_in_client(trainer) for _ in range(3)]
    answers = at_once(lambda client=client: client.get("/trainer/") for client in clients)
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert BlockStanding.objects.count() == 2
    assert not BlockStanding.objects.filter(fresh_until__isnull=True).exists()


@pytest.mark.django_db
def test_the_scheduler_works_out_lapsed_standings_before_any_trainer_asks(
    late_thursday, member, trainer
):
    block, _ = _member_with_history(member, trainer)
    out = io.StringIO()
    call_command("send_nudges", stdout=out)
    assert "Worked out 1 block standing(s)." in out.getvalue()
    assert BlockStanding.objects.get(pk=block.pk).fresh_until is not None
    # After midnight the scheduler's next run works it out again, and the
    # trainer's first dashboard of the day then reads it as kept.
    with time_machine.travel(dt.datetime(2026, 11, 27, 0, 5, tzinfo=CLUB), tick=False):
        out = io.StringIO()
        call_command("send_nudges", stdout=out)
        assert "Worked out 1 block standing(s)." in out.getvalue()
        blocks = Assignment.objects.filter(pk=block.pk)
        assert refresh(blocks) == 0  # nothing left for the dashboard to do
        assert_same_as_the_plain_review(blocks)


@pytest.mark.django_db
def test_a_block_deleted_while_its_standing_is_worked_out_is_skipped(
    late_thursday, member, trainer
):
    block, _ = _member_with_history(member, trainer)
    list(kept(Assignment.objects.filter(pk=block.pk)))
    (read,) = BlockStanding.objects.filter(pk=block.pk)
    gone = BlockStanding(assignment_id=block.pk + 1000, version=0)
    _work_out([read, gone], timezone.now())
    assert BlockStanding.objects.filter(pk=block.pk).exists()


@pytest.mark.django_db
def test_a_block_has_its_standing_from_the_start_so_a_first_write_is_never_missed(
    late_thursday, member, trainer
):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    # Made with the block, to be worked out: a write before any dashboard
    # has loaded still moves its version on.
    made = BlockStanding.objects.get(pk=block.pk)
    assert (made.version, made.fresh_until) == (0, None)
    session = block.planned_sessions.order_by("number").first()
    finished_workout(member, session)
    assert BlockStanding.objects.get(pk=block.pk).version > 0
    (standing,) = assert_same_as_the_plain_review(Assignment.objects.filter(pk=block.pk))
    assert standing.done == 1


@pytest.mark.django_db
def test_a_knob_edited_in_the_admin_makes_every_standing_stale(late_thursday, member, trainer):
    block, _ = _member_with_history(member, trainer)
    list(kept(Assignment.objects.filter(pk=block.pk)))
    assert BlockStanding.objects.get(pk=block.pk).fresh_until is not None
    knob = Knob.objects.filter(label="Feet distance from wall").first()
    knob.harder = Knob.Harder.LOWER if knob.harder == Knob.Harder.HIGHER else Knob.Harder.HIGHER
    knob.save()
    assert BlockStanding.objects.get(pk=block.pk).fresh_until is None
    assert_same_as_the_plain_review(Assignment.objects.filter(pk=block.pk))
