"""The trainers' weekly digest: the dashboard's reasons and the blocks ending,
sent on its day once, and not to those who turned it off."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from members.models import Assignment, EmailDelivery, Profile
from members.nudges import services as nudges
from tests.factories import TrainerFactory, UserFactory, put_on_block
from tests.members.logger_helpers import finished_workout
from tests.members.nudges.reminders import at, run_scheduler
from tests.members.outcomes.helpers import baseline

pytestmark = pytest.mark.django_db

SITE = settings.SITE_URL


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
        block = put_on_block(fine, trainer=trainer, start_date=start, weekdays=(0, 3), weeks=4)
        baseline(block)  # checked in before the first session, as asked
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
