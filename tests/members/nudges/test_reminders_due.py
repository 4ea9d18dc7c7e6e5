"""When a session-morning reminder is due, on the club's clock (daylight-saving
changes included), and who gets one: queued once by `manage.py send_nudges`
however often it runs."""

import datetime as dt

import pytest
from django.core import mail

from members.blocks.steering import pause_block, resume_block
from members.logbook.workouts import start_workout
from members.models import Assignment, EmailDelivery, Profile
from tests.factories import TrainerFactory, UserFactory
from tests.members.logger_helpers import finished_workout
from tests.members.nudges.reminders import SPRING_MONDAY, at, block, reminders_to, run_scheduler

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("digest_on_saturdays")]

UTC = dt.UTC


# When a reminder is due ------------------------------------------------------


def test_a_reminder_goes_at_seven_on_the_club_clock_on_the_sessions_morning(member, trainer):
    block(member, trainer, SPRING_MONDAY)

    with at(SPRING_MONDAY, 6, 55):
        run_scheduler()
    assert mail.outbox == []

    with at(SPRING_MONDAY, 7, 0):
        assert run_scheduler() == "Queued 1 reminder(s) and 0 digest(s).\n"
    (reminder,) = reminders_to(member)
    assert reminder.subject == "Today: session 1 of 4, Reversing Foot, Ankle, and Knee Pain"
    assert "Today is session 1 of 4 of Reversing Foot, Ankle, and Knee Pain, with Makana" in (
        reminder.body
    )

    # Every later run that day finds it queued already.
    for minute in (5, 10, 15):
        with at(SPRING_MONDAY, 7, minute):
            assert run_scheduler() == ""
    assert len(reminders_to(member)) == 1
    delivery = EmailDelivery.objects.get()
    assert (delivery.kind, delivery.state, delivery.recipient) == ("reminder", "sent", member)


def test_after_a_hand_over_mid_block_the_reminder_names_the_new_trainer(member, trainer):
    """The block was assigned by Makana; Kai trains Alex now. Replies reach Kai."""
    block(member, trainer, SPRING_MONDAY)
    kai = TrainerFactory(email="kai@example.com", display_name="Kai")
    Profile.objects.filter(user=member).update(trainer=kai)

    with at(SPRING_MONDAY, 7, 0):
        run_scheduler()
    (reminder,) = reminders_to(member)
    assert "with Kai" in reminder.body
    assert "Makana" not in reminder.body
    assert reminder.reply_to == ["Kai <kai@example.com>"]


@pytest.mark.parametrize(
    ("day", "utc_hour_of_seven"),
    [
        (dt.date(2026, 3, 5), 15),  # Thursday before the spring change: UTC-8
        (dt.date(2026, 3, 9), 14),  # Monday after it: UTC-7
        (dt.date(2026, 10, 29), 14),  # Thursday before the autumn change: UTC-7
        (dt.date(2026, 11, 2), 15),  # Monday after it: UTC-8
    ],
)
def test_seven_oclock_follows_daylight_saving_time(member, trainer, day, utc_hour_of_seven):
    monday = day - dt.timedelta(days=day.weekday())
    block(member, trainer, monday)

    # An hour before seven on the club's clock, in UTC: whichever side of a
    # change, nothing yet; at seven, the reminder.
    with at(day, utc_hour_of_seven - 1, 59, tz=UTC):
        run_scheduler()
    assert mail.outbox == []
    with at(day, utc_hour_of_seven, 0, tz=UTC):
        run_scheduler()
    (reminder,) = reminders_to(member)
    session = Assignment.objects.get().planned_sessions.get(date=day)
    assert f"Today is session {session.number} of 4" in reminder.body


def test_at_half_past_eleven_at_night_tomorrows_session_is_not_due(member, trainer):
    """23:30 in Los Angeles is already tomorrow in UTC: the club's date decides."""
    block(member, trainer, SPRING_MONDAY)
    sunday = SPRING_MONDAY - dt.timedelta(days=1)
    with at(sunday, 23, 30):
        run_scheduler()
    assert mail.outbox == []
    assert not EmailDelivery.objects.exists()


def test_a_late_run_sends_todays_reminder_and_never_yesterdays(member, trainer):
    # Sessions on Monday and Tuesday; the scheduler was down all of Monday.
    block(member, trainer, SPRING_MONDAY, weekdays=(0, 1))
    tuesday = SPRING_MONDAY + dt.timedelta(days=1)

    with at(tuesday, 9, 0):
        run_scheduler()
    with at(tuesday, 9, 5):
        run_scheduler()

    (reminder,) = reminders_to(member)
    assert "Today is session 2 of 4" in reminder.body
    assert EmailDelivery.objects.get().planned_session.date == tuesday


# Who gets one ------------------------------------------------------------------


def test_nobody_on_a_paused_ended_or_completed_block(member, trainer):
    members = {
        status: UserFactory(display_name=status.title())
        for status in ["active", "paused", "ended_early", "completed"]
    }
    for person in members.values():
        block(person, trainer, SPRING_MONDAY)
    with at(SPRING_MONDAY, 6, 0):
        pause_block(assignment=Assignment.objects.get(member=members["paused"]))
    Assignment.objects.filter(member=members["ended_early"]).update(status="ended_early")
    Assignment.objects.filter(member=members["completed"]).update(status="completed")

    with at(SPRING_MONDAY, 7, 30):
        run_scheduler()

    assert [m.to for m in mail.outbox] == [[members["active"].email]]


def test_nobody_whose_session_is_done_or_started(member, second_member, trainer):
    early_bird = UserFactory(display_name="Early Bird")
    for person in (member, second_member, early_bird):
        block(person, trainer, SPRING_MONDAY)
    with at(SPRING_MONDAY, 6, 0):
        # Done before seven, and one started but not finished.
        session = Assignment.objects.get(member=early_bird).planned_sessions.first()
        finished_workout(early_bird, session)
        start_workout(member=second_member, today=SPRING_MONDAY)

    with at(SPRING_MONDAY, 7, 0):
        run_scheduler()

    assert [m.to for m in mail.outbox] == [[member.email]]


def test_nobody_who_turned_reminders_off_or_whose_account_is_inactive(
    member, second_member, trainer
):
    gone = UserFactory(display_name="Gone")
    for person in (member, second_member, gone):
        block(person, trainer, SPRING_MONDAY)
    Profile.objects.filter(user=second_member).update(session_reminders=False)
    gone.is_active = False
    gone.save()

    with at(SPRING_MONDAY, 7, 0):
        run_scheduler()

    assert [m.to for m in mail.outbox] == [[member.email]]


def test_a_block_resumed_on_new_days_gets_reminders_on_the_new_days(member, trainer):
    assignment = block(member, trainer, SPRING_MONDAY, weeks=2)
    with at(SPRING_MONDAY, 7, 0):
        run_scheduler()
    with at(SPRING_MONDAY, 8, 0):
        pause_block(assignment=assignment)
    resumed = SPRING_MONDAY + dt.timedelta(days=7)
    with at(resumed, 6, 0):
        resume_block(assignment=assignment, on=resumed, weekdays=[0, 3])
    with at(resumed, 7, 0):
        run_scheduler()

    first, second = reminders_to(member)
    assert "session 1 of 4" in first.body and "session 1 of 4" in second.body
    assert EmailDelivery.objects.count() == 2
