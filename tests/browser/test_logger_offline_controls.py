"""The rest of the logger with no signal (static/js/outbox.js): a knob stepped
shows where it is now, a set logged on the phone can be undone there, an
alternative chosen is not offered twice, and Finish asks "any pain during
it?" first, as the server would. And a Wi-Fi that carries nothing while the
phone says it is online: Finish is kept like any tap, and Start says it did
not go; never the browser's error page."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from members.logbook.sets import stepped
from members.models import ActionKey, KnobSetting, SetLog, Workout
from routines.models import Knob
from routines.seed import seed_ground_up_routine
from tests.browser import test_logger_outbox as outbox
from tests.browser.conftest import signed_in
from tests.browser.test_logger_outbox import SAVED, all_sent, badge, card, open_session
from tests.factories import put_on_block
from tests.members.logger_helpers import step

# The outbox tests' fixtures: Alex with this week's session started, and a
# page with no service worker, whose posts ``page.route`` sees.
workout = outbox.workout
routed_page = outbox.routed_page


@pytest.mark.django_db(transaction=True)
def test_knob_undo_alternative_and_finish_behave_as_if_saved(watched_page, site, workout):
    page = watched_page
    open_session(page, site, workout)
    tibialis = card(page, workout, "Tibialis raise")
    nordic = card(page, workout, "Regressed reverse Nordic")
    page.context.set_offline(True)

    # Harder, twice: the wall distance moves as the server would move it.
    wall = Knob.objects.get(exercise__name="Tibialis raise")
    once, _ = stepped(wall, value=wall.start_value, level="", direction="harder")
    twice, _ = stepped(wall, value=once, level="", direction="harder")
    tibialis_id = step(workout, "Tibialis raise")["id"]
    knob = page.locator(f'form.knob-form[action$="/steps/{tibialis_id}/knob/"]')
    knob.get_by_role("button", name=re.compile("^Harder")).click()
    expect(knob.locator(".knob-now strong")).to_have_text(wall.format_value(once))
    knob.get_by_role("button", name=re.compile("^Harder")).click()
    expect(knob.locator(".knob-now strong")).to_have_text(wall.format_value(twice))
    expect(knob.locator(".knob-now")).not_to_contain_text("to start")  # set today
    # A value typed, then Harder: one step from the value typed.
    knob.get_by_text("Type a different value").click()
    knob.get_by_label("Feet distance from wall in in").fill("20")
    knob.get_by_role("button", name=re.compile("^Save")).click()
    expect(knob.locator(".knob-now strong")).to_have_text("20 in")
    knob.get_by_role("button", name=re.compile("^Harder")).click()
    expect(knob.locator(".knob-now strong")).to_have_text("21 in")
    expect(knob).to_contain_text(SAVED)

    # A set logged here, then undone here: Log again, and the count back.
    row = tibialis.locator(".set-row").first
    row.locator(".log-button").click()
    expect(tibialis.locator(".group-count")).to_have_text(re.compile(r"^1 of"))
    row.get_by_role("button", name=re.compile("^Undo")).click()
    expect(row.locator(".log-button")).to_be_visible()
    expect(row).to_contain_text(f"Undone: {SAVED.lower()}")
    expect(tibialis.locator(".group-count")).to_have_text(re.compile(r"^0 of"))

    # The alternative: chosen once, and said so until the card changes.
    curl = card(page, workout, "Single-leg hamstring curl")
    ankle_weight = "Do Standing hamstring curl with ankle weight instead"
    instead = curl.get_by_role("button", name=ankle_weight)
    instead.click()
    expect(instead).to_be_hidden()
    expect(curl.locator(".set-row .log-button").first).to_be_focused()
    expect(curl.locator(".option-form")).to_contain_text(SAVED)

    # One Nordic set of two done: Finish asks its pain question first.
    nordic.locator(".set-row").first.locator(".log-button").click()
    finish = page.locator("form.finish-form")
    page.get_by_role("button", name="Finish session").click()
    expect(finish).to_contain_text("Answer “any pain during it?” for: Regressed reverse Nordic.")
    ask = nordic.locator(".pain-ask")
    expect(ask).to_contain_text("Answer this to finish the session.")
    expect(ask.get_by_role("button", name="None")).to_be_focused()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Finish session").click()
    kept = finish.get_by_text(f"{SAVED}: the session is finished when it is sent.")
    expect(kept).to_be_focused()
    expect(page.get_by_role("button", name="Finish session")).to_be_disabled()
    expect(badge(page)).to_have_text("10 waiting")
    assert not SetLog.objects.exists()

    page.context.set_offline(False)
    expect(page.get_by_role("heading", name="Session partly done")).to_be_visible()
    all_sent(page)
    finished = Workout.objects.get()
    assert finished.is_finished
    nordic_id = step(workout, "Regressed reverse Nordic")["id"]
    assert list(SetLog.objects.values_list("step_id", flat=True)) == [nordic_id]
    assert KnobSetting.objects.get(knob=wall).value == 21
    curl_id = step(workout, "Single-leg hamstring curl")["id"]
    ankle = step(workout, "Standing hamstring curl with ankle weight")["id"]
    assert finished.choices == {str(curl_id): ankle}
    assert finished.pain_after == {str(nordic_id): 0}
    assert ActionKey.objects.count() == 10


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
    try:
        page.goto(site + path)  # opening the page sends what waits
    except PlaywrightError as error:
        # The kept Finish was tried again first, went, and took the page on
        # to the summary before this page load could.
        if "ERR_ABORTED" not in str(error):
            raise
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
