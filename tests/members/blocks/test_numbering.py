"""One count and one numbering of a member's sessions, wherever they show.

A session is due so far once its day is over, or once it is done (early
included), so done is never more than due. A session's week is the block week
of its planned date, never of the day it was done. Clocks stop at 23:30 in
the club's zone, when UTC is already on the next day. Every place that shows
the numbers is read in test_numbering_everywhere."""

import datetime as dt
import re

import pytest
import time_machine

from members.blocks.review import review_blocks
from members.blocks.steering import end_block
from members.models import Assignment, Workout
from tests.factories import put_on_block
from tests.members.logger_helpers import CLUB, finished_workout

MONDAY = dt.date(2026, 11, 16)  # block week 1: sessions Mon 16, Thu 19; week 2: 23, 26...
SATURDAY = dt.date(2026, 11, 28)  # block week 2, all done; Monday the 30th is week 3


def _late(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(23, 30), tzinfo=CLUB), tick=False)


def _sessions(block):
    return list(block.planned_sessions.order_by("number"))


def _four_done(member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    for session in _sessions(block)[:4]:
        finished_workout(member, session)
    return block


@pytest.mark.django_db
def test_mondays_session_done_the_saturday_before_is_five_of_five(member, trainer, trainer_client):
    block = _four_done(member, trainer)
    monday = _sessions(block)[4]
    assert (monday.number, monday.date) == (5, dt.date(2026, 11, 30))
    finished_workout(member, monday, day=SATURDAY)

    with _late(SATURDAY):
        (review,) = review_blocks(Assignment.objects.filter(pk=block.pk))
        page = trainer_client.get(f"/trainer/members/{member.pk}/").text
        dashboard = trainer_client.get("/trainer/").text

    # Done early, Monday's session is due already: five of five, never 125 %.
    assert (review.progress.done, review.planned_so_far, review.adherence) == (5, 5, 100)
    assert "<dd>5 of 5 sessions so far (100%), 8 in all</dd>" in page
    assert "5 of 5 sessions so far (100%)" in dashboard
    # On Monday itself nothing more is due: still five of five.
    with _late(dt.date(2026, 11, 30)):
        (review,) = review_blocks(Assignment.objects.filter(pk=block.pk))
    assert (review.progress.done, review.planned_so_far, review.adherence) == (5, 5, 100)


@pytest.mark.django_db
def test_today_and_program_put_the_next_session_in_the_same_week(member, trainer, member_client):
    _four_done(member, trainer)
    with _late(SATURDAY):
        today = member_client.get("/me/").text
        program = member_client.get("/me/program/").text
    # Monday the 30th is session 5, in block week 3, on both pages.
    (caption,) = re.findall(r"Session (\d+) of 8 · week (\d+) of 4", today)
    assert caption == ("5", "3")
    assert _program_weeks(program)[5] == 3
    # Saturday itself is in week 2: that is the week Program marks as this one.
    assert _this_week(program) == 2


@pytest.mark.django_db
def test_a_workout_started_without_a_session_counts_for_the_one_today_offers(
    member, trainer, member_client
):
    _four_done(member, trainer)
    with _late(SATURDAY):
        offered = re.search(r'name="session" value="(\d+)"', member_client.get("/me/").text)
        response = member_client.post("/me/sessions/start/")
    workout = Workout.objects.get(date=SATURDAY)
    assert response.status_code == 302
    assert workout.planned_session_id == int(offered.group(1))
    assert workout.planned_session.number == 5


# Every place that shows the numbers, read as the person would ----------------


def _program_weeks(text: str) -> dict[int, int]:
    weeks = {}
    sections = re.findall(r'id="week-(\d+)" class="week-title">(.*?)</section>', text, re.S)
    for week, body in sections:
        for number in re.findall(r'class="session-name">Session (\d+)<', body):
            weeks[int(number)] = int(week)
    return weeks


def _this_week(text: str) -> int:
    (week,) = re.findall(r'class="week week-current" aria-labelledby="week-(\d+)"', text)
    return int(week)


@pytest.mark.django_db
def test_the_logger_counts_the_sessions_of_a_block_ended_early(member, trainer, member_client):
    """Ended after week 1, the block has two sessions: the logger says so, as
    Program and the calendar do, not weeks times days of what was planned."""
    block = put_on_block(member, trainer=trainer, start_date=MONDAY)
    workout = finished_workout(member, _sessions(block)[0])
    with _late(dt.date(2026, 11, 20)):
        end_block(assignment=block)
        text = member_client.get(f"/me/sessions/{workout.pk}/").text
    assert block.planned_sessions.count() == 2
    assert "Session 1 of 2 ·" in text
