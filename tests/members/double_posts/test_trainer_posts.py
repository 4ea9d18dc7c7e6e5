"""Identical posts at once from a trainer (and from the member an invitation
is for): invitations, pain flags, overrides, notes, answers, blocks. One
row, and a normal answer to each post (the winner's), never a server error.

test_double_post_guard lists which views these are, and fails on a new view
that takes a post and is in neither of its lists."""

import datetime as dt
import re

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.accounts.invitations import invite_member
from members.blocks.steering import end_block
from members.logbook.sets import report_pain
from members.models import (
    Assignment,
    Invitation,
    PainFlag,
    StepOverride,
    TrainerNote,
    User,
)
from members.questions import services as questions
from tests.concurrency import needs_postgresql, post_at_once, signed_in_client
from tests.factories import ground_up_routine, put_on_block
from tests.members.double_posts.at_once import (
    at_once,
    only_normal_answers,
    step_with_knob,
)
from tests.members.logger_helpers import MONDAY
from tests.members.questions.contact import MESSAGE

NEW_PASSWORD = "calf-raise-at-the-wall"


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
    only_normal_answers(responses)
    assert {response["Location"] for response in responses} == {
        f"/trainer/assign/?member={sam.pk}"
    }
    assert Invitation.objects.filter(member=sam).count() == 1
    (email,) = mailoutbox
    assert email.to == ["sam@example.com"]


# The trainer's side


@needs_postgresql
@at_once
def test_a_pain_flag_resolved_at_once_emails_the_member_once(trainer, member, workout):
    flag = report_pain(workout=workout, step_id=step_with_knob(workout)["id"], level=2).flag
    mail.outbox.clear()

    responses = post_at_once(
        reverse("trainer:resolve_pain", args=[flag.pk]),
        {"note": "Ease off the wall distance; we talk Monday."},
        user=trainer,
    )

    only_normal_answers(responses)
    flag.refresh_from_db()
    assert flag.status == PainFlag.Status.RESOLVED
    assert [message.to for message in mail.outbox] == [["alex@example.com"]]


@needs_postgresql
@at_once
def test_an_override_saved_at_once_is_one_override(trainer, member, workout):
    step = step_with_knob(workout)

    responses = post_at_once(
        reverse("trainer:save_override", args=[workout.planned_session.assignment_id]),
        {"override-step": step["id"], "override-reps": "12", "override-note": "Slower down"},
        user=trainer,
    )

    only_normal_answers(responses)
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

    only_normal_answers(responses)
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

    only_normal_answers(responses)
    question.refresh_from_db()
    assert question.answer == "Move a fist closer to the wall."
    assert [message.to for message in mail.outbox] == [["alex@example.com"]]


@needs_postgresql
@at_once
def test_a_trainers_reply_sent_at_once_is_one_reply(trainer, member, block):
    question = questions.ask(
        member=member, name="Alex", email=member.email, subject="Wall", message=MESSAGE
    )
    questions.answer(question=question, trainer=trainer, text="Move closer.")
    questions.member_reply(question=question, member=member, text="How much closer?")
    mail.outbox.clear()

    responses = post_at_once(
        reverse("trainer:answer", args=[question.pk]),
        {"answer-text": "A fist closer."},
        user=trainer,
    )

    only_normal_answers(responses)
    assert list(question.replies.values_list("from_trainer", "text")) == [
        (False, "How much closer?"),
        (True, "A fist closer."),
    ]
    assert [message.to for message in mail.outbox] == [["alex@example.com"]]


@needs_postgresql
@at_once
def test_a_group_invited_at_once_is_invited_once(trainer, mailoutbox):
    responses = post_at_once(
        reverse("trainer:invite_group"),
        {"people": "Sam Park, sam@example.com\nRiley Chen <riley@example.com>"},
        user=trainer,
    )

    only_normal_answers(responses)
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

    only_normal_answers(responses)
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

    only_normal_answers(responses)
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

    only_normal_answers(responses)
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

    only_normal_answers(responses)
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

    only_normal_answers(responses)
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

    only_normal_answers(responses, 200, 302)  # the form says "already on a block", or done
    (block,) = Assignment.objects.all()
    assert block.planned_sessions.count() == 8
