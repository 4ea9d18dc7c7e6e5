"""The scheduler as production runs it: `send_nudges` every five minutes,
sometimes twice at once, with the django-tasks-db worker sending."""

import datetime as dt
import io
import threading
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction
from django_tasks_db.models import DBTaskResult

from members.blocks.steering import pause_block
from members.models import Assignment, EmailDelivery, Profile
from tests.factories import TrainerFactory, UserFactory, put_on_block
from tests.members.logger_helpers import CLUB, finished_workout
from tests.members.worker import database_tasks, run_worker  # noqa: F401

MONDAY = dt.date(2026, 11, 30)


def _at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


def _send_nudges() -> None:
    call_command("send_nudges", stdout=io.StringIO())


def _class_of(size: int, trainer, *, start=MONDAY, weeks=2, **fields) -> list:
    members = [UserFactory(**fields) for _ in range(size)]
    with _at(dt.datetime.combine(start - dt.timedelta(days=1), dt.time(12), tzinfo=CLUB)):
        for person in members:
            put_on_block(person, trainer=trainer, start_date=start, weekdays=(0, 3), weeks=weeks)
    return members


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Row locks and concurrent writers need PostgreSQL."
)
def test_two_overlapping_runs_send_one_email_per_reminder(trainer, settings):
    """The first run holds its transaction open until the second is blocked on
    the same reminders' unique keys, so the two really do collide."""
    settings.DIGEST_DAY = "sunday"
    members = _class_of(12, trainer)
    seven = dt.datetime.combine(MONDAY, dt.time(7, 1), tzinfo=CLUB)
    errors = []
    written = threading.Event()

    def first_run():
        try:
            with _at(seven), transaction.atomic():
                _send_nudges()
                written.set()
                _wait_for_a_blocked_writer()
        except Exception as error:  # Reported by the test below.
            errors.append(error)
        finally:
            connections.close_all()

    def second_run():
        try:
            with _at(seven):
                _send_nudges()
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=first_run)
    second = threading.Thread(target=second_run)
    first.start()
    assert written.wait(30), "The first run never wrote its reminders."
    second.start()
    first.join(30)
    second.join(30)
    assert not errors, errors

    assert EmailDelivery.objects.count() == len(members)
    assert DBTaskResult.objects.count() == len(members)
    with _at(seven):
        run_worker()
    assert Counter(m.to[0] for m in mail.outbox) == {m.email: 1 for m in members}
    assert set(EmailDelivery.objects.values_list("state", flat=True)) == {"sent"}


def _wait_for_a_blocked_writer(timeout: float = 20) -> None:
    """Keep the transaction open until another session waits on one of its rows."""
    deadline = dt.datetime.now(dt.UTC).timestamp() + timeout
    with connection.cursor() as cursor:
        while dt.datetime.now(dt.UTC).timestamp() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            cursor.execute("SELECT pg_sleep(0.05)")
    raise AssertionError("The second run never reached the first run's reminders.")


@pytest.mark.django_db
def test_a_simulated_week_of_five_minute_runs(trainer, other_trainer, settings, capsys):
    """Every five minutes from Sunday night to the next Sunday night, across
    a club in every state: each member gets exactly their planned reminders,
    each trainer with something to say one digest."""
    settings.DIGEST_DAY = "monday"
    makana, kai = trainer, other_trainer
    last_monday = MONDAY - dt.timedelta(weeks=1)
    # Monday and Thursday, from this Monday: 2 each.
    on_time = _class_of(3, makana)
    # Tuesday and Friday, Kai's: 2.
    tuesday_friday = UserFactory(display_name="Tue Fri")
    with _at(dt.datetime.combine(MONDAY - dt.timedelta(days=1), dt.time(12), tzinfo=CLUB)):
        put_on_block(tuesday_friday, trainer=kai, start_date=MONDAY, weekdays=(1, 4), weeks=2)
    # Makana's, ending on Thursday: 2, and a block in Makana's digest.
    (ending,) = _class_of(1, makana, start=last_monday, display_name="Ending")
    for session in Assignment.objects.get(member=ending).planned_sessions.filter(date__lt=MONDAY):
        with _at(dt.datetime.combine(session.date, dt.time(18), tzinfo=CLUB)):
            finished_workout(ending, session)
    # Kai's, who missed both sessions last week: 2, and in Kai's digest.
    (missed,) = _class_of(1, kai, start=last_monday, weeks=4, display_name="Missed")
    # Does Thursday's session at 6:00, before the reminder: 1.
    (early_bird,) = _class_of(1, makana, display_name="Early")
    # Turned reminders off: 0.
    (opted_out,) = _class_of(1, makana, display_name="Off")
    Profile.objects.filter(user=opted_out).update(session_reminders=False)
    # Paused on Wednesday: Monday's only.
    (paused,) = _class_of(1, kai, display_name="Paused")
    # A trainer with nobody on a block: nothing to say, no digest.
    quiet = TrainerFactory(display_name="Quiet")

    expected = {m.email: 2 for m in [*on_time, tuesday_friday, ending, missed]}
    expected |= {early_bird.email: 1, opted_out.email: 0, paused.email: 1}

    start = dt.datetime.combine(MONDAY - dt.timedelta(days=1), dt.time(22), tzinfo=CLUB)
    wednesday_noon = dt.datetime.combine(MONDAY + dt.timedelta(days=2), dt.time(12), tzinfo=CLUB)
    thursday_six = dt.datetime.combine(MONDAY + dt.timedelta(days=3), dt.time(6), tzinfo=CLUB)
    runs = 0
    moment = start
    while moment < start + dt.timedelta(days=7):
        with _at(moment):
            if moment == wednesday_noon:
                pause_block(assignment=Assignment.objects.get(member=paused))
            if moment == thursday_six:
                session = Assignment.objects.get(member=early_bird).planned_sessions.get(
                    date=thursday_six.date()
                )
                finished_workout(early_bird, session)
            _send_nudges()
        runs += 1
        moment += dt.timedelta(minutes=5)

    reminders = Counter(m.to[0] for m in mail.outbox if m.subject.startswith("Today: session"))
    digests = Counter(m.to[0] for m in mail.outbox if m.subject.startswith("Your week"))
    got = {email: reminders.get(email, 0) for email in expected}
    assert got == expected
    assert sum(reminders.values()) == sum(expected.values())
    assert digests == {makana.email: 1, kai.email: 1}
    quiet_digest = EmailDelivery.objects.get(kind="digest", recipient=quiet)
    assert quiet_digest.state == "skipped"
    assert len(mail.outbox) == sum(expected.values()) + 2

    with capsys.disabled():
        print(
            f"\n{runs} runs of send_nudges, 5 minutes apart, "
            f"{start:%a %b %-d %H:%M} to {moment:%a %b %-d %H:%M} club time: "
            f"{sum(reminders.values())} reminders (planned {sum(expected.values())}), "
            f"{sum(digests.values())} digests, 1 digest with nothing to say not sent"
        )
        for email, count in sorted(got.items()):
            print(f"  {email}: {count} reminder(s), expected {expected[email]}")
        for email, count in sorted(digests.items()):
            print(f"  {email}: {count} digest(s)")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks")
def test_the_worker_sends_what_the_scheduler_queued(trainer, settings):
    """Queued by the command, sent by the django-tasks-db worker through
    Django's mail API, on any database."""
    settings.DIGEST_DAY = "monday"
    members = _class_of(3, trainer, start=MONDAY - dt.timedelta(weeks=1))
    with _at(dt.datetime.combine(MONDAY, dt.time(7, 2), tzinfo=CLUB)):
        _send_nudges()
        assert mail.outbox == []
        assert set(EmailDelivery.objects.values_list("state", flat=True)) == {"queued"}
        run_worker()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [trainer.email, *(m.email for m in members)]
    )
    assert set(EmailDelivery.objects.values_list("state", flat=True)) == {"sent"}
    (digest,) = [m for m in mail.outbox if m.to == [trainer.email]]
    assert digest.subject == "Your week: 3 members need you, 3 blocks ending"
