"""Answering, closing and reopening a question in the trainer's inbox, and the
dashboard's reason while one waits."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from members.coaching.attention import reviews_with_reasons
from members.models import Assignment
from members.questions import services as questions
from tests.members.logger_helpers import CLUB
from tests.members.questions.contact import MESSAGE, asks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


# Answering


def test_answering_in_the_app_emails_the_member_and_shows_on_their_page(
    asked, trainer, member_client
):
    coach = Client()
    coach.force_login(trainer)
    response = coach.post(
        f"/trainer/questions/{asked.pk}/answer/", {"answer-text": "Two inches closer, heels down."}
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == "answered" and asked.answered_by == trainer
    (sent,) = mail.outbox
    assert sent.to == ["alex@example.com"] and "Two inches closer" in sent.body

    page = member_client.get("/me/questions/").content.decode()
    assert "Answered" in page and "Two inches closer, heels down." in page


def test_an_empty_answer_is_refused_at_the_field(asked, trainer):
    coach = Client()
    coach.force_login(trainer)
    response = coach.post(f"/trainer/questions/{asked.pk}/answer/", {"answer-text": "   "})
    assert response.status_code == 422
    assert response.context["form"].errors["text"]
    assert mail.outbox == []


def test_reopening_an_answered_question_leaves_it_answered(asked, trainer):
    questions.answer(question=asked, trainer=trainer, text="Closer.")
    questions.close(question=asked)
    questions.reopen(question=asked)
    asked.refresh_from_db()
    assert asked.status == "answered" and asked.closed_at is None


def test_close_and_reopen_then_mark_answered(asked, trainer):
    coach = Client()
    coach.force_login(trainer)
    response = coach.post(f"/trainer/questions/{asked.pk}/close/")
    assert response["Location"] == f"/trainer/questions/{asked.pk}/#answer"
    asked.refresh_from_db()
    assert asked.status == "closed"
    page = coach.get(f"/trainer/questions/{asked.pk}/").content.decode()
    assert "Reopen it to answer" in page and "Send answer" not in page
    coach.post(f"/trainer/questions/{asked.pk}/reopen/")
    asked.refresh_from_db()
    assert asked.status == "new"
    coach.post(f"/trainer/questions/{asked.pk}/answered/")
    asked.refresh_from_db()
    assert asked.status == "answered" and asked.answer == "" and mail.outbox == []


def test_the_inbox_puts_the_longest_waiting_first_and_filters_by_status(member, trainer, on_block):
    start = timezone.now()
    for days, subject in [(3, "Oldest"), (1, "Newer")]:
        with time_machine.travel(start - dt.timedelta(days=days), tick=False):
            questions.ask(
                member=member, name="Alex", email=member.email, subject=subject, message=MESSAGE
            )
    done = asks(member, "Done one")
    questions.mark_answered(question=done, trainer=trainer)
    coach = Client()
    coach.force_login(trainer)
    page = coach.get("/trainer/questions/").content.decode()
    assert page.index("Oldest") < page.index("Newer")
    assert "Done one" not in page
    assert "Done one" in coach.get("/trainer/questions/?show=answered").content.decode()


# The trainer's dashboard


@pytest.mark.parametrize(("hours_ago", "listed"), [(25, True), (23, False)])
def test_a_question_unanswered_for_a_day_puts_the_member_on_the_list(
    member, trainer, on_block, hours_ago, listed
):
    now = dt.datetime(2026, 11, 26, 23, 30, tzinfo=CLUB)
    with time_machine.travel(now - dt.timedelta(hours=hours_ago), tick=False):
        asks(member, "Heels lift")
    with time_machine.travel(now, tick=False):
        (review,) = reviews_with_reasons(Assignment.objects.filter(member=member))
    reasons = [r for r in review.reasons if "Heels lift" in r]
    assert bool(reasons) is listed
    if listed:
        assert reasons == ["Question “Heels lift” unanswered since Wed Nov 25"]


def test_an_answered_question_is_off_the_list(asked, trainer, member):
    questions.answer(question=asked, trainer=trainer, text="Closer.")
    with time_machine.travel(timezone.now() + dt.timedelta(days=2), tick=False):
        (review,) = reviews_with_reasons(Assignment.objects.filter(member=member))
    assert not any("Question" in r for r in review.reasons)
