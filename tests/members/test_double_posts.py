"""Identical posts at once, to every view that creates rows: one row, and a
normal answer to each post (the winner's), never a server error.

test_double_post_guard lists which views these are, and fails on a new view
that takes a post and is in neither of its lists."""

import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.accounts.invitations import invite_member
from members.blocks.steering import end_block
from members.logbook.sets import report_pain
from members.logbook.workouts import accept_zero_pain_rule, record_pain_before, start_workout
from members.models import (
    Assignment,
    Invitation,
    KnobSetting,
    PainFlag,
    PlannedSession,
    Profile,
    Question,
    SetLog,
    StepOverride,
    TrainerNote,
    User,
    Workout,
)
from members.questions import services as questions
from routines.models import Knob
from tests.concurrency import needs_postgresql, post_at_once, server_errors, signed_in_client
from tests.factories import ground_up_routine, put_on_block
from tests.members.logger_helpers import CLUB, finished_workout


def at_once(test):
    """Committed rows, seen by every thread's connection; rate limits cleared."""
    return pytest.mark.usefixtures("clear_cache")(pytest.mark.django_db(transaction=True)(test))


MONDAY = dt.date(2026, 11, 16)
# Thursday of block week 2, late: the club's date differs from UTC's.
LATE_THURSDAY = dt.datetime(2026, 11, 26, 23, 30, tzinfo=CLUB)
NEW_PASSWORD = "calf-raise-at-the-wall"
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
    accept_zero_pain_rule(member=member)
    return assignment


def _session(block: Assignment, number: int) -> PlannedSession:
    return block.planned_sessions.get(number=number)


def _only_normal_answers(responses, *statuses) -> None:
    assert server_errors(responses) == []
    assert {response.status_code for response in responses} <= set(statuses or {302})


# Inviting a member


@needs_postgresql
@at_once
def test_ten_invitations_of_one_person_at_once_make_one_account_one_email(trainer, mailoutbox):
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
    # The copies gave their places in the hourly limit back: four more go.
    client = signed_in_client(member)
    for n in range(questions.QUESTIONS_PER_HOUR - 1):
        more = {"subject": f"Another {n}", "message": MESSAGE, "token": str(uuid.uuid4())}
        assert client.post(reverse("contact"), more).status_code == 302
    assert Question.objects.count() == questions.QUESTIONS_PER_HOUR


# Starting a workout


@needs_postgresql
@at_once
def test_ten_starts_without_a_chosen_session_at_once_make_one_workout(member, block):
    """This week's two sessions are done: Start opens the session Today offers
    next (done early, it counts for it), once."""
    for number, day in ((3, dt.date(2026, 11, 23)), (4, dt.date(2026, 11, 26))):
        finished_workout(member, _session(block, number), day=day)

    responses = post_at_once(reverse("members:start_workout"), {}, user=member)

    (started,) = Workout.objects.filter(finished_at=None)
    _only_normal_answers(responses)
    assert {response["Location"] for response in responses} == {f"/me/sessions/{started.pk}/"}
    assert Workout.objects.count() == 3


@needs_postgresql
@at_once
def test_ten_starts_of_an_extra_session_at_once_make_one_workout(member, block):
    """Every session of the block is done: Start opens an extra session, once
    (no session row to hold it to one: the lock on the block does)."""
    for session in block.planned_sessions.all():
        finished_workout(member, session)

    responses = post_at_once(reverse("members:start_workout"), {}, user=member)

    extra = Workout.objects.get(planned_session=None)
    _only_normal_answers(responses)
    assert {response["Location"] for response in responses} == {f"/me/sessions/{extra.pk}/"}
    assert Workout.objects.count() == 9


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


# Logging a session


@pytest.fixture
def workout(member, block):
    """Tonight's session started, no pain before it."""
    started = start_workout(member=member, planned_session=_session(block, 4))
    return record_pain_before(workout=started, level=0)


def _step_with_knob(workout):
    """A step counted in reps, with a knob to set."""
    return next(
        step
        for step in workout.prescription["steps"]
        if step["reps"] and Knob.objects.filter(exercise_id=step["exercise_id"]).exists()
    )


def _back_to_workout(responses, workout, anchor=""):
    _only_normal_answers(responses)
    assert {r["Location"] for r in responses} == {f"/me/sessions/{workout.pk}/{anchor}"}


@needs_postgresql
@at_once
def test_the_pain_check_answered_at_once_raises_one_flag(member, block, mailoutbox):
    started = start_workout(member=member, planned_session=_session(block, 4))

    responses = post_at_once(
        reverse("members:pain_check", args=[started.pk]),
        {"level": "4", "note": "Heel"},
        user=member,
    )

    _back_to_workout(responses, started)
    (flag,) = PainFlag.objects.all()
    assert flag.level == 4 and flag.workout == started
    assert len(mailoutbox) == 1  # to Makana, once


@needs_postgresql
@at_once
def test_one_set_logged_at_once_is_one_row(member, workout):
    step = _step_with_knob(workout)
    side = "left" if step["per_side"] else "both"

    responses = post_at_once(
        reverse("members:log_set", args=[workout.pk]),
        {"step": step["id"], "set_number": 1, "side": side, "reps": 9},
        user=member,
    )

    _back_to_workout(responses, workout, f"#set-{step['id']}-1-{side}")
    (log,) = SetLog.objects.all()
    assert log.reps == 9
    knobs = KnobSetting.objects.filter(knob__exercise_id=step["exercise_id"])
    assert knobs.count() == Knob.objects.filter(exercise_id=step["exercise_id"]).count()


@needs_postgresql
@at_once
def test_log_all_at_once_logs_each_set_once(member, workout):
    step = _step_with_knob(workout)

    responses = post_at_once(
        reverse("members:log_all", args=[workout.pk, step["id"]]), {}, user=member
    )

    _back_to_workout(responses, workout, f"#step-{step['id']}")
    logged = SetLog.objects.filter(step_id=step["id"])
    assert logged.count() == step["sets"] * (2 if step["per_side"] else 1)
    assert logged.values("set_number", "side").distinct().count() == logged.count()


@needs_postgresql
@at_once
def test_a_knob_set_at_once_is_one_setting(member, workout):
    step = _step_with_knob(workout)
    knob = Knob.objects.filter(exercise_id=step["exercise_id"]).first()
    value = knob.level_names[0] if knob.is_levels else "12"

    responses = post_at_once(
        reverse("members:knob", args=[workout.pk, step["id"]]),
        {"knob": knob.pk, "value": value},
        user=member,
    )

    _back_to_workout(responses, workout, f"#step-{step['id']}")
    (setting,) = KnobSetting.objects.filter(knob=knob)
    assert setting.display.startswith(value)


@needs_postgresql
@at_once
def test_pain_on_an_exercise_reported_at_once_raises_one_flag(member, workout, mailoutbox):
    step = _step_with_knob(workout)

    responses = post_at_once(
        reverse("members:pain", args=[workout.pk, step["id"]]),
        {"level": "3", "note": "Back of the heel"},
        user=member,
    )

    _back_to_workout(responses, workout, f"#step-{step['id']}")
    (flag,) = PainFlag.objects.all()
    assert flag.step_id == step["id"] and flag.level == 3
    assert len(mailoutbox) == 1


@needs_postgresql
@at_once
def test_a_calendar_link_made_at_once_is_one_link(member):
    responses = post_at_once(reverse("members:calendar_create"), {}, user=member)

    _only_normal_answers(responses)
    member.profile.refresh_from_db()
    assert member.profile.calendar_token
    assert Profile.objects.filter(user=member).count() == 1


# The trainer's side


@needs_postgresql
@at_once
def test_a_pain_flag_resolved_at_once_emails_the_member_once(trainer, member, workout):
    flag = report_pain(workout=workout, step_id=_step_with_knob(workout)["id"], level=2)
    mail.outbox.clear()

    responses = post_at_once(
        reverse("trainer:resolve_pain", args=[flag.pk]),
        {"note": "Ease off the wall distance; we talk Monday."},
        user=trainer,
    )

    _only_normal_answers(responses)
    flag.refresh_from_db()
    assert flag.status == PainFlag.Status.RESOLVED
    assert [message.to for message in mail.outbox] == [["alex@example.com"]]


@needs_postgresql
@at_once
def test_an_override_saved_at_once_is_one_override(trainer, member, workout):
    step = _step_with_knob(workout)

    responses = post_at_once(
        reverse("trainer:save_override", args=[workout.planned_session.assignment_id]),
        {"override-step": step["id"], "override-reps": "12", "override-note": "Slower down"},
        user=trainer,
    )

    _only_normal_answers(responses)
    (override,) = StepOverride.objects.all()
    assert override.reps == 12


@needs_postgresql
@at_once
def test_a_note_sent_at_once_is_one_note_and_one_email(trainer, member, block, mailoutbox):
    responses = post_at_once(
        reverse("trainer:add_note", args=[block.pk]),
        {"note-text": "Keep the heel down on the calf raise."},
        user=trainer,
    )

    _only_normal_answers(responses)
    assert TrainerNote.objects.count() == 1
    assert [message.to for message in mailoutbox] == [["alex@example.com"]]


@needs_postgresql
@at_once
def test_a_question_answered_at_once_is_answered_once(trainer, member, block):
    question = questions.ask(
        member=member, name="Alex", email=member.email, subject="Wall", message=MESSAGE
    )
    mail.outbox.clear()

    responses = post_at_once(
        reverse("trainer:answer", args=[question.pk]),
        {"answer-text": "Move a fist closer to the wall."},
        user=trainer,
    )

    _only_normal_answers(responses)
    question.refresh_from_db()
    assert question.answer == "Move a fist closer to the wall."
    assert [message.to for message in mail.outbox] == [["alex@example.com"]]


@needs_postgresql
@at_once
def test_a_group_invited_at_once_is_invited_once(trainer, mailoutbox):
    responses = post_at_once(
        reverse("trainer:invite_group"),
        {"people": "Sam Park, sam@example.com\nRiley Chen <riley@example.com>"},
        user=trainer,
    )

    _only_normal_answers(responses)
    assert Invitation.objects.count() == 2
    assert sorted(message.to[0] for message in mailoutbox) == [
        "riley@example.com",
        "sam@example.com",
    ]


@needs_postgresql
@at_once
def test_send_again_at_once_sends_one_working_link(trainer, mailoutbox):
    invitation, _ = invite_member(trainer=trainer, email="sam@example.com", display_name="Sam")
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=3)
    )

    responses = post_at_once(reverse("trainer:resend", args=[invitation.pk]), {}, user=trainer)

    _only_normal_answers(responses)
    invitation.refresh_from_db()
    assert invitation.send_count == 2
    (email,) = mailoutbox
    link = re.search(r"http://testserver(/invitation/[^/\s]+/)", email.body).group(1)
    assert Client().get(link).status_code == 200


@needs_postgresql
@at_once
def test_an_invitation_accepted_at_once_signs_the_member_in_on_every_tab(trainer):
    _, token = invite_member(trainer=trainer, email="sam@example.com", display_name="Sam")

    responses = post_at_once(
        reverse("invitation", args=[token]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        client_factory=lambda: signed_in_client(None),
        n=4,
    )

    _only_normal_answers(responses)
    assert {r["Location"] for r in responses} == {"/me/"}
    assert User.objects.get(email="sam@example.com").check_password(NEW_PASSWORD)


@needs_postgresql
@at_once
def test_a_routine_assigned_at_once_is_one_block(trainer, member, late_thursday):
    routine = ground_up_routine()

    responses = post_at_once(
        reverse("trainer:assign"),
        {
            "members": [member.pk],
            "routine": routine.pk,
            "start_date": "2026-11-30",
            "weekdays": ["0", "3"],
            "weeks": "4",
        },
        user=trainer,
    )

    _only_normal_answers(responses)
    assert {r["Location"] for r in responses} == {"/trainer/members/"}
    (block,) = Assignment.objects.all()
    assert block.planned_sessions.count() == 8


@needs_postgresql
@at_once
def test_a_block_renewed_at_once_is_one_new_block(trainer, member, block):
    end_block(assignment=block)

    responses = post_at_once(
        reverse("trainer:renew", args=[block.pk]),
        {"renew-start_date": "2026-11-30", "renew-weekdays": ["0", "3"], "renew-weeks": "4"},
        user=trainer,
    )

    _only_normal_answers(responses)
    assert Assignment.objects.current().get(member=member).start_date == dt.date(2026, 11, 30)
    assert Assignment.objects.count() == 2


@needs_postgresql
@at_once
def test_a_block_extended_at_once_grows_once(trainer, member, late_thursday):
    block = put_on_block(member, trainer=trainer, start_date=MONDAY, weeks=2)

    responses = post_at_once(
        reverse("trainer:extend", args=[block.pk]),
        {"extend-weeks": "1", "extend-from_weeks": "2"},
        user=trainer,
    )

    _only_normal_answers(responses)
    block.refresh_from_db()
    assert block.weeks == 3
    assert block.planned_sessions.count() == 6


@needs_postgresql
@at_once
def test_the_admins_add_block_form_posted_at_once_is_one_block(trainer, member, late_thursday):
    """The admin is outside the guard below, but its add form had the same race."""
    responses = post_at_once(
        "/admin/members/assignment/add/",
        {
            "member": member.pk,
            "routine": ground_up_routine().pk,
            "start_date": "2026-11-30",
            "weekdays": ["0", "3"],
            "weeks": "4",
            "notes": "",
        },
        user=trainer,
    )

    _only_normal_answers(responses, 200, 302)  # the form says "already on a block", or done
    (block,) = Assignment.objects.all()
    assert block.planned_sessions.count() == 8
