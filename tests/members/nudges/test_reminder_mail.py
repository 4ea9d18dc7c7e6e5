"""What a session-morning reminder says, how it is delivered through the outbox
(by the worker, in process here) when the mail server fails, the admin's list
of reminders, and what a run costs."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from members.mail.outbox import MAX_ATTEMPTS
from members.models import Assignment, EmailDelivery
from members.nudges import services as nudges
from tests.factories import UserFactory
from tests.members.logger_helpers import finished_workout
from tests.members.nudges.reminders import SPRING_MONDAY, at, block, reminders_to, run_scheduler
from tests.members.outcomes.helpers import baseline

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("digest_on_saturdays")]

SITE = settings.SITE_URL


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
    # Before 7:00 nothing is due: the run works out the dashboard's standings
    # of the new blocks (the standings not worked out, the review's reads,
    # the questions short of a day, the standings stored under their lock)
    # and forgets old action keys (one delete).
    with at(SPRING_MONDAY, 6, 55), django_assert_num_queries(14):
        run_scheduler()
    with at(SPRING_MONDAY, 7, 0):
        run_scheduler()
    assert len(mail.outbox) == size
    # Every later run that morning: today's sessions, which are queued already,
    # the standings (none out of date) and the old action keys.
    with at(SPRING_MONDAY, 7, 5), django_assert_num_queries(4):
        run_scheduler()


def test_the_reminder_says_when_a_check_in_is_open(member, trainer):
    """Before the first session the baseline is open: the reminder says so,
    with a link; once it is done, the next morning's says nothing of it."""
    block(member, trainer, SPRING_MONDAY)
    with at(SPRING_MONDAY, 7, 0):
        run_scheduler()
    (first,) = mail.outbox
    line = "Check-in before you start: under a minute, before or after the session"
    assert line in first.body
    assert f"{SITE}/me/check-in/" in first.body
    assert f'href="{SITE}/me/check-in/"' in first.alternatives[0].content

    baseline(Assignment.objects.get(member=member), on=SPRING_MONDAY)
    mail.outbox.clear()
    with at(SPRING_MONDAY + dt.timedelta(days=3), 7, 0):
        run_scheduler()
    (second,) = mail.outbox
    assert "Check-in" not in second.body
