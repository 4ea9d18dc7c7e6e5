"""Identical posts at once, to every view that creates rows: one row, and a
normal answer to each post (the winner's), never a server error.

Each view that accepts a post is listed below, in CREATES (tested here with
posts at once) or in NO_CREATE (with the reason it cannot duplicate a row);
the guard at the end fails on a view in neither list, so a new one cannot
slip past."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from members import logbook
from members.models import Assignment, Invitation, PlannedSession, Question, User, Workout
from tests.concurrency import needs_postgresql, post_at_once, server_errors
from tests.factories import put_on_block
from tests.members.logger_helpers import CLUB, finished_workout

pytestmark = [pytest.mark.usefixtures("clear_cache")]

at_once = pytest.mark.django_db(transaction=True)

MONDAY = dt.date(2026, 11, 16)
# Thursday of block week 2, late: the club's date differs from UTC's.
LATE_THURSDAY = dt.datetime(2026, 11, 26, 23, 30, tzinfo=CLUB)
MESSAGE = "My heels lift when I squat. Should I move closer to the wall?"


@pytest.fixture
def late_thursday():
    with time_machine.travel(LATE_THURSDAY, tick=False):
        yield


@pytest.fixture
def block(late_thursday, member, trainer):
    """Alex on Monday and Thursday for four weeks from November 16th: tonight
    is session 4's day, and session 3 (Monday) can still be made up."""
    assignment = put_on_block(member, trainer=trainer, start_date=MONDAY)
    logbook.accept_zero_pain_rule(member=member)
    return assignment


def _session(block: Assignment, number: int) -> PlannedSession:
    return block.planned_sessions.get(number=number)


def _only_normal_answers(responses, *statuses) -> None:
    assert server_errors(responses) == []
    assert {response.status_code for response in responses} <= set(statuses or {302})


# Inviting a member


@needs_postgresql
@at_once
def test_ten_invitations_of_one_person_at_once_make_one_account_and_one_email(trainer, mailoutbox):
    responses = post_at_once(
        reverse("trainer:invite"),
        {"display_name": "Sam Park", "email": "sam@example.com"},
        user=trainer,
    )

    sam = User.objects.get(email="sam@example.com")
    _only_normal_answers(responses)
    assert {response["Location"] for response in responses} == {
        f"/trainer/assign/?member={sam.pk}"
    }
    assert Invitation.objects.filter(member=sam).count() == 1
    (email,) = mailoutbox
    assert email.to == ["sam@example.com"]


# The contact form


@needs_postgresql
@at_once
def test_the_contact_form_posted_at_once_with_one_token_is_one_question(member, block):
    token = str(uuid.uuid4())
    responses = post_at_once(
        reverse("contact"),
        {"subject": "How far from the wall?", "message": MESSAGE, "token": token},
        user=member,
        n=5,  # the contact form's hourly limit: every post is let through to the race
    )

    _only_normal_answers(responses)
    assert {response["Location"] for response in responses} == {"/contact/sent/"}
    (question,) = Question.objects.all()
    assert str(question.token) == token
    assert sorted(message.to[0] for message in mail.outbox) == [
        "alex@example.com",
        "makana@example.com",
    ]


# Starting a workout


@needs_postgresql
@at_once
def test_ten_starts_of_an_extra_session_at_once_make_one_workout(member, block):
    for number, day in ((3, dt.date(2026, 11, 23)), (4, dt.date(2026, 11, 26))):
        finished_workout(member, _session(block, number), day=day)

    responses = post_at_once(reverse("members:start_workout"), {}, user=member)

    extra = Workout.objects.get(planned_session=None)
    _only_normal_answers(responses)
    assert {response["Location"] for response in responses} == {f"/me/sessions/{extra.pk}/"}
    assert Workout.objects.count() == 3


@needs_postgresql
@at_once
def test_ten_starts_of_tonights_session_at_once_make_one_workout(member, block):
    tonight = _session(block, 4)

    responses = post_at_once(
        reverse("members:start_workout"), {"session": tonight.pk}, user=member
    )

    workout = Workout.objects.get()
    _only_normal_answers(responses)
    assert workout.planned_session == tonight
    assert {response["Location"] for response in responses} == {f"/me/sessions/{workout.pk}/"}
