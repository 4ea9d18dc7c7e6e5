"""Identical posts at once from a member: the contact form, starting a workout,
logging it, a calendar link. One row, and a normal answer to each post (the
winner's), never a server error.

test_double_post_guard lists which views these are, and fails on a new view
that takes a post and is in neither of its lists."""

import datetime as dt
import re
import uuid

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from members.logbook.workouts import start_workout
from members.models import (
    Activity,
    ActivityScore,
    CheckIn,
    KnobSetting,
    PainFlag,
    Profile,
    Question,
    SetLog,
    Workout,
)
from members.questions import services as questions
from routines.models import Knob
from tests import concurrency
from tests.concurrency import needs_postgresql, post_at_once, signed_in_client
from tests.factories import put_on_block
from tests.members.double_posts.at_once import (
    at_once,
    back_to_workout,
    only_normal_answers,
    step_with_knob,
)
from tests.members.logger_helpers import finished_workout, session_of
from tests.members.questions.contact import MESSAGE

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

    only_normal_answers(responses)
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
        finished_workout(member, session_of(block, number), day=day)

    responses = post_at_once(reverse("members:start_workout"), {}, user=member)

    (started,) = Workout.objects.filter(finished_at=None)
    only_normal_answers(responses)
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
    only_normal_answers(responses)
    assert {response["Location"] for response in responses} == {f"/me/sessions/{extra.pk}/"}
    assert Workout.objects.count() == 9


@needs_postgresql
@at_once
def test_ten_starts_of_tonights_session_at_once_make_one_workout(member, block):
    tonight = session_of(block, 4)

    responses = post_at_once(
        reverse("members:start_workout"), {"session": tonight.pk}, user=member
    )

    workout = Workout.objects.get()
    only_normal_answers(responses)
    assert workout.planned_session == tonight
    assert {response["Location"] for response in responses} == {f"/me/sessions/{workout.pk}/"}


# Logging a session


@needs_postgresql
@at_once
def test_the_pain_check_answered_at_once_raises_one_flag(member, block, mailoutbox):
    started = start_workout(member=member, planned_session=session_of(block, 4))

    responses = post_at_once(
        reverse("members:pain_check", args=[started.pk]),
        {"level": "4", "note": "Heel"},
        user=member,
    )

    back_to_workout(responses, started)
    (flag,) = PainFlag.objects.all()
    assert flag.level == 4 and flag.workout == started
    assert len(mailoutbox) == 1  # to Makana, once


@needs_postgresql
@at_once
def test_one_set_logged_at_once_is_one_row(member, workout):
    step = step_with_knob(workout)
    side = "left" if step["per_side"] else "both"

    responses = post_at_once(
        reverse("members:log_set", args=[workout.pk]),
        {"step": step["id"], "set_number": 1, "side": side, "reps": 9},
        user=member,
    )

    back_to_workout(responses, workout, f"#set-{step['id']}-1-{side}")
    (log,) = SetLog.objects.all()
    assert log.reps == 9
    knobs = KnobSetting.objects.filter(knob__exercise_id=step["exercise_id"])
    assert knobs.count() == Knob.objects.filter(exercise_id=step["exercise_id"]).count()


@needs_postgresql
@at_once
def test_log_all_at_once_logs_each_set_once(member, workout):
    step = step_with_knob(workout)

    responses = post_at_once(
        reverse("members:log_all", args=[workout.pk, step["id"]]), {}, user=member
    )

    back_to_workout(responses, workout, f"#step-{step['id']}")
    logged = SetLog.objects.filter(step_id=step["id"])
    assert logged.count() == step["sets"] * (2 if step["per_side"] else 1)
    assert logged.values("set_number", "side").distinct().count() == logged.count()


@needs_postgresql
@at_once
def test_a_knob_set_at_once_is_one_setting(member, workout):
    step = step_with_knob(workout)
    knob = Knob.objects.filter(exercise_id=step["exercise_id"]).first()
    value = knob.level_names[0] if knob.is_levels else "12"

    responses = post_at_once(
        reverse("members:knob", args=[workout.pk, step["id"]]),
        {"knob": knob.pk, "value": value},
        user=member,
    )

    back_to_workout(responses, workout, f"#step-{step['id']}")
    (setting,) = KnobSetting.objects.filter(knob=knob)
    assert setting.display.startswith(value)


@needs_postgresql
@at_once
def test_pain_on_an_exercise_reported_at_once_raises_one_flag(member, workout, mailoutbox):
    step = step_with_knob(workout)

    responses = post_at_once(
        reverse("members:pain", args=[workout.pk, step["id"]]),
        {"level": "3", "note": "Back of the heel"},
        user=member,
    )

    back_to_workout(responses, workout, f"#step-{step['id']}")
    (flag,) = PainFlag.objects.all()
    assert flag.step_id == step["id"] and flag.level == 3
    assert len(mailoutbox) == 1


@needs_postgresql
@at_once
def test_a_calendar_link_made_at_once_is_one_link(member):
    responses = post_at_once(reverse("members:calendar_create"), {}, user=member)

    only_normal_answers(responses)
    member.profile.refresh_from_db()
    assert member.profile.calendar_token
    assert Profile.objects.filter(user=member).count() == 1


# A check-in


@needs_postgresql
@at_once
def test_a_check_in_sent_at_once_is_one_check_in(member, trainer):
    put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    answers = {f"{scale}_{n}": "4" for scale in ("worst", "usual") for n in range(3)}
    data = {"kind": "baseline", **answers, "name_0": "Going down stairs", "new_score_0": "5"}

    responses = post_at_once(reverse("members:check_in"), data, user=member)

    only_normal_answers(responses)
    assert {response["Location"] for response in responses} == {"/me/"}
    (check_in,) = CheckIn.objects.all()
    assert check_in.areas.count() == 3
    assert Activity.objects.count() == ActivityScore.objects.count() == 1


@needs_postgresql
@at_once
def test_a_members_reply_sent_at_once_is_one_reply(member, trainer, block):
    question = questions.ask(
        member=member, name="Alex", email=member.email, subject="Wall", message=MESSAGE
    )
    questions.answer(question=question, trainer=trainer, text="Move closer.")
    mail.outbox.clear()

    responses = post_at_once(
        reverse("members:reply", args=[question.pk]),
        {"reply-text": "How much closer?"},
        user=member,
    )

    only_normal_answers(responses)
    assert list(question.replies.values_list("from_trainer", "text")) == [
        (False, "How much closer?")
    ]
    assert [message.to for message in mail.outbox] == [[trainer.email]]


@needs_postgresql
@at_once
def test_different_sets_logged_at_once_each_count_the_sets_committed_before(member, workout):
    """Each post locks the workout, then reads what it holds: the answer of
    the last to commit counts every set, none read from before its wait."""
    rows = [
        (s["id"], number)
        for s in workout.prescription["steps"]
        if s["reps"] and not s["per_side"]
        for number in range(1, s["sets"] + 1)
    ]
    url = reverse("members:log_set", args=[workout.pk])
    clients = [signed_in_client(member) for _ in rows]
    responses = concurrency.at_once(
        lambda client=client, step=step, number=number: client.post(
            url,
            {"step": step, "set_number": number, "side": "both", "reps": 9},
            HTTP_HX_REQUEST="true",
        )
        for client, (step, number) in zip(clients, rows, strict=True)
    )

    only_normal_answers(responses, 200)
    assert SetLog.objects.count() == len(rows)
    done = sorted(int(re.search(r"(\d+) of \d+ sets done", r.text).group(1)) for r in responses)
    assert done == list(range(1, len(rows) + 1))
