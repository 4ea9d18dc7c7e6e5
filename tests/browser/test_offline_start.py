"""Starting a session with no signal: after one visit to Today with signal,
the phone keeps the next session's page before it starts, and Start opens
it offline on the pain check, the session ready behind it."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.logbook.workouts import accept_zero_pain_rule
from members.models import SetLog, Workout
from routines.seed import seed_ground_up_routine
from tests.browser.conftest import sign_in
from tests.browser.test_offline_app import visit_today_online, wait_until_kept
from tests.factories import put_on_block


@pytest.fixture
def next_session(member, trainer):
    """Alex on the routine since Monday, this week's first session not started."""
    seed_ground_up_routine()
    today = timezone.localdate()
    block = put_on_block(
        member, trainer=trainer, start_date=today - dt.timedelta(days=today.weekday())
    )
    accept_zero_pain_rule(member=member)
    return block.progress(today).next_session


def start_offline(page, site, next_session) -> str:
    """Alex opens Today with signal (the phone keeps what it names), loses the
    signal and taps Start. Returns the session's page before it starts."""
    planned = f"/me/sessions/planned/{next_session.pk}/"
    sign_in(page, site, next_session.assignment.member.email)
    visit_today_online(page, site)
    wait_until_kept(page, "/me/", planned)
    page.context.set_offline(True)
    page.goto(site + "/me/")
    page.get_by_role("button", name=re.compile(r"^Start session")).click()
    return planned


@pytest.mark.django_db(transaction=True)
def test_start_with_no_signal_opens_the_session_on_its_pain_check(
    watched_page, site, next_session, member
):
    page = watched_page
    planned = start_offline(page, site, next_session)

    expect(page).to_have_url(site + planned)
    expect(page.get_by_role("group", name="Any pain right now?")).to_be_visible()
    expect(page.get_by_role("button", name="Start the session")).to_be_visible()
    # The session is on the page, behind the pain check, for the phone to go on to.
    expect(page.locator(".session-body")).to_be_hidden()
    assert page.locator(".session-body .set-row").count() > 0
    # The logger's script runs from the kept shell (it shows each timer).
    assert page.locator(".session-body .timer:not([hidden])").count() > 0
    assert not Workout.objects.exists()  # nothing reached the club yet

    # With signal again, the same page starts the session.
    page.context.set_offline(False)
    page.get_by_role("radio", name="None").click()
    page.get_by_role("button", name="Start the session").click()
    expect(page).to_have_url(re.compile(r"/me/sessions/\d+/$"))
    (workout,) = Workout.objects.all()
    expect(page).to_have_url(f"{site}/me/sessions/{workout.pk}/")
    assert workout.planned_session == next_session and workout.pain_before == 0
    expect(page.locator(".set-row").first).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_a_session_started_and_logged_with_no_signal_arrives_once_the_signal_returns(
    watched_page, site, next_session, member
):
    page = watched_page
    start_offline(page, site, next_session)
    page.get_by_role("radio", name="None").click()
    page.get_by_role("button", name="Start the session").click()
    # The session, from the page the phone kept: the start waits to be sent.
    expect(page.locator(".session-body")).to_be_visible()
    expect(page.get_by_role("group", name="Any pain right now?")).to_be_hidden()
    expect(page.locator("#outbox-badge")).to_have_text("1 waiting")
    walking = page.locator(".set-row", has=page.locator("[data-timer]")).first
    row = page.locator(".set-row:not(:has([data-timer]))").first
    row.locator(".log-button").click()
    expect(row).to_contain_text("Saved on this phone")
    expect(page.locator("#outbox-badge")).to_have_text("2 waiting")

    # Reloaded with no signal: the kept page, the started session and the set.
    page.reload()
    expect(page.locator(".session-body")).to_be_visible()
    expect(page.locator(".set-row:not(:has([data-timer]))").first).to_contain_text(
        "Saved on this phone"
    )
    expect(walking).to_be_visible()
    assert not Workout.objects.exists()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    # Sent in order, the start, then the set; then the page is the server's
    # page of the session under way, no step of the start left on it.
    expect(page.locator("[data-before-start]")).to_have_count(0)
    expect(page.locator(".set-row.is-logged")).to_have_count(1)
    expect(page.get_by_text("Saved on this phone")).to_have_count(0)
    (workout,) = Workout.objects.all()
    assert workout.planned_session == next_session and workout.pain_before == 0
    (logged,) = SetLog.objects.all()
    assert logged.workout == workout


@pytest.mark.django_db(transaction=True)
def test_each_opening_of_the_kept_page_gives_its_start_forms_new_keys(
    watched_page, site, next_session
):
    """The kept page may be opened days after the worker kept it: the key its
    pain check carries (a double tap is one start) is never one used before."""
    page = watched_page
    start_offline(page, site, next_session)
    key = page.locator('form.pain-check input[name="action_key"]')
    first = key.input_value()
    page.reload()
    expect(key).not_to_have_value(first)
    assert len(key.input_value()) >= 32
