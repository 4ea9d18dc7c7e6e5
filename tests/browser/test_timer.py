"""The timed step on a phone: at zero the phone vibrates and beeps (the member
walking backwards is not looking at it), the screen stays on while it counts,
and "Stop and log" logs what was done to the second.

Playwright's clock runs the ten minutes in no time. An init script (outside
the page's CSP, as ``watched_page``'s) counts calls to navigator.vibrate, to
the oscillators the page starts and to the Screen Wake Lock API."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import SetLog
from routines.seed import seed_ground_up_routine
from tests.browser.conftest import signed_in
from tests.factories import put_on_block

# Set TIMER_SHOTS to a folder to keep screenshots of the timed card.
SHOTS = os.environ.get("TIMER_SHOTS")

_COUNT_SCRIPT = """
(() => {
  const seen = (window.__timerSeen = {
    vibrate: 0, oscillators: 0, started: 0, lockRequests: 0, locks: [], lockErrors: [],
  });
  const vibrate = Navigator.prototype.vibrate;
  Navigator.prototype.vibrate = function (pattern) {
    seen.vibrate += 1;
    return vibrate ? vibrate.call(this, pattern) : true;
  };
  if (window.AudioContext) {
    const create = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function () {
      seen.oscillators += 1;
      return create.call(this);
    };
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args) {
      seen.started += 1;
      return start.apply(this, args);
    };
  }
  if (navigator.wakeLock) {
    const request = WakeLock.prototype.request;
    WakeLock.prototype.request = function (...args) {
      seen.lockRequests += 1;
      return request.apply(this, args).then(
        (lock) => { seen.locks.push(lock); return lock; },
        (error) => { seen.lockErrors.push(String(error)); throw error; },
      );
    };
  }
})();
"""


@pytest.fixture
def on_the_routine(member, trainer):
    seed_ground_up_routine()
    today = timezone.localdate()
    put_on_block(member, trainer=trainer, start_date=today - dt.timedelta(days=today.weekday()))
    return member


def _start_the_session(page, site, member) -> None:
    """Signed in with the page's clock under the test's control, the member
    starts today's session with no pain."""
    page.add_init_script(script=_COUNT_SCRIPT)
    signed_in(page, site, member.email)
    page.clock.install()
    page.get_by_role("button", name=re.compile(r"^Start session \d$")).click()
    page.wait_for_url(re.compile(r"/me/sessions/\d+/$"))  # posted, then opened
    if page.get_by_role("button", name="I start every exercise from zero pain").count():
        page.get_by_role("button", name="I start every exercise from zero pain").click()
    page.locator("input[name=level][value='0']").check()  # "None": the member's answer
    page.get_by_role("button", name="Start the session").click()


def _seen(page) -> dict:
    return page.evaluate(
        "({...window.__timerSeen, held: window.__timerSeen.locks.filter(l => !l.released).length,"
        " wakeLock: 'wakeLock' in navigator})"
    )


def _shoot(locator, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        locator.screenshot(path=Path(SHOTS) / name)


def _pretend_the_page_is(page, state):
    """The phone locked or unlocked: the page's visibility, and its event."""
    page.evaluate(
        """(state) => {
          Object.defineProperty(
            document, "visibilityState", {configurable: true, get: () => state},
          );
          document.dispatchEvent(new Event("visibilitychange"));
        }""",
        state,
    )


@pytest.mark.django_db(transaction=True)
def test_the_timer_rings_at_zero_keeps_the_screen_on_and_logs_seconds(
    watched_page, site, on_the_routine
):
    page = watched_page
    _start_the_session(page, site, on_the_routine)
    walking = page.locator(".set-row", has=page.locator("[data-timer]"))
    expect(walking.locator(".timer-display")).to_have_text("10:00")

    # Started and stopped at 7:42: 462 seconds, not "8 minutes".
    walking.get_by_role("button", name="Start timer").click()
    page.clock.fast_forward("07:42")
    expect(walking.locator(".timer-display")).to_have_text("2:18")
    seen = _seen(page)
    assert seen["vibrate"] == 0 and seen["started"] == 0, "it rang before zero"
    if seen["wakeLock"]:
        assert seen["lockRequests"] == 1
        # The phone locked, then unlocked mid-count: the screen is kept on again.
        _pretend_the_page_is(page, "hidden")
        _pretend_the_page_is(page, "visible")
        page.wait_for_function("window.__timerSeen.lockRequests === 2")
    card = page.locator(".step-group").first  # step 1, backwards walking
    _shoot(card, "timer-running-390.png")
    walking.get_by_role("button", name="Stop and log").click()
    expect(page.locator(".set-row.is-logged")).to_have_count(1)
    expect(page.locator(".set-row.is-logged input.amount")).to_have_value("7:42")
    assert list(SetLog.objects.values_list("seconds", flat=True)) == [462]
    _shoot(card, "timer-logged-390.png")
    if seen["wakeLock"]:
        assert _seen(page)["held"] == 0, "the screen is kept on after the timer stopped"

    # Undone, then run to zero: the phone vibrates and an oscillator beeps, once.
    page.locator(".set-row.is-logged").get_by_role("button", name=re.compile("^Undo")).click()
    expect(walking.get_by_role("button", name="Start timer")).to_be_visible()
    walking.get_by_role("button", name="Start timer").click()
    page.clock.fast_forward("10:00")
    expect(walking.locator(".timer-display")).to_have_text(re.compile(r"^Time's up \+0:0\d$"))
    page.clock.fast_forward("00:05")  # later ticks do not ring again
    seen = _seen(page)
    assert seen["vibrate"] == 1
    assert seen["oscillators"] >= 1 and seen["started"] == seen["oscillators"]
    if seen["wakeLock"]:
        # Granted or refused (headless Chromium may refuse), asked for on each
        # start, and none held once the countdown reached zero.
        assert seen["lockRequests"] == 3 and seen["held"] == 0
    walking.get_by_role("button", name="Stop and log").click()
    expect(page.locator(".set-row.is-logged")).to_have_count(1)
    assert list(SetLog.objects.values_list("seconds", flat=True)) == [605]
    page.watch.assert_clean()


@pytest.mark.django_db(transaction=True)
def test_without_sound_or_wake_lock_the_timer_still_counts_and_vibrates(
    watched_page, site, on_the_routine
):
    """A browser with neither Web Audio nor the Screen Wake Lock API (older
    phones, some in-app browsers): no error, and zero still buzzes."""
    page = watched_page
    page.add_init_script(
        script="delete Navigator.prototype.wakeLock; delete window.AudioContext;"
        " delete window.webkitAudioContext;"
    )
    _start_the_session(page, site, on_the_routine)
    walking = page.locator(".set-row", has=page.locator("[data-timer]"))
    walking.get_by_role("button", name="Start timer").click()
    page.clock.fast_forward("10:00")
    expect(walking.locator(".timer-display")).to_have_text(re.compile(r"^Time's up"))
    seen = _seen(page)
    assert seen["wakeLock"] is False and seen["vibrate"] == 1 and seen["oscillators"] == 0
    walking.get_by_role("button", name="Stop and log").click()
    expect(page.locator(".set-row.is-logged input.amount")).to_have_value("10:00")
    page.watch.assert_clean()
