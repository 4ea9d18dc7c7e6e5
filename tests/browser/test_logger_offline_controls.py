"""A Wi-Fi that carries nothing while the phone says it is online
(static/js/outbox.js): Finish is kept like any tap, and Start says it did not
go; never the browser's error page."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import SetLog, Workout
from routines.seed import seed_ground_up_routine
from tests.browser import test_logger_outbox as outbox
from tests.browser.conftest import signed_in
from tests.browser.test_logger_outbox import SAVED, all_sent, badge, card, open_session
from tests.factories import put_on_block

# The outbox tests' fixtures: Alex with this week's session started, and a
# page with no service worker, whose posts ``page.route`` sees.
workout = outbox.workout
routed_page = outbox.routed_page


def carries_nothing(route):
    """A Wi-Fi with no way out: every post is lost; pages still come (kept)."""
    if route.request.method == "POST":
        route.abort("internetdisconnected")
    else:
        route.continue_()


@pytest.mark.django_db(transaction=True)
def test_a_wifi_that_carries_nothing_keeps_finish(routed_page, site, workout):
    page = routed_page
    path = open_session(page, site, workout)
    # One set and its pain answer sent with signal: nothing waits.
    walking = card(page, workout, "Backwards walking")
    walking.locator(".log-button").click()
    walking.get_by_role("button", name="None").click()
    expect(walking.locator(".pain-ask")).to_have_count(0)

    page.route("**/*", carries_nothing)
    assert page.evaluate("navigator.onLine")
    # (The kept Finish is tried again at once, and lost again.)
    with page.watch.expecting("Failed to load resource"):
        page.get_by_role("button", name="Finish session").click()
        expect(page.locator("form.finish-form")).to_contain_text(
            f"{SAVED}: the session is finished when it is sent."
        )
        expect(badge(page)).to_have_text("1 waiting")
        assert page.url == site + path  # still the logger, not an error page
        assert not Workout.objects.get().is_finished
        page.unroute("**/*")
    page.goto(site + path)  # opening the page sends what waits
    expect(page.get_by_role("heading", name="Session partly done")).to_be_visible()
    all_sent(page)
    assert SetLog.objects.count() == 1
    assert Workout.objects.get().is_finished


@pytest.mark.django_db(transaction=True)
def test_a_wifi_that_carries_nothing_says_start_did_not_go(routed_page, site, member, trainer):
    seed_ground_up_routine()
    today = timezone.localdate()
    put_on_block(member, trainer=trainer, start_date=today - dt.timedelta(days=today.weekday()))
    page = routed_page
    signed_in(page, site, member.email)
    page.route("**/*", carries_nothing)
    start = page.locator("form[data-offline-href]")
    with page.watch.expecting("Failed to load resource"):
        start.get_by_role("button", name=re.compile(r"^Start session \d")).click()
        # No page kept here (no service worker): it says so, on Today.
        expect(start).to_contain_text(
            "Not started: no connection. Check your signal and tap again."
        )
    assert page.url == site + "/me/"
    assert not Workout.objects.exists()

    page.unroute("**/*")
    start.get_by_role("button", name=re.compile(r"^Start session \d")).click()
    rule = page.get_by_role("button", name="I start every exercise from zero pain")
    expect(rule).to_be_visible()
    assert Workout.objects.count() == 1
