"""Which sessions a member can start: the one Today offers, or one still
open in this block week of a running block. Nothing from another week, and
nothing while the block is paused."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from members.blocks.steering import pause_block
from members.logbook.workouts import start_workout
from members.models import Assignment, PlannedSession, Workout
from tests.factories import put_on_block
from tests.members.logger_helpers import MONDAY, finished_workout, session_of

pytestmark = pytest.mark.django_db


def _start(client, session: PlannedSession | None = None):
    return client.post(
        reverse("members:start_workout"), {"session": session.pk} if session else {}
    )


def _refused(response) -> str:
    assert response.status_code == 302 and response["Location"] == "/me/"
    (message,) = get_messages(response.wsgi_request)
    assert message.level_tag == "error"
    return message.message


def test_next_weeks_session_cannot_be_started_today(member_client, block):
    response = _start(member_client, session_of(block, 5))

    assert "Session 5 is on Monday, November 30" in _refused(response)
    assert not Workout.objects.exists()


def test_last_weeks_missed_session_cannot_be_made_up_now(member_client, block):
    response = _start(member_client, session_of(block, 1))

    assert "Session 1 was for last week" in _refused(response)
    assert not Workout.objects.exists()


def test_a_session_on_hold_during_a_pause_cannot_be_started(member_client, block):
    pause_block(assignment=block, today=dt.date(2026, 11, 25))

    response = _start(member_client, session_of(block, 4))

    assert "paused" in _refused(response)
    assert not Workout.objects.exists()


def test_a_session_of_an_ended_block_cannot_be_started(member_client, member, trainer, block):
    block.status = Assignment.Status.ENDED_EARLY
    block.save()
    put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 23))

    response = _start(member_client, session_of(block, 4))

    assert "block that is over" in _refused(response)
    assert not Workout.objects.exists()


def test_tonights_session_and_this_weeks_missed_one_can_be_started(member_client, block):
    for number in (4, 3):
        response = _start(member_client, session_of(block, number))
        workout = Workout.objects.get(planned_session__number=number)
        assert response["Location"] == f"/me/sessions/{workout.pk}/"


def test_the_session_today_offers_early_can_be_started(member_client, member, block):
    """Both of this week's sessions done, Today offers Monday's: starting it
    early counts for it, as the button says."""
    for number, day in ((3, dt.date(2026, 11, 23)), (4, dt.date(2026, 11, 26))):
        finished_workout(member, session_of(block, number), day=day)
    page = member_client.get("/me/")
    assert page.context["progress"].next_session == session_of(block, 5)

    response = _start(member_client, session_of(block, 5))

    workout = Workout.objects.get(planned_session__number=5)
    assert response["Location"] == f"/me/sessions/{workout.pk}/"


def test_a_started_session_can_be_gone_back_to_whatever_the_week(member_client, member, block):
    """Going back to a workout already made creates nothing: it is allowed."""
    earlier = start_workout(
        member=member, planned_session=session_of(block, 2), today=dt.date(2026, 11, 19)
    )

    response = _start(member_client, session_of(block, 2))

    assert response["Location"] == f"/me/sessions/{earlier.pk}/"
    assert Workout.objects.count() == 1


def test_someone_elses_session_is_a_404(member_client, second_member, trainer, block):
    theirs = put_on_block(second_member, trainer=trainer, start_date=MONDAY)

    assert _start(member_client, session_of(theirs, 4)).status_code == 404
    assert not Workout.objects.exists()
