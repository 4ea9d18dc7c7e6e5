"""The logger in one hand: on a phone, in a member's second session, each
card is short enough to glance at, and logging every set at target never
needs a scroll: the next tap is on screen before it is made."""

import datetime as dt
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.logbook.sets import log_all_as_prescribed, report_pain, set_knob
from members.logbook.workouts import (
    accept_zero_pain_rule,
    finish_workout,
    record_pain_before,
    start_workout,
)
from members.models import KnobSetting, Profile
from routines.models import Knob
from routines.seed import seed_ground_up_routine
from tests.browser.conftest import signed_in
from tests.factories import put_on_block

# Set to a folder to keep a full-page screenshot of the later session.
SHOTS = os.environ.get("LOGGER_SHOTS")


@pytest.fixture
def returning_member(member, trainer):
    """Alex (weaker side left) has done session 1 of the routine already,
    typing in each distance the routine left open."""
    seed_ground_up_routine()
    Profile.objects.filter(user=member).update(weaker_side=Profile.WeakerSide.LEFT)
    today = timezone.localdate()
    put_on_block(member, trainer=trainer, start_date=today - dt.timedelta(days=today.weekday()))
    accept_zero_pain_rule(member=member)
    workout = record_pain_before(workout=start_workout(member=member), level=0)
    for main in workout.prescription["steps"]:
        for knob in Knob.objects.filter(exercise=main["exercise_id"]).exclude(
            unit=Knob.Unit.LEVEL
        ):
            if not KnobSetting.objects.filter(workout=workout, knob=knob).exists():
                set_knob(
                    workout=workout,
                    step_id=main["id"],
                    knob_id=knob.pk,
                    direction="set",
                    raw_value="10",
                )
        log_all_as_prescribed(workout=workout, step_id=main["id"])
        report_pain(workout=workout, step_id=main["id"], level=0)
    finish_workout(workout=workout, feeling="about_right")
    return member


def in_viewport(page, locator) -> bool:
    """Wholly on screen, and not under the sticky progress bar."""
    box = locator.bounding_box()
    size = page.viewport_size
    bar_bottom = page.evaluate(
        "document.getElementById('session-progress').getBoundingClientRect().bottom"
    )
    return (
        box is not None
        and box["y"] >= bar_bottom
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
    )


ROW_LINES = """() => [...document.querySelectorAll('.set-row:not(.side-form)')].map((row) => {
  const inline = '.set-name, .amount, button:not([data-timer-start]):not([data-timer-stop])';
  const parts = [...row.querySelectorAll(inline)].map((el) => el.getBoundingClientRect());
  const middles = parts.map((r) => r.top + r.height / 2);
  const buttons = [...row.querySelectorAll('button')].filter((b) => !b.closest('[hidden]'))
    .map((b) => b.getBoundingClientRect());
  return {
    id: row.id,
    spread: Math.max(...middles) - Math.min(...middles),
    smallest: Math.min(...buttons.map((r) => Math.min(r.width, r.height))),
  };
})"""


def assert_rows_one_line(page):
    """Name, amount and Log (or Undo and Save) on one line; every tap 44 px."""
    for row in page.evaluate(ROW_LINES):
        assert row["spread"] < 4, row
        assert row["smallest"] >= 44, row


def next_tap(page):
    """What a member logging at target taps next: an open "any pain?"
    question first, else the session's first set still to log."""
    ask = page.locator(".pain-ask .pain-none")
    return ask.first if ask.count() else page.locator(".log-button").first


@pytest.mark.django_db(transaction=True)
def test_a_later_session_fits_one_hand(page, site, returning_member):
    signed_in(page, site, returning_member.email)
    page.get_by_role("button", name=re.compile(r"^Start session \d$")).click()
    page.get_by_role("radio", name="None").click()
    page.get_by_role("button", name="Start the session").click()
    expect(page.get_by_text("0 of 18 sets done")).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/later-session.png", full_page=True)

    heights = {}
    for card in page.locator(".step-group").all():
        title = " ".join(card.locator("h2").inner_text().split())
        heights[title] = round(card.bounding_box()["height"])
    print("card heights at 390x844:", heights)
    assert heights["Tibialis raise and Calf raise"] < 900

    assert_rows_one_line(page)

    page.evaluate("window.scrollTo(0, 0)")
    taps, off_screen = 0, []
    while page.locator(".log-button, .pain-ask .pain-none").count():
        target = next_tap(page)
        if taps:
            # The page's own focus and scroll after the swap, first: the next
            # tap is where focus went.
            expect(target).to_be_focused()
        label = " ".join(target.inner_text().split())
        if not in_viewport(page, target):
            off_screen.append((taps + 1, label))
        tapped = target.element_handle()
        target.click()
        taps += 1
        tapped.wait_for_element_state("hidden")  # swapped out: the answer is in
    expect(page.get_by_text("18 of 18 sets done")).to_be_visible()
    assert_rows_one_line(page)
    print(f"{taps} taps at target; needed a scroll first: {off_screen}")
    assert off_screen == []
