"""A member on a phone uses every control the logger has, once or more, in one
session, without reloading. After each action the page must still be whole:
the timer and its Start button on the timed step, each card's "x of y sets"
line, an "All N sets" button for every exercise with sets left, and focus
where the next tap goes. Any console error, uncaught exception, htmx error
event or CSP report fails the sweep (``watched_page``). The sweep runs twice:
at the test server's speed, with one post lost on the way (kept on the phone
and sent again), and on a 4G-like connection, where every answer comes a
round trip later.
The member who taps, and the checks, are in ``tests.browser.sweep``.

Set SWEEP_SHOTS to a folder to keep a screenshot of the timed card after each
of its swaps."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import PainFlag, SetLog, Workout
from routines.seed import seed_ground_up_routine
from tests.browser.conftest import signed_in
from tests.browser.sweep import ACTIONS, FOUR_G_LATENCY_MS, Sweep, four_g
from tests.factories import put_on_block


@pytest.fixture
def new_to_the_routine(member, trainer):
    """Alex, on the routine since Monday, has not said which side is weaker."""
    seed_ground_up_routine()
    today = timezone.localdate()
    put_on_block(member, trainer=trainer, start_date=today - dt.timedelta(days=today.weekday()))
    return member


def run_sweep(sweep: Sweep, *, drop_one_post: bool = False):
    page = sweep.page

    # Today -> the zero-pain rule -> "any pain right now?" -> the logger.
    page.get_by_role("button", name=re.compile(r"^Start session \d")).click()
    page.get_by_role("button", name="I start every exercise from zero pain").click()
    # Nothing is chosen for the member: Start without an answer is refused.
    expect(page.get_by_role("radio", name="None")).not_to_be_checked()
    sweep.shoot_page("pain-check")
    sweep.navigate(
        "pain check unanswered",
        page.get_by_role("button", name="Start the session"),
        lands_on="Choose None, or how much it hurts from 1 to 10, to start.",
        refused=True,
    )
    page.get_by_role("radio", name="None").check()
    sweep.navigate(
        "start",
        page.get_by_role("button", name="Start the session"),
        lands_on="0 of 18 sets done",
    )

    # The timed step: the timer started and stopped logs the walk.
    walking = sweep.card("Backwards walking")
    walking_row = walking.locator(".set-row")
    sweep.shoot("01-opened")
    page.clock.install()
    walking_row.get_by_role("button", name="Start timer").click()
    sweep.actions["timer start"] += 1
    # Half way, longer strides: the card is swapped and its timer runs on.
    page.clock.fast_forward("05:00")
    sweep.swap("harder", walking.get_by_role("button", name=re.compile("^Harder")))
    expect(walking.get_by_text("Stride length: long")).to_be_visible()
    expect(walking_row.get_by_role("button", name="Stop and log")).to_be_visible()
    expect(walking_row.get_by_role("button", name="Start timer")).to_be_hidden()
    expect(walking_row.locator(".timer-display")).to_have_text(re.compile(r"^(5:00|4:5\d)$"))
    sweep.shoot("01b-harder-while-running")
    page.clock.fast_forward("05:00")
    expect(walking_row.locator(".timer-display")).to_have_text(re.compile(r"0:00|Time's up"))
    sweep.swap("timer stop and log", walking_row.get_by_role("button", name="Stop and log"))
    expect(walking_row).to_have_class(re.compile(r"\bis-logged\b"))
    # Undo brings the timer back, with its Start button, and focus on Log.
    sweep.swap("undo", walking_row.get_by_role("button", name=re.compile("^Undo")))
    sweep.assert_focus_in(walking_row.locator(".log-button"), "undo")
    sweep.shoot("02-after-undo")

    # The alternative and back: the timer stays.
    sweep.swap("alternative", walking.get_by_role("button", name="Do Deadmill instead"))
    expect(walking.get_by_role("heading", name="Deadmill")).to_be_visible()
    expect(walking.locator(".timer-display")).to_have_text("5:00")
    sweep.shoot("03-deadmill")
    back = walking.get_by_role("button", name=re.compile("^Back to"))
    sweep.swap("back from the alternative", back)
    expect(walking.locator(".timer-display")).to_have_text("10:00")
    sweep.shoot("04-back-to-walking")

    # Stride length, easier then harder: the timer stays, focus stays on the knob.
    sweep.swap("easier", walking.get_by_role("button", name=re.compile("^Easier")))
    expect(walking.get_by_text("Stride length: moderate")).to_be_visible()
    sweep.assert_focus_in(walking.get_by_role("button", name=re.compile("^Easier")), "easier")
    sweep.shoot("05-easier")
    sweep.swap("harder", walking.get_by_role("button", name=re.compile("^Harder")))
    expect(walking.get_by_text("Stride length: long")).to_be_visible()
    sweep.shoot("06-harder")

    # The walk logged by its Log button: the card asks about pain, with
    # focus on None; None moves focus to the next set.
    sweep.swap("log", walking_row.locator(".log-button"))
    sweep.assert_focus_in(walking.get_by_role("button", name="None"), "the walk's last set")
    sweep.no_pain(walking, "Backwards walking")
    pair = sweep.card("Tibialis raise")
    sweep.assert_focus_in(pair.locator(".log-button").first, "no pain")

    # The raises: log one, correct its count, harder on the tibialis, a typed
    # distance, then the rest of each exercise as prescribed.
    first = pair.locator(".set-row").first
    sweep.swap("log", first.locator(".log-button"))
    first.locator("input.amount").fill("22")
    sweep.swap("edit a count", first.get_by_role("button", name=re.compile("^Save")))
    expect(first.get_by_text("Saved")).to_be_visible()
    sweep.assert_focus_in(first.get_by_role("button", name=re.compile("^Save")), "edit")
    tibialis = sweep.block(pair, "Tibialis raise")
    sweep.swap("harder", tibialis.get_by_role("button", name=re.compile("^Harder")))
    expect(tibialis.get_by_text("Feet distance from wall: 13 in")).to_be_visible()
    tibialis.get_by_text("Type a different value").click()
    tibialis.get_by_role("spinbutton").fill("14")
    sweep.swap("typed knob value", tibialis.get_by_role("button", name=re.compile("^Save")))
    expect(tibialis.get_by_text("Feet distance from wall: 14 in")).to_be_visible()
    sweep.swap(
        "all as prescribed",
        pair.get_by_role("button", name="All 2 sets of Calf raise as prescribed"),
    )
    expect(pair.get_by_text("Any pain during Calf raise?")).to_be_visible()
    sweep.shoot_page("calf-raise-asks", pair)
    sweep.swap("log", pair.locator(".log-button").first)
    sweep.no_pain(pair, "Tibialis raise")
    sweep.no_pain(pair, "Calf raise")

    # The Patrick step's extra set is due from the start, on a row that asks
    # which side is weaker; answered, the row is a set to log, the total the same.
    patrick = sweep.card("Patrick step")
    sweep.swap("log", patrick.locator(".log-button").first)
    left = patrick.get_by_role("button", name=re.compile("^Left"))
    sweep.swap("weaker side", left)
    sweep.swap(
        "all as prescribed",
        patrick.get_by_role("button", name=re.compile(r"^All \d sets of Patrick step")),
    )
    sweep.no_pain(patrick, "Patrick step")

    # The Nordic, easier with a band; one set's post lost on the way.
    nordic = sweep.card("Regressed reverse Nordic")
    sweep.swap("easier", nordic.get_by_role("button", name=re.compile("^Easier")))
    nordic_row = nordic.locator(".set-row").first
    if drop_one_post:
        page.route("**/sets/", lambda route: route.abort("internetdisconnected"), times=1)
        with page.watch.expecting("htmx:sendError", "Failed to load resource", "^htmx:"):
            nordic_row.locator(".log-button").click()
            # Kept on the phone and sent again at once, with the same key.
            expect(page.locator("#outbox-badge")).to_have_text("Sent")
        expect(nordic_row).not_to_contain_text("Saved on this phone")
        expect(nordic_row).to_have_class(re.compile(r"\bis-logged\b"))
        sweep.assert_whole("a lost post")
    else:
        sweep.swap("log", nordic_row.locator(".log-button"))
    sweep.swap("log", nordic.locator(".log-button").first)

    # The curl: one set, then pain stops it.
    curl = sweep.card("Single-leg hamstring curl")
    sweep.swap("log", curl.locator(".log-button").first)
    curl.get_by_text("Pain during Single-leg hamstring curl?").click()
    curl.get_by_role("radio", name="2", exact=True).check()
    sweep.swap("pain on an exercise", curl.get_by_role("button", name="Stop this exercise"))
    expect(curl.get_by_role("heading", name="Stopped: pain 2/10")).to_be_visible()

    # Finish with the Nordic's question unanswered: refused, with a link to it.
    sweep.navigate(
        "finish with a pain question unanswered",
        page.get_by_role("button", name="Finish session"),
        lands_on="Before you finish, answer",
        refused=True,
    )
    sweep.shoot_page("finish-refused", page.locator(".finish-form"))
    page.locator("#finish-pain").get_by_role("link", name="Regressed reverse Nordic").click()
    sweep.no_pain(nordic, "Regressed reverse Nordic")
    sweep.navigate(
        "finish",
        page.get_by_role("button", name="Finish session"),
        lands_on="Session partly done",
    )
    sweep.navigate(
        "reopen",
        page.get_by_role("button", name="Reopen to fix a mistake"),
        lands_on="Finish session",
    )
    # Reopened, the page is the logger again, every control in place.
    expect(page.locator(".step-group")).to_have_count(5)


def _check_the_record(member):
    workout = Workout.objects.get()
    assert workout.finished_at is None  # reopened
    logs = SetLog.objects.filter(workout=workout)
    # Walk 1, raises 4, Patrick 5, Nordic 2, curl 1: each once, the lost post
    # included.
    assert logs.count() == 13
    assert logs.get(exercise__name="Tibialis raise", set_number=1).reps == 22
    assert PainFlag.objects.get().exercise.name == "Single-leg hamstring curl"
    # “Any pain during it?” answered None for every other exercise, one tap each.
    assert len(workout.pain_after) == 5
    assert member.profile.__class__.objects.get(user=member).weaker_side == "left"


def _report(sweep, capsys, name):
    with capsys.disabled():
        print(
            f"\nsweep ({name}): {sum(sweep.actions.values())} actions, "
            f"{len(sweep.page.watch.problems)} errors"
        )
    assert set(sweep.actions) >= ACTIONS, f"not used: {ACTIONS - set(sweep.actions)}"


def _shots(name):
    folder = os.environ.get("SWEEP_SHOTS")
    return (Path(folder), f"{name}-") if folder else (None, "")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("network", ["one-post-lost", "4g"])
def test_every_logger_action_leaves_the_page_whole(
    watched_page, site, new_to_the_routine, network, capsys
):
    page = watched_page
    shots, label = _shots(network)
    sweep = Sweep(page, site, shots=shots, label=label)
    signed_in(page, site, new_to_the_routine.email)
    posts = []
    if network == "4g":
        four_g(page)
        page.on(
            "requestfinished",
            lambda r: posts.append(r.timing["responseStart"]) if r.method == "POST" else None,
        )
    run_sweep(sweep, drop_one_post=network == "one-post-lost")
    _check_the_record(new_to_the_routine)
    if network == "4g":
        # The throttle was on: every post waited at least the round trip.
        assert posts and min(posts) >= FOUR_G_LATENCY_MS, posts
    _report(sweep, capsys, network)
