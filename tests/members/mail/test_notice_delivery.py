"""Pain alerts, a trainer's reply to pain and a trainer's notes go through the
outbox: stored with the flag or note, retried while the mail server is down,
and sent exactly once when it is back."""

import datetime as dt

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.core import mail
from django.test import Client, RequestFactory
from django.utils import timezone

from members.logbook.sets import report_pain
from members.logbook.workouts import record_pain_before, start_workout
from members.models import EmailDelivery, PainFlag, TrainerNote
from tests.members.logger_helpers import started_workout, step
from tests.members.worker import database_tasks, run_worker  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("database_tasks")]

DOWN = {"default": {"BACKEND": "tests.mail_backends.DownBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def _later(minutes):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=False)


def _report_pain_resolve_and_note(member, trainer):
    """What a member and their trainer do: pain on the calf raise, the trainer's
    reply to it and a note on the block, through the pages."""
    workout = started_workout(member, trainer)
    calf = step(workout, "Calf raise")["id"]
    report_pain(workout=workout, step_id=calf, level=4, note="Left heel")
    flag = PainFlag.objects.get()
    coach = Client()
    coach.force_login(trainer)
    resolved = coach.post(f"/trainer/pain/{flag.pk}/resolve/", {"note": "Rest two days."})
    assert resolved.status_code == 302
    noted = coach.post(
        f"/trainer/blocks/{workout.planned_session.assignment_id}/notes/",
        {"note-text": "Good work on the wall."},
    )
    assert noted.status_code == 302
    return flag, TrainerNote.objects.get()


def test_each_is_stored_with_what_it_is_about_and_sent_once_by_the_worker(member, trainer):
    flag, note = _report_pain_resolve_and_note(member, trainer)

    deliveries = {d.kind: d for d in EmailDelivery.objects.all()}
    assert set(deliveries) == {"pain_alert", "pain_resolved", "trainer_note"}
    assert {d.state for d in deliveries.values()} == {"queued"}
    assert mail.outbox == []  # Nothing goes until the worker runs.
    alert = deliveries["pain_alert"]
    assert (alert.to_email, alert.recipient, alert.pain_flag) == (trainer.email, trainer, flag)
    assert deliveries["pain_resolved"].to_email == member.email
    assert deliveries["trainer_note"].trainer_note == note

    run_worker()
    run_worker()

    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects == [
        ("alex@example.com", "Makana about the pain you reported"),
        ("alex@example.com", "Makana on your block"),
        ("makana@example.com", "Pain reported: Alex Rivera, 4/10 on Calf raise"),
    ]
    flag.refresh_from_db()
    note.refresh_from_db()
    # The pages say "emailed" from these.
    assert flag.alert_sent_at and flag.resolution_sent_at and note.sent_at


def test_mail_down_keeps_them_retries_and_sends_each_once_when_it_is_back(
    member, trainer, settings
):
    settings.MAILERS = DOWN
    flag, _ = _report_pain_resolve_and_note(member, trainer)
    run_worker()

    assert set(EmailDelivery.objects.values_list("state", "attempts")) == {("queued", 1)}
    assert "SMTPConnectError" in EmailDelivery.objects.first().last_error
    flag.refresh_from_db()
    assert flag.alert_sent_at is None

    settings.MAILERS = LOCMEM
    with _later(2):  # after the first retry's wait
        run_worker()
        run_worker()
    assert len(mail.outbox) == 3
    assert set(EmailDelivery.objects.values_list("state", "attempts")) == {("sent", 2)}
    with _later(200):
        run_worker()
    assert len(mail.outbox) == 3


def test_a_retried_report_queues_no_second_alert(member, trainer):
    workout = started_workout(member, trainer)
    calf = step(workout, "Calf raise")["id"]
    report_pain(workout=workout, step_id=calf, level=4)
    report_pain(workout=workout, step_id=calf, level=4)
    run_worker()
    assert EmailDelivery.objects.filter(kind="pain_alert").count() == 1
    assert len(mail.outbox) == 1


def test_pain_before_starting_with_no_trainer_goes_to_the_club(member, trainer, settings):
    from members.models import Profile

    workout = started_workout(member, trainer)
    Profile.objects.filter(user=member).update(trainer=None)
    workout.delete()
    fresh = start_workout(member=member)
    record_pain_before(workout=fresh, level=2, note="Knee")
    run_worker()
    (alert,) = mail.outbox
    assert alert.to == [settings.CLUB_CONTACT_EMAIL]
    assert EmailDelivery.objects.get().recipient is None


def test_the_admins_email_list_shows_a_trainer_their_members_notices_only(
    member, trainer, other_trainer
):
    _report_pain_resolve_and_note(member, trainer)
    admin = site._registry[EmailDelivery]
    request = RequestFactory().get("/admin/members/emaildelivery/")

    request.user = trainer
    mine = admin.get_queryset(request)
    assert sorted(mine.values_list("kind", flat=True)) == [
        "pain_alert",
        "pain_resolved",
        "trainer_note",
    ]
    assert {admin.about(d) for d in mine} == {"Pain 4/10", "Good work on the wall."}
    request.user = other_trainer
    assert not admin.get_queryset(request).exists()
