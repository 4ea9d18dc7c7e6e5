"""A question is stored first and its emails are sent by the task worker, each
recipient tracked on its own, retried with backoff, and never sent twice."""

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from members.mail import outbox
from members.models import EmailDelivery, Question
from tests.factories import put_on_block
from tests.members.questions.contact import form_token
from tests.members.worker import database_tasks, run_worker  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

DOWN = {"default": {"BACKEND": "tests.mail_backends.DownBackend"}}
REFUSING = {"default": {"BACKEND": "tests.mail_backends.RefusingBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def _ask(client, **fields):
    client.get("/contact/")  # The form's token comes from the page, as in a browser.
    data = {
        "subject": "How far from the wall?",
        "message": "My heels lift when I squat. Should I move closer?",
        "token": fields.pop("token", None) or form_token(client),
        **fields,
    }
    response = client.post("/contact/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Question.objects.get(subject=data["subject"])


def _requeue() -> str:
    out = io.StringIO()
    call_command("requeue_emails", stdout=out)
    return out.getvalue()


def _later(minutes):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=False)


@pytest.mark.usefixtures("database_tasks", "clear_cache")
def test_a_members_question_is_stored_then_sent_by_the_worker(client, member, trainer):
    put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    client.force_login(member)

    question = _ask(client)

    # Stored in the request; nothing sent until the worker runs.
    assert question.trainer == trainer
    assert question.to_email == "makana@example.com"
    assert mail.outbox == []
    assert set(question.deliveries.values_list("state", flat=True)) == {"queued"}

    run_worker()

    to_trainer, receipt = sorted(mail.outbox, key=lambda m: m.to != ["makana@example.com"])
    assert to_trainer.to == ["makana@example.com"]
    assert to_trainer.reply_to == ["Alex Rivera <alex@example.com>"]
    assert to_trainer.subject == "Question from Alex Rivera: How far from the wall?"
    assert "My heels lift when I squat" in to_trainer.body
    assert "Reversing Foot, Ankle, and Knee Pain, week 1 of 4" in to_trainer.body
    assert f"/trainer/questions/{question.pk}/" in to_trainer.body
    # The receipt says who answers, and never repeats what was typed.
    assert receipt.to == ["alex@example.com"]
    assert receipt.subject == "Makana has your question"
    assert "heels" not in receipt.body and "wall" not in receipt.body
    assert "heels" not in receipt.alternatives[0].content
    assert set(question.deliveries.values_list("state", flat=True)) == {"sent"}

    run_worker()
    assert len(mail.outbox) == 2


@pytest.mark.usefixtures("database_tasks", "clear_cache")
def test_a_visitors_question_goes_to_the_clubs_address(client, settings):
    settings.CLUB_CONTACT_EMAIL = "desk@club.example.com"

    question = _ask(client, name="Robin Park", email="robin@example.net")
    run_worker()

    assert question.member is None and question.trainer is None
    (to_club,) = [m for m in mail.outbox if m.to == ["desk@club.example.com"]]
    assert to_club.reply_to == ["Robin Park <robin@example.net>"]
    assert "a visitor who was not signed in" in to_club.body
    (receipt,) = [m for m in mail.outbox if m.to == ["robin@example.net"]]
    assert receipt.subject == "The club has your question"
    assert "Robin" not in receipt.body and "heels" not in receipt.body


@pytest.mark.usefixtures("database_tasks", "clear_cache")
def test_mail_down_keeps_the_question_retries_then_fails_then_sends_once(
    client, member, trainer, settings
):
    put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    client.force_login(member)
    settings.MAILERS = DOWN

    question = _ask(client)
    run_worker()

    to_trainer = question.deliveries.get(kind="question")
    assert to_trainer.state == "queued"
    assert to_trainer.attempts == 1
    assert "SMTPConnectError" in to_trainer.last_error
    # The retry waits: running the worker again at once sends nothing new.
    run_worker()
    to_trainer.refresh_from_db()
    assert to_trainer.attempts == 1

    # Each retry after its backoff: 1, 5, 30 and 120 minutes.
    minutes = 0
    for delay in outbox.RETRY_DELAYS:
        minutes += delay.total_seconds() / 60 + 1
        with _later(minutes):
            run_worker()
    to_trainer.refresh_from_db()
    assert to_trainer.attempts == outbox.MAX_ATTEMPTS
    assert to_trainer.state == "failed"
    assert Question.objects.filter(pk=question.pk).exists()
    assert mail.outbox == []

    # The mail server is back: the command queues them again, the worker sends once.
    settings.MAILERS = LOCMEM
    with _later(minutes):
        assert _requeue().startswith("Queued again: 2 failed, 0 stalled")
        run_worker()
        assert _requeue().startswith("Queued again: 0 failed, 0 stalled")
        run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["alex@example.com", "makana@example.com"]
    assert set(question.deliveries.values_list("state", flat=True)) == {"sent"}


@pytest.mark.usefixtures("database_tasks", "clear_cache")
def test_each_recipient_is_tracked_so_a_retry_does_not_resend_the_copy_that_went(
    client, member, trainer, settings
):
    put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    client.force_login(member)
    settings.MAILERS = REFUSING  # The member's address bounces for now.

    question = _ask(client)
    run_worker()

    assert [m.to for m in mail.outbox] == [["makana@example.com"]]
    states = dict(question.deliveries.values_list("kind", "state"))
    assert states == {"question": "sent", "question_receipt": "queued"}

    settings.MAILERS = LOCMEM
    with _later(2):
        run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["alex@example.com", "makana@example.com"]


@pytest.mark.usefixtures("database_tasks", "clear_cache")
def test_with_the_worker_stopped_nothing_is_lost_and_a_lost_task_is_picked_up(
    client, member, trainer
):
    put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    client.force_login(member)
    question = _ask(client)
    # The task rows are gone (a wiped queue); the emails wait in the outbox.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    run_worker()
    assert mail.outbox == []

    with _later(outbox.STALLED_AFTER.total_seconds() / 60 + 1):
        assert _requeue().startswith("Queued again: 0 failed, 2 stalled")
        run_worker()
    assert len(mail.outbox) == 2
    assert set(question.deliveries.values_list("state", flat=True)) == {"sent"}


@pytest.mark.usefixtures("database_tasks", "clear_cache")
def test_an_answer_goes_through_the_same_path_once(client, member, trainer):
    from django.test import Client

    put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    client.force_login(member)
    question = _ask(client)
    run_worker()
    mail.outbox.clear()

    coach = Client()
    coach.force_login(trainer)
    url = f"/trainer/questions/{question.pk}/answer/"
    answer = {"answer-text": "Move 2 inches closer and keep your heels down."}
    assert coach.post(url, answer).status_code == 302
    assert coach.post(url, answer).status_code == 302  # A retried post.
    run_worker()

    (sent,) = mail.outbox
    assert sent.to == ["alex@example.com"]
    assert sent.subject == "Re: How far from the wall?"
    assert sent.reply_to == ["Makana <makana@example.com>"]
    assert "Move 2 inches closer" in sent.body
    assert (
        EmailDelivery.objects.filter(question=question, kind="answer", state="sent").count() == 1
    )
