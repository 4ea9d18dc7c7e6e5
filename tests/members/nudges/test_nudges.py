"""Session-morning reminders and the trainers' weekly digest: due on the club's
clock, queued once by `manage.py send_nudges` however often it runs, and
sent through the outbox by the worker (in process here)."""

import datetime as dt
import io

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from members.blocks.steering import pause_block, resume_block
from members.logbook.workouts import start_workout
from members.models import Assignment, EmailDelivery, Profile
from members.nudges import services as nudges
from tests.factories import TrainerFactory, UserFactory, put_on_block
from tests.members.logger_helpers import CLUB, finished_workout

pytestmark = pytest.mark.django_db

UTC = dt.UTC
SITE = settings.SITE_URL
# Monday, March 2, 2026: Pacific Standard Time (UTC-8). Daylight-saving time
# starts on Sunday, March 8 (UTC-7) and ends on Sunday, November 1.
SPRING_MONDAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def digest_on_saturdays(settings):
    """Keep the weekly digest out of the reminders' way; its tests set its day."""
    settings.DIGEST_DAY = "saturday"


def at(day: dt.date, hour: int, minute: int = 0, tz=CLUB):
    """Freeze the clock at a wall-clock time in ``tz`` (the club's by default)."""
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz), tick=False
    )


def run_scheduler() -> str:
    out = io.StringIO()
    call_command("send_nudges", stdout=out)
    return out.getvalue()


def reminders_to(member) -> list:
    return [m for m in mail.outbox if m.to == [member.email]]


def block(member, trainer, start, weekdays=(0, 3), weeks=2):
    with at(start - dt.timedelta(days=1), 12):
        return put_on_block(
            member, trainer=trainer, start_date=start, weekdays=weekdays, weeks=weeks
        )


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


# What it says -------------------------------------------------------------------


def test_the_reminder_has_last_times_knobs_a_start_link_and_an_unsubscribe_link(member, trainer):
    assignment = block(member, trainer, SPRING_MONDAY)
    first = assignment.planned_sessions.get(number=1)
    with at(SPRING_MONDAY, 18, 0):
        finished_workout(member, first, wall=14)
    thursday = SPRING_MONDAY + dt.timedelta(days=3)

    with at(thursday, 7, 0):
        run_scheduler()

    (reminder,) = mail.outbox
    html = reminder.alternatives[0].content
    assert "Last time (Monday, March 2):" in reminder.body
    assert "- Tibialis raise: feet distance from wall 14 in" in reminder.body
    assert "feet distance from wall <strong>14 in</strong>" in html
    assert f"Open today's session: {SITE}/me/" in reminder.body
    assert f'href="{SITE}/me/"' in html
    token = nudges.unsubscribe_token(member)
    off = f"{SITE}/reminders/{token}/off/"
    assert off in reminder.body and f'href="{off}"' in html
    assert reminder.extra_headers["List-Unsubscribe"] == f"<{off}>"
    assert reminder.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert reminder.reply_to == ["Makana <makana@example.com>"]


def test_names_are_escaped_in_html_and_verbatim_in_text(trainer):
    member = UserFactory(display_name='<b>Dee</b> & "Co"')
    block(member, trainer, SPRING_MONDAY)
    with at(SPRING_MONDAY, 7, 0):
        run_scheduler()
    (reminder,) = mail.outbox
    assert 'Good morning <b>Dee</b> & "Co",' in reminder.body
    html = reminder.alternatives[0].content
    assert "&lt;b&gt;Dee&lt;/b&gt; &amp; &quot;Co&quot;" in html
    assert "<b>Dee</b>" not in html


# Delivery -------------------------------------------------------------------------

DOWN = {"default": {"BACKEND": "tests.mail_backends.DownBackend"}}


def test_a_failing_mail_server_leaves_the_reminder_retried_then_failed(member, trainer, settings):
    from members.mail.outbox import MAX_ATTEMPTS

    block(member, trainer, SPRING_MONDAY)
    settings.MAILERS = DOWN
    with at(SPRING_MONDAY, 7, 0):
        run_scheduler()
    delivery = EmailDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("queued", 1)
    assert "SMTPConnectError" in delivery.last_error

    # The in-process backend cannot defer: requeue_emails plays the worker's
    # later tries, until the last one marks it failed.
    for minute in range(2, 2 + MAX_ATTEMPTS * 200, 200):
        with at(SPRING_MONDAY, 7, 0) as traveller:
            traveller.shift(dt.timedelta(minutes=minute))
            call_command("requeue_emails", stdout=io.StringIO())
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", MAX_ATTEMPTS)
    assert mail.outbox == []

    # Back up the same morning, the club sends it again: it goes once.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with at(SPRING_MONDAY, 20, 0):
        call_command("requeue_emails", stdout=io.StringIO())
        call_command("requeue_emails", stdout=io.StringIO())
    delivery.refresh_from_db()
    assert delivery.state == "sent"
    assert len(reminders_to(member)) == 1


def test_a_reminder_still_failing_after_midnight_is_not_sent_a_day_late(member, trainer, settings):
    block(member, trainer, SPRING_MONDAY)
    settings.MAILERS = DOWN
    with at(SPRING_MONDAY, 7, 0):
        run_scheduler()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with at(SPRING_MONDAY + dt.timedelta(days=1), 0, 30):
        call_command("requeue_emails", stdout=io.StringIO())
    delivery = EmailDelivery.objects.get()
    assert delivery.state == "skipped"
    assert "passed" in delivery.skipped_because
    assert mail.outbox == []


def test_a_session_done_between_queueing_and_sending_is_not_reminded(member, trainer, settings):
    assignment = block(member, trainer, SPRING_MONDAY)
    settings.MAILERS = DOWN
    with at(SPRING_MONDAY, 7, 0):
        run_scheduler()
    with at(SPRING_MONDAY, 7, 30):
        finished_workout(member, assignment.planned_sessions.get(number=1))
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with at(SPRING_MONDAY, 8, 0):
        call_command("requeue_emails", stdout=io.StringIO())
    delivery = EmailDelivery.objects.get()
    assert (delivery.state, delivery.skipped_because) == (
        "skipped",
        "The member had already started the session.",
    )
    assert mail.outbox == []


# Unsubscribing: tests/members/nudges/test_unsubscribe.py


# The trainers' digest -----------------------------------------------------------------

# A Monday, the digest's default day.
DIGEST_MONDAY = dt.date(2026, 11, 30)


@pytest.fixture
def digest_on_mondays(settings):
    settings.DIGEST_DAY = "monday"


@pytest.mark.usefixtures("digest_on_mondays")
def test_the_digest_lists_the_dashboards_reasons_and_the_blocks_ending(trainer, client):
    start = DIGEST_MONDAY - dt.timedelta(weeks=2)
    missy, hardy, enid, fine = (
        UserFactory(display_name=n) for n in ["Missy", "Hardy", "Enid", "Fine"]
    )
    for person, weeks in ((missy, 4), (hardy, 4), (enid, 3), (fine, 4)):
        with at(start - dt.timedelta(days=1), 12):
            put_on_block(person, trainer=trainer, start_date=start, weekdays=(0, 3), weeks=weeks)
    for person in (hardy, enid, fine):
        for session in Assignment.objects.get(member=person).planned_sessions.filter(
            date__lt=DIGEST_MONDAY
        ):
            with at(session.date, 18):
                finished_workout(
                    person, session, feeling="too_hard" if person == hardy else "about_right"
                )

    with at(DIGEST_MONDAY, 7, 0):
        assert "and 1 digest(s)" in run_scheduler()
        client.force_login(trainer)
        dashboard = client.get(reverse("trainer:dashboard"))

    (digest,) = [m for m in mail.outbox if m.to == [trainer.email]]
    assert digest.subject == "Your week: 2 members need you, 1 block ending"
    # The same members as the dashboard's "Needs you", in its order, with its reasons.
    attention = dashboard.context["attention"]
    assert {r.member for r in attention} == {missy, hardy}
    names = [r.member.display_name for r in attention]
    assert sorted(names, key=lambda name: digest.body.index(f"\n{name},")) == names
    for review in attention:
        for reason in review.reasons:
            assert f"- {reason}\n" in digest.body
    assert "Missed 4 sessions" in digest.body
    assert "“Too hard” on the last two workouts" in digest.body
    ending = digest.body.split("BLOCKS ENDING THIS WEEK (1)")[1]
    assert "Enid: last session Thursday, December 3, 4 of 6 sessions done" in ending
    assert "Fine" not in digest.body
    assert f"{SITE}/trainer/members/{missy.pk}/" in digest.body
    html = digest.alternatives[0].content
    assert "Missed 4 sessions" in html and "Enid" in html


@pytest.mark.usefixtures("digest_on_mondays")
def test_no_digest_when_there_is_nothing_to_say(trainer):
    fine = UserFactory(display_name="Fine")
    start = DIGEST_MONDAY - dt.timedelta(weeks=1)
    with at(start - dt.timedelta(days=1), 12):
        put_on_block(fine, trainer=trainer, start_date=start, weekdays=(0, 3), weeks=4)
    for session in Assignment.objects.get(member=fine).planned_sessions.filter(
        date__lt=DIGEST_MONDAY
    ):
        with at(session.date, 18):
            finished_workout(fine, session)

    with at(DIGEST_MONDAY, 7, 0):
        run_scheduler()

    assert [m for m in mail.outbox if m.to == [trainer.email]] == []
    delivery = EmailDelivery.objects.get(kind="digest")
    assert delivery.state == "skipped"
    assert delivery.skipped_because == "Nobody needed attention and no block ends this week."


@pytest.mark.usefixtures("digest_on_mondays")
def test_the_digest_goes_on_its_day_once_and_not_to_those_who_turned_it_off(
    trainer, other_trainer, member, settings
):
    quiet = TrainerFactory(display_name="Quiet")
    Profile.objects.filter(user=quiet).update(weekly_digest=False)
    for person, coach in (
        (member, trainer),
        (UserFactory(), other_trainer),
        (UserFactory(), quiet),
    ):
        # A block that ends this week: always something to say.
        start = DIGEST_MONDAY - dt.timedelta(weeks=1)
        with at(start - dt.timedelta(days=1), 12):
            put_on_block(person, trainer=coach, start_date=start, weekdays=(0, 3), weeks=2)

    with at(DIGEST_MONDAY - dt.timedelta(days=1), 7, 0):
        run_scheduler()
    with at(DIGEST_MONDAY, 6, 59):
        run_scheduler()
    assert [m for m in mail.outbox if "Your week" in m.subject] == []

    for hour in (7, 9, 13):
        with at(DIGEST_MONDAY, hour, 0):
            run_scheduler()
    with at(DIGEST_MONDAY + dt.timedelta(days=1), 7, 0):
        run_scheduler()

    digests = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Your week"))
    assert digests == sorted([trainer.email, other_trainer.email])
    # Another weekday and hour, from the settings.
    settings.DIGEST_DAY, settings.DIGEST_TIME = "friday", dt.time(16, 30)
    friday = DIGEST_MONDAY + dt.timedelta(days=4)
    with at(friday, 16, 29):
        run_scheduler()
    with at(friday, 16, 30):
        run_scheduler()
    assert len([m for m in mail.outbox if m.subject.startswith("Your week")]) == 4


def test_a_trainer_turns_the_digest_off_in_settings(trainer_client, trainer):
    page = trainer_client.get(reverse("members:settings")).text
    assert "Email me a weekly digest" in page
    assert "Email me on session mornings" not in page
    trainer_client.post(
        reverse("members:settings"),
        {"display_name": "Makana", "weaker_side": "unsure", "units": "imperial"},
    )
    assert Profile.objects.get(user=trainer).weekly_digest is False
    assert trainer not in nudges.digest_recipients()


# The admin ---------------------------------------------------------------------------


def test_the_admin_lists_reminders_with_their_state_for_the_members_trainer(
    member, second_member, trainer, other_trainer, client
):
    block(member, trainer, SPRING_MONDAY)
    block(second_member, other_trainer, SPRING_MONDAY)
    with at(SPRING_MONDAY, 7, 0):
        run_scheduler()

    client.force_login(trainer)
    page = client.get("/admin/members/emaildelivery/?kind__exact=reminder").text
    assert "alex@example.com" in page
    assert "Session 1 on Mon Mar 2" in page
    assert "jordan@example.com" not in page
    delivery = EmailDelivery.objects.get(to_email=member.email)
    detail = client.get(f"/admin/members/emaildelivery/{delivery.pk}/change/")
    assert detail.status_code == 200
    assert "Sent" in detail.text
    other = EmailDelivery.objects.get(to_email=second_member.email)
    assert client.get(f"/admin/members/emaildelivery/{other.pk}/change/").status_code == 302


# Cost ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 12])
def test_a_run_costs_the_same_queries_however_many_members(
    trainer, size, django_assert_num_queries
):
    for _ in range(size):
        block(UserFactory(), trainer, SPRING_MONDAY)
    # Before 7:00 nothing is due: the run only forgets old action keys (one delete).
    with at(SPRING_MONDAY, 6, 55), django_assert_num_queries(1):
        run_scheduler()
    with at(SPRING_MONDAY, 7, 0):
        run_scheduler()
    assert len(mail.outbox) == size
    # Every later run that morning: today's sessions, which are queued already,
    # and the old action keys.
    with at(SPRING_MONDAY, 7, 5), django_assert_num_queries(3):
        run_scheduler()
